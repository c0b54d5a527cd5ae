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


@dataclass(frozen=True, slots=True)
class NewEvent:
    at: datetime
    actor: str
    action: str
    subject: tuple[str, str]  # (kind, id)
    fund_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


async def insert_events(database: Database, new: list[NewEvent]) -> None:
    """In one statement, in the order given."""
    if not new:
        return
    await database.execute(
        "INSERT INTO audit_event (at, actor, action, subject_kind, subject_id, fund_id, "
        "before_state, after_state) VALUES " + ", ".join(f"({placeholders(8)})" for _ in new),
        *[value for event in new for value in (
            event.at, event.actor, event.action, event.subject[0], event.subject[1],
            event.fund_id, _state(event.before), _state(event.after))])


def _state(state: dict[str, Any] | None) -> str | None:
    return None if state is None else json.dumps(state, sort_keys=True, default=str)


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
