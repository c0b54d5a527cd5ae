"""SQL for the audit trail: one row per recorded state change, never edited."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aidledger.persistence.database import Database
from aidledger.persistence.rows import placeholders


@dataclass(frozen=True, slots=True)
class EventRecord:
    id: int
    at: datetime
    actor: str
    action: str
    subject_kind: str
    subject_id: str
    fund_code: str | None
    before: Any
    after: Any


@dataclass(frozen=True, slots=True)
class EventFilter:
    after_id: int
    subject_kind: str | None = None
    subject_id: str | None = None
    fund_id: str | None = None
    at_or_after: datetime | None = None
    before: datetime | None = None


async def insert_event(database: Database, *, at: datetime, actor: str, action: str,
                       subject: tuple[str, str], fund_id: str | None,
                       before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
    await database.execute(
        "INSERT INTO audit_event (at, actor, action, subject_kind, subject_id, fund_id, "
        f"before_state, after_state) VALUES ({placeholders(8)})",
        at, actor, action, subject[0], subject[1], fund_id,
        None if before is None else json.dumps(before, sort_keys=True, default=str),
        None if after is None else json.dumps(after, sort_keys=True, default=str))


async def events(database: Database, where: EventFilter, limit: int) -> list[EventRecord]:
    """Events oldest first that pass the filter, after the cursor's event."""
    conditions: list[str] = ["event.id > {}"]
    arguments: list[object] = [where.after_id]
    for condition, value in (("event.subject_kind = {}", where.subject_kind),
                             ("event.subject_id = {}", where.subject_id),
                             ("event.fund_id = {}", where.fund_id),
                             ("event.at >= {}", where.at_or_after),
                             ("event.at < {}", where.before)):
        if value is not None:
            conditions.append(condition)
            arguments.append(value)
    rows = await database.fetch(
        "SELECT event.*, fund.code AS fund_code FROM audit_event AS event "
        "LEFT JOIN fund ON fund.id = event.fund_id "
        f"WHERE {' AND '.join(conditions)} ORDER BY event.id LIMIT {{}}", *arguments, limit)
    return [EventRecord(
        id=row["id"], at=row["at"], actor=row["actor"], action=row["action"],
        subject_kind=row["subject_kind"], subject_id=row["subject_id"],
        fund_code=row["fund_code"],
        before=None if row["before_state"] is None else json.loads(row["before_state"]),
        after=None if row["after_state"] is None else json.loads(row["after_state"]))
        for row in rows]
