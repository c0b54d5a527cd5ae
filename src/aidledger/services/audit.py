"""Audit events: who changed what, when, with the state before and after."""

from __future__ import annotations

from typing import Any

from aidledger.persistence import audit
from aidledger.persistence.database import Database
from aidledger.services.context import Actor, Clock


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
    await audit.insert_event(database, at=clock.now(),
                             actor=actor if isinstance(actor, str) else actor.username,
                             action=action, subject=subject, fund_id=fund_id, before=before,
                             after=after)
