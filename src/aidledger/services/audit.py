"""Audit events: who changed what, when, with the state before and after."""

from __future__ import annotations

import json
from typing import Any

from aidledger.domain.dates import timestamp
from aidledger.persistence.database import Database
from aidledger.services.context import Actor, Clock, ServiceContext
from aidledger.services.pagination import decode_cursor, encode_cursor, require_limit


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


async def list_events(
    context: ServiceContext, *, subject_kind: str | None, subject_id: str | None, limit: int,
    cursor: str | None,
) -> dict[str, Any]:
    require_limit(limit)
    conditions, arguments = ["event.id > {}"], [decode_cursor(cursor)]
    for column, value in (("subject_kind", subject_kind), ("subject_id", subject_id)):
        if value is not None:
            conditions.append(f"event.{column} = {{}}")
            arguments.append(value)
    rows = await context.database.fetch(
        "SELECT event.*, fund.code AS fund_code FROM audit_event AS event "
        "LEFT JOIN fund ON fund.id = event.fund_id "
        f"WHERE {' AND '.join(conditions)} ORDER BY event.id LIMIT {{}}",
        *arguments, limit + 1,
    )
    page = rows[:limit]
    return {
        "items": [{
            "id": row["id"], "at": timestamp(row["at"], microseconds=True),
            "actor": row["actor"], "action": row["action"], "subject_kind": row["subject_kind"],
            "subject_id": row["subject_id"], "fund": row["fund_code"],
            "before": None if row["before_state"] is None else json.loads(row["before_state"]),
            "after": None if row["after_state"] is None else json.loads(row["after_state"]),
        } for row in page],
        "next_cursor": encode_cursor(page[-1]["id"]) if len(rows) > limit else None,
    }
