"""Ledger use cases: contributions, manual entries, reversals, reading the books."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import msgspec

from aidledger.contract.ledger import JournalEntryOut, JournalPage, TrialBalanceOut
from aidledger.domain import money
from aidledger.domain.dates import parse_date
from aidledger.domain.errors import (
    Conflict,
    DomainError,
    FieldError,
    InvalidInput,
    NotFound,
    RuleViolation,
)
from aidledger.domain.ledger import (
    AccountCode,
    AccountType,
    EntryDraft,
    Line,
    Source,
    entry_document,
    reversal_lines,
    trial_balance_columns,
)
from aidledger.persistence import journal
from aidledger.persistence.database import StorageConflict
from aidledger.services.batches import BatchItem, BatchMode, ItemOutcome, run_batch_at_once
from aidledger.services.context import Actor, FundRef, ServiceContext
from aidledger.services.funds import fund_in_body, fund_in_path
from aidledger.services.idempotency import (
    Document,
    IdempotencyClaim,
    StoredResponse,
    run_once,
)
from aidledger.services.pagination import (
    decode_cursor,
    encode_cursor,
    require_limit,
    split_page,
)
from aidledger.services.posting import append_entries, append_entry, post_entry
from aidledger.services.validation import business_date, optional_text, require_text


@dataclass(frozen=True, slots=True)
class LineRequest:
    account: str
    debit: str | None
    credit: str | None
    memo: str | None


async def contribute(
    context: ServiceContext, actor: Actor, fund_reference: str, claim: IdempotencyClaim | None,
    *, amount: str, donor: str, date_text: str | None, memo: str | None,
) -> StoredResponse:
    fund = await fund_in_path(context, fund_reference)
    minor = money.parse_amount(amount, fund.currency, "amount")
    donor = require_text(donor, "donor")
    memo = optional_text(memo, "memo") or f"Contribution from {donor}"
    entry_date = business_date(context.clock.today(), date_text, "date")
    contribution_id = str(uuid.uuid4())
    draft = EntryDraft(
        date=entry_date, memo=memo,
        lines=(Line(AccountCode.CASH, minor, 0), Line(AccountCode.DONOR_CONTRIBUTIONS, 0, minor)),
        source=Source("contribution", contribution_id),
    )

    async def record() -> dict[str, Any]:
        entry = await append_entry(context, actor, fund, draft)
        await journal.insert_contribution(context.database, contribution_id, fund.id, donor,
                                          minor, entry.id)
        return entry_document(entry, reversed_by=None)

    return await run_once(context.database, context.clock, claim, 201, record)


def _parse_lines(lines: list[LineRequest], currency: str) -> tuple[Line, ...]:
    parsed = []
    for index, line in enumerate(lines):
        if (line.debit is None) == (line.credit is None):
            raise RuleViolation.field(f"lines[{index}]", "give exactly one of debit or credit")
        side = "debit" if line.debit is not None else "credit"
        amount = money.parse_amount(line.debit or line.credit, currency, f"lines[{index}].{side}")
        parsed.append(Line(
            account=line.account,
            debit=amount if side == "debit" else 0,
            credit=amount if side == "credit" else 0,
            memo=optional_text(line.memo, f"lines[{index}].memo"),
        ))
    return tuple(parsed)


@dataclass(frozen=True, slots=True)
class EntryRequest:
    fund: str
    date: str
    memo: str
    lines: list[LineRequest]


def _draft(context: ServiceContext, fund: FundRef, request: EntryRequest) -> EntryDraft:
    return EntryDraft(
        date=business_date(context.clock.today(), request.date, "date"),
        memo=require_text(request.memo, "memo", max_length=500),
        lines=_parse_lines(request.lines, fund.currency),
    )


async def post_journal_entry(context: ServiceContext, actor: Actor,
                             claim: IdempotencyClaim | None,
                             request: EntryRequest) -> StoredResponse:
    fund = await fund_in_body(context, request.fund, "fund")
    return await post_entry(context, actor, fund, _draft(context, fund, request), claim)


async def post_journal_batch(
    context: ServiceContext, actor: Actor, mode: BatchMode,
    items: list[tuple[IdempotencyClaim, EntryRequest]],
) -> list[ItemOutcome]:
    """Entries to one fund or several, in the order given (see services/batches.py), all
    appended together."""

    async def prepare(index: int) -> tuple[FundRef, EntryDraft]:
        request = items[index][1]
        fund = await fund_in_body(context, request.fund, "fund")
        return fund, _draft(context, fund, request)

    async def apply(drafts: list[tuple[FundRef, EntryDraft]]) -> list[Document | DomainError]:
        return [entry if isinstance(entry, DomainError)
                else entry_document(entry, reversed_by=None)
                for entry in await append_entries(context, actor, drafts)]

    def operation(request: EntryRequest) -> Callable[[], Awaitable[Document]]:
        async def append() -> Document:
            fund = await fund_in_body(context, request.fund, "fund")
            entry = await append_entry(context, actor, fund, _draft(context, fund, request))
            return entry_document(entry, reversed_by=None)
        return append

    def one_by_one() -> list[BatchItem]:
        return [BatchItem(claim, operation(request)) for claim, request in items]

    return await run_batch_at_once(context, mode, "entries", [claim for claim, _ in items],
                                   prepare, apply, one_by_one, 201)


async def reverse_entry(
    context: ServiceContext, actor: Actor, entry_id: str, claim: IdempotencyClaim | None,
    *, date_text: str | None, memo: str | None,
) -> StoredResponse:
    stored = await journal.entry_by_id(context.database, entry_id)
    if stored is None:
        raise NotFound(f"No journal entry {entry_id!r}.")
    original = stored.entry
    reversal_date = business_date(context.clock.today(), date_text, "date")
    if reversal_date < original.date:
        raise RuleViolation.field("date", f"may not precede the reversed entry's date "
                                          f"{original.date.isoformat()}")
    fund = await fund_in_path(context, original.fund)
    draft = EntryDraft(
        date=reversal_date,
        memo=optional_text(memo, "memo") or f"Reversal of entry {original.seq}: {original.memo}",
        lines=reversal_lines(original.lines),
        reverses=original.id,
    )

    async def reverse() -> dict[str, Any]:
        if stored.reversed_by is not None:
            raise _already_reversed(original.id)
        try:
            entry = await append_entry(context, actor, fund, draft)
            # The unique index on `reverses` refuses a second reversal at this statement.
        except StorageConflict as conflict:
            if conflict.kind == "unique" and conflict.concerns("reverses"):
                raise _already_reversed(original.id) from conflict
            raise
        return entry_document(entry, reversed_by=None)

    return await run_once(context.database, context.clock, claim, 201, reverse)


def _already_reversed(entry_id: str) -> Conflict:
    return Conflict(f"Entry {entry_id} has already been reversed.",
                    [FieldError("id", "already reversed")])


async def get_entry(context: ServiceContext, entry_id: str) -> JournalEntryOut:
    stored = await journal.entry_by_id(context.database, entry_id)
    if stored is None:
        raise NotFound(f"No journal entry {entry_id!r}.")
    return msgspec.convert(entry_document(stored.entry, stored.reversed_by), JournalEntryOut)


async def list_journal(
    context: ServiceContext, *, fund_reference: str | None, account: str | None,
    date_from: str | None, date_to: str | None, limit: int, cursor: str | None,
) -> JournalPage:
    require_limit(limit)
    fund_id = None
    if fund_reference is not None:
        found = await fund_in_body(context, fund_reference, "fund")
        fund_id = found.id
    if account is not None and fund_id is None:
        raise InvalidInput.field("account", "filter by account together with fund")
    where = journal.EntryFilter(
        fund_id=fund_id,
        account_code=account,
        date_from=None if date_from is None else parse_date(date_from, "from"),
        date_to=None if date_to is None else parse_date(date_to, "to"),
        after_pk=decode_cursor(cursor),
    )
    found_entries = await journal.list_entries(context.database, where, limit + 1)
    page, next_cursor = split_page(found_entries, limit, lambda stored: encode_cursor(stored.pk))
    return msgspec.convert({
        "items": [entry_document(stored.entry, stored.reversed_by) for stored in page],
        "next_cursor": next_cursor,
    }, JournalPage)


async def trial_balance(context: ServiceContext, fund_reference: str,
                        as_of_text: str | None) -> TrialBalanceOut:
    fund = await fund_in_path(context, fund_reference)
    as_of = None if as_of_text is None else parse_date(as_of_text, "as_of")
    rows = await journal.balances_as_of(context.database, fund.id, as_of)
    currency = fund.currency
    lines = []
    total_debit = total_credit = 0
    for row in rows:
        debit, credit = trial_balance_columns(row.balance)
        total_debit += debit
        total_credit += credit
        lines.append({
            "account": row.code, "name": row.name, "type": AccountType(row.type).value,
            "debit": money.format_minor(debit, currency),
            "credit": money.format_minor(credit, currency),
        })
    return msgspec.convert({
        "fund": fund.code,
        "currency": currency,
        "as_of": (as_of or context.clock.today()).isoformat(),
        "lines": lines,
        "total_debit": money.format_minor(total_debit, currency),
        "total_credit": money.format_minor(total_credit, currency),
    }, TrialBalanceOut)
