"""Reading the audit trail: every recorded state change, filtered and paged."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from aidledger.contract.audit import AuditEventOut, AuditEventPage
from aidledger.domain.dates import parse_date, timestamp
from aidledger.domain.errors import InvalidInput
from aidledger.persistence import audit
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
) -> AuditEventPage:
    """Events oldest first; `from` and `to` are days, both included, in UTC."""
    require_limit(limit)
    fund_id = None
    if fund_reference is not None:
        fund_id = (await fund_in_body(context, fund_reference, "fund")).id
    first = None if date_from is None else parse_date(date_from, "from")
    last = None if date_to is None else parse_date(date_to, "to")
    if first is not None and last is not None and first > last:
        raise InvalidInput.field("from", "must not be after 'to'")
    rows = await audit.events(context.database, audit.EventFilter(
        after_id=decode_cursor(cursor), subject_kind=subject_kind, subject_id=subject_id,
        fund_id=fund_id, at_or_after=None if first is None else _day_start(first),
        before=None if last is None else _day_start(last + timedelta(days=1))), limit + 1)
    page, next_cursor = split_page(rows, limit, lambda row: encode_cursor(row.id))
    return AuditEventPage(
        items=[AuditEventOut(id=row.id, at=timestamp(row.at, microseconds=True),
                             actor=row.actor, action=row.action,
                             subject_kind=row.subject_kind, subject_id=row.subject_id,
                             fund=row.fund_code, before=row.before, after=row.after)
               for row in page],
        next_cursor=next_cursor)


def _day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
