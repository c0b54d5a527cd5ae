"""A rendered report: what it is called, its media type, and its bytes as they come."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date
from typing import Literal, get_args

import msgspec

from aidledger.contract.reports import ReportFormat
from aidledger.domain.errors import InvalidInput

# Every report, by the name its path and the `aidledger report` command give it.
REPORTS = ("trial-balance", "general-ledger", "portfolio", "grants", "beancount",
           "audit-package")
MEDIA_TYPES: dict[str, str] = {
    "json": "application/json",
    "csv": "text/csv",  # Litestar adds "; charset=utf-8" to text types
    "pdf": "application/pdf",
    "beancount": "text/plain",
    "zip": "application/zip",
}

# Told how many of the lines (or files) are done, and how many there are in all.
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Rendered:
    report: str
    fund: str
    day: date  # the date the report is as of, or the end of its period
    extension: Literal["json", "csv", "pdf", "beancount", "zip"]
    chunks: AsyncIterator[bytes]

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.extension]

    @property
    def filename(self) -> str:
        return f"{self.report}-{self.fund}-{self.day.isoformat()}.{self.extension}"


def report_format(text: str | None) -> ReportFormat:
    chosen = text or "json"
    for known in get_args(ReportFormat):
        if chosen == known:
            return known  # type: ignore[no-any-return]  # one of the Literal's values
    raise InvalidInput.field("format", "one of json, csv, pdf")


async def once(body: bytes) -> AsyncIterator[bytes]:
    yield body


def json_report(report: str, fund: str, day: date, document: msgspec.Struct) -> Rendered:
    return Rendered(report, fund, day, "json", once(msgspec.json.encode(document)))
