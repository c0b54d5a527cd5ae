"""The general ledger: every entry dated in a period, in `seq` order, with the balances
the period opened with. It streams: entries are read a batch at a time up to the chain
head the report started at, so memory stays flat however long the journal is."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta

import msgspec

from aidledger.contract.reports import OpeningBalanceOut, ReportFormat
from aidledger.domain import money
from aidledger.domain.dates import Period, report_period
from aidledger.domain.errors import RuleViolation
from aidledger.domain.ledger import AccountType, Entry, entry_document, format_created_at
from aidledger.persistence import journal
from aidledger.persistence.journal import PeriodSpan, StoredEntry
from aidledger.reports.basis import Basis, read_basis
from aidledger.reports.listing import Column, listing
from aidledger.reports.output import Progress, Rendered, once
from aidledger.reports.pdf import render_pdf
from aidledger.reports.tables import csv_stream
from aidledger.services.context import ServiceContext

NAME = "general-ledger"
COLUMNS = ("fund", "currency", "seq", "entry_id", "date", "memo", "account", "account_name",
           "debit", "credit", "line_memo", "reverses", "source_kind", "source_id",
           "created_by", "created_at", "prev_hash", "hash")
PDF_MAX_LINES = 5_000
_BATCH = 2_000  # entries per query: a few thousand lines, a few MB at most


@dataclass(frozen=True, slots=True)
class GeneralLedger:
    basis: Basis
    period: Period
    opening: list[OpeningBalanceOut]
    account_names: dict[str, str]
    span: PeriodSpan | None  # where the period's entries lie in the chain; None: nowhere

    @property
    def lines(self) -> int:
        return 0 if self.span is None else self.span.lines


async def open_general_ledger(context: ServiceContext, fund_reference: str,
                              period: Period) -> GeneralLedger:
    async with context.database.snapshot():
        basis = await read_basis(context, fund_reference)
        fund = basis.fund
        accounts = await journal.balances_as_of(context.database, fund.id,
                                                period.start - timedelta(days=1))
        span = await journal.period_span(context.database, fund.id, period.start,
                                         period.end, basis.head.last_seq)
    opening = [OpeningBalanceOut(
        account=account.code,
        balance=money.format_minor(AccountType(account.type).normal_balance(account.balance),
                                   fund.currency)) for account in accounts]
    return GeneralLedger(basis, period, opening,
                         {account.code: account.name for account in accounts}, span)


async def entries_of(context: ServiceContext, fund_id: str, period: Period,
                     span: PeriodSpan | None,
                     progress: Progress | None = None) -> AsyncIterator[list[StoredEntry]]:
    """The fund's entries dated in `period`, a batch at a time, in seq order, within the
    span of the chain they lie in. Entries are read along the chain and those dated
    outside the period (backdated ones among them) are left out here: the (fund, seq)
    index then serves every batch, and the whole ledger is read once."""
    if span is None:
        return
    next_seq, done = span.first_seq, 0
    while next_seq <= span.last_seq:
        batch = await journal.stored_entries_by_seq(context.database, fund_id, next_seq,
                                                    span.last_seq, _BATCH)
        if not batch:
            return
        next_seq = batch[-1].entry.seq + 1
        dated = [stored for stored in batch if period.start <= stored.entry.date <= period.end]
        done += sum(len(stored.entry.lines) for stored in dated)
        yield dated
        if progress is not None:
            progress(done, span.lines)


def _entries(context: ServiceContext, ledger: GeneralLedger,
             progress: Progress | None = None) -> AsyncIterator[list[StoredEntry]]:
    return entries_of(context, ledger.basis.fund.id, ledger.period, ledger.span, progress)


def line_rows(entry: Entry, account_names: dict[str, str]) -> list[Sequence[object]]:
    """One CSV row per line, each carrying everything the entry's hash covers."""
    source_kind, source_id = (entry.source.kind, entry.source.id) if entry.source else ("", "")
    currency = entry.currency
    head = (entry.fund, currency, entry.seq, entry.id, entry.date.isoformat(), entry.memo)
    tail = (entry.reverses or "", source_kind, source_id, entry.created_by,
            format_created_at(entry.created_at), entry.prev_hash, entry.hash)
    return [(*head, line.account, account_names.get(line.account, ""),
             money.format_minor(line.debit, currency), money.format_minor(line.credit, currency),
             line.memo or "", *tail)
            for line in entry.lines]


async def csv_rows(context: ServiceContext, ledger: GeneralLedger,
                   progress: Progress | None = None) -> AsyncIterator[list[Sequence[object]]]:
    async for batch in _entries(context, ledger, progress):
        yield [row for stored in batch for row in line_rows(stored.entry, ledger.account_names)]


_LISTED = (Column("Seq", right=True), Column("Date"), Column("Account", wrap=40),
           Column("Memo", wrap=60), Column("Debit", right=True), Column("Credit", right=True))


def _listed_rows(entries: list[Entry],
                 names: dict[str, str]) -> Iterator[tuple[object, ...]]:
    """An entry's own line (seq, date, memo, who), then one line per journal line."""
    for entry in entries:
        reverses = f" (reverses {entry.reverses})" if entry.reverses else ""
        yield (entry.seq, entry.date.isoformat(), "", f"{entry.memo}{reverses} "
               f"· {entry.created_by}", "", "")
        for line in entry.lines:
            yield ("", "", f"{line.account} {names.get(line.account, '')}", line.memo or "",
                   money.format_minor(line.debit, entry.currency) if line.debit else "",
                   money.format_minor(line.credit, entry.currency) if line.credit else "")


def _document(stored: StoredEntry) -> dict[str, object]:
    return entry_document(stored.entry, stored.reversed_by)


async def _json_chunks(context: ServiceContext, ledger: GeneralLedger,
                       progress: Progress | None) -> AsyncIterator[bytes]:
    fund = ledger.basis.fund
    encode = msgspec.json.encode
    yield (b'{"fund":' + encode(fund.code) + b',"currency":' + encode(fund.currency)
           + b',"from":' + encode(ledger.period.start.isoformat())
           + b',"to":' + encode(ledger.period.end.isoformat())
           + b',"opening":' + encode(ledger.opening) + b',"entries":[')
    first = True
    async for batch in _entries(context, ledger, progress):
        body = b",".join(encode(_document(stored)) for stored in batch)
        yield body if first else b"," + body
        first = False
    yield b"]}"


async def general_ledger_report(context: ServiceContext, fund_reference: str,
                                start: str | None, end: str | None, output: ReportFormat,
                                progress: Progress | None = None) -> Rendered:
    ledger = await open_general_ledger(context, fund_reference,
                                       report_period(context.clock.today(), start, end))
    fund, day = ledger.basis.fund.code, ledger.period.end
    if output == "json":
        return Rendered(NAME, fund, day, "json", _json_chunks(context, ledger, progress))
    if output == "csv":
        return Rendered(NAME, fund, day, "csv",
                        csv_stream(COLUMNS, csv_rows(context, ledger, progress)))
    if ledger.lines > PDF_MAX_LINES:
        raise RuleViolation.field(
            "format", f"the period holds {ledger.lines:,} lines; a PDF is made of at most "
                      f"{PDF_MAX_LINES:,}: ask for format=csv")
    entries = [stored.entry async for batch in _entries(context, ledger) for stored in batch]
    pdf = await render_pdf(
        context.reports_path, "general-ledger.html",
        ledger.basis.heading("General ledger", f"{ledger.period.start.isoformat()} to "
                                               f"{day.isoformat()}"),
        {"ledger": ledger, "entries": entries,
         "entries_listing": listing(_LISTED, list(_listed_rows(entries, ledger.account_names)))})
    return Rendered(NAME, fund, day, "pdf", once(pdf))
