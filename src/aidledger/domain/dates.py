"""Business dates: calendar dates that may lie in the past but never in the future."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from aidledger.domain.errors import InvalidInput, RuleViolation


def parse_date(text: object, field: str) -> date:
    if not isinstance(text, str):
        raise InvalidInput.field(field, "must be an ISO 8601 date like 2026-11-22")
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise InvalidInput.field(field, "must be an ISO 8601 date like 2026-11-22") from None
    if len(text) != 10:
        raise InvalidInput.field(field, "must be an ISO 8601 date like 2026-11-22")
    return value


def require_not_future(value: date, today: date, field: str) -> None:
    if value > today:
        raise RuleViolation.field(field, f"{value.isoformat()} is in the future (today is "
                                         f"{today.isoformat()})")


@dataclass(frozen=True, slots=True)
class Period:
    """The days a report covers, both included."""

    start: date
    end: date


def report_period(today: date, start: str | None, end: str | None) -> Period:
    """`from` and `to` of a report: both required, in order, neither in the future."""
    for field, text in (("from", start), ("to", end)):
        if text is None:
            raise InvalidInput.field(field, "required, an ISO 8601 date like 2026-11-22")
    period = Period(parse_date(start, "from"), parse_date(end, "to"))
    if period.start > period.end:
        raise InvalidInput.field("from", f"{period.start.isoformat()} is after to "
                                         f"{period.end.isoformat()}")
    require_not_future(period.end, today, "to")
    return period


def report_end(today: date, end: str | None) -> date:
    """`to` of a report that runs from the fund's first entry: required, not in the future."""
    if end is None:
        raise InvalidInput.field("to", "required, an ISO 8601 date like 2026-11-22")
    value = parse_date(end, "to")
    require_not_future(value, today, "to")
    return value


def whole_months_between(start: date, end: date) -> int:
    """Calendar months from `start` to `end`, counting only completed months."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    return months - (1 if end.day < start.day else 0)


def whole_years_between(start: date, end: date) -> int:
    return whole_months_between(start, end) // 12


def timestamp(moment: datetime, *, microseconds: bool = False) -> str:
    """An RFC 3339 UTC timestamp as the API shows it ("2026-11-22T09:30:00Z")."""
    return moment.astimezone(UTC).strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ" if microseconds else "%Y-%m-%dT%H:%M:%SZ")
