"""Audit events: who changed what, when, with the state before and after."""

from __future__ import annotations

from typing import Any

from aidledger.persistence import audit
from aidledger.persistence.audit import NewEvent
from aidledger.persistence.database import Database
from aidledger.services.context import Actor, Clock


def audit_event(
    clock: Clock,
    actor: Actor | str,
    action: str,
    subject: tuple[str, str],
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    fund_id: str | None = None,
) -> NewEvent:
    """An event that happens now, to be recorded with `record_events`."""
    return NewEvent(at=clock.now(), actor=actor if isinstance(actor, str) else actor.username,
                    action=action, subject=subject, fund_id=fund_id, before=before,
                    after=after)


async def record_event(
    database: Database,
    clock: Clock,
    actor: Actor | str,
    action: str,
    subject: tuple[str, str],
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    fund_id: str | None = None,
) -> None:
    """Call inside the transaction that makes the change, so neither exists without the other."""
    await record_events(database, [audit_event(clock, actor, action, subject, before=before,
                                               after=after, fund_id=fund_id)])


async def record_events(database: Database, events: list[NewEvent]) -> None:
    """Many at once, in the order given; inside the transaction that makes the changes."""
    await audit.insert_events(database, events)
