"""Audit events: who changed what, when, with the state before and after."""

from __future__ import annotations

import json
from typing import Any

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
    username = actor if isinstance(actor, str) else actor.username
    await database.execute(
        "INSERT INTO audit_event (at, actor, action, subject_kind, subject_id, fund_id, "
        "before_state, after_state) VALUES ({}, {}, {}, {}, {}, {}, {}, {})",
        clock.now(),
        username,
        action,
        subject[0],
        subject[1],
        fund_id,
        None if before is None else json.dumps(before, sort_keys=True, default=str),
        None if after is None else json.dumps(after, sort_keys=True, default=str),
    )
