"""Reading the audit trail: every recorded state change, filtered and paged."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from aidledger.domain.dates import parse_date, timestamp
from aidledger.domain.errors import InvalidInput
from aidledger.services.context import ServiceContext
from aidledger.services.funds import fund_in_body
from aidledger.services.pagination import (
    decode_cursor,
    encode_cursor,
    require_limit,
    split_page,
)


async def list_events(
    context: ServiceContext, *, subject_kind: str | None, subject_id: str | None,
    fund_reference: str | None, date_from: str | None, date_to: str | None, limit: int,
    cursor: str | None,
) -> dict[str, Any]:
    """Events oldest first; `from` and `to` are days, both included, in UTC."""
    require_limit(limit)
    conditions: list[str] = ["event.id > {}"]
    arguments: list[object] = [decode_cursor(cursor)]
    fund_id = None
    if fund_reference is not None:
        fund_id = (await fund_in_body(context, fund_reference, "fund")).id
    first = None if date_from is None else parse_date(date_from, "from")
    last = None if date_to is None else parse_date(date_to, "to")
    if first is not None and last is not None and first > last:
        raise InvalidInput.field("from", "must not be after 'to'")
    for column, value in (("event.subject_kind = {}", subject_kind),
                          ("event.subject_id = {}", subject_id),
                          ("event.fund_id = {}", fund_id),
                          ("event.at >= {}", None if first is None else _day_start(first)),
                          ("event.at < {}", None if last is None else
                           _day_start(last + timedelta(days=1)))):
        if value is not None:
            conditions.append(column)
            arguments.append(value)
    rows = await context.database.fetch(
        "SELECT event.*, fund.code AS fund_code FROM audit_event AS event "
        "LEFT JOIN fund ON fund.id = event.fund_id "
        f"WHERE {' AND '.join(conditions)} ORDER BY event.id LIMIT {{}}",
        *arguments, limit + 1,
    )
    page, next_cursor = split_page(rows, limit, lambda row: encode_cursor(row["id"]))
    return {
        "items": [{
            "id": row["id"], "at": timestamp(row["at"], microseconds=True),
            "actor": row["actor"], "action": row["action"], "subject_kind": row["subject_kind"],
            "subject_id": row["subject_id"], "fund": row["fund_code"],
            "before": None if row["before_state"] is None else json.loads(row["before_state"]),
            "after": None if row["after_state"] is None else json.loads(row["after_state"]),
        } for row in page],
        "next_cursor": next_cursor,
    }


def _day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
