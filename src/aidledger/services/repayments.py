"""Repayments: one at a time (a borrower paying at the desk), or a settlement file's
hundreds at once. Either way a repayment is split by the loan's own book
(`domain.loans.take_repayment`) and posted as one balanced entry, with its row, the
loan's closing when it pays it off, and an audit event, in the same transaction.

A batch is written together: its loans are locked and read at once, each repayment is
split in order against books kept in memory (so a loan's second repayment in a file sees
its first), and then every entry, repayment and event goes in with a statement or two
for all of them, instead of some ten round trips each.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date

import msgspec

from aidledger.contract.ledger import JournalEntryOut
from aidledger.contract.loans import AllocationOut, RepaymentOut
from aidledger.domain import money
from aidledger.domain.errors import DomainError, NotFound, RuleViolation
from aidledger.domain.ledger import AccountCode, Entry, EntryDraft, Line, Source, entry_document
from aidledger.domain.loans import (
    LOAN_LIFECYCLE,
    LoanBook,
    LoanStatus,
    RepaymentEffect,
    take_repayment,
)
from aidledger.persistence import loans as store
from aidledger.persistence.audit import NewEvent
from aidledger.persistence.loans import LoanRecord, RepaymentRecord
from aidledger.services.audit import audit_event, record_events
from aidledger.services.batches import (
    BatchItem,
    BatchMode,
    ItemOutcome,
    RunOneByOne,
    run_batch_at_once,
)
from aidledger.services.context import Actor, FundRef, ServiceContext
from aidledger.services.funds import fund_in_body, fund_in_path
from aidledger.services.idempotency import Document, IdempotencyClaim, StoredResponse, run_once
from aidledger.services.loan_books import book_of, books_of
from aidledger.services.loans import LOANS, outstanding_out
from aidledger.services.posting import append_entries, append_entry
from aidledger.services.validation import business_date


@dataclass(frozen=True, slots=True)
class RepaymentRequest:
    loan: str
    amount: str
    date: str
    reference: str | None = None  # the payment's own (a bank transaction id), for the memo


async def repay(context: ServiceContext, actor: Actor, claim: IdempotencyClaim | None,
                request: RepaymentRequest) -> StoredResponse:
    return await run_once(context.database, context.clock, claim, 201,
                          _repayment(context, actor, request))


async def repay_batch(context: ServiceContext, actor: Actor, mode: BatchMode,
                      fund_reference: str | None,
                      items: list[tuple[IdempotencyClaim, RepaymentRequest]],
                      ) -> list[ItemOutcome]:
    """Repayments in the order given (a settlement file's), see services/batches.py, all
    written together. With a fund, every loan must be one of the fund's."""
    fund = None if fund_reference is None else await fund_in_body(context, fund_reference,
                                                                  "fund")
    fund_id = None if fund is None else fund.id

    async def prepare(index: int) -> tuple[RepaymentRequest, date]:
        request = items[index][1]
        return request, business_date(context.clock.today(), request.date, "date")

    async def apply(prepared: list[tuple[RepaymentRequest, date]],
                    ) -> list[Document | DomainError]:
        return await _repay_together(context, actor, fund_id, prepared)

    def one_by_one() -> list[BatchItem]:
        return [BatchItem(claim, _repayment(context, actor, request, in_body=True,
                                            fund_id=fund_id))
                for claim, request in items]

    return await run_batch_at_once(context, mode, "repayments", [claim for claim, _ in items],
                                   prepare, apply, one_by_one, 201)


def _effect(row: LoanRecord, status: LoanStatus, book: LoanBook | None,
            last: RepaymentRecord | None, request: RepaymentRequest, on: date,
            fund_id: str | None) -> tuple[RepaymentRecord, RepaymentEffect]:
    """The repayment's row and what it does to the loan, or its refusal. `status`, `book`
    and `last` are the loan as the repayments before this one left it."""
    if fund_id is not None and row.fund_id != fund_id:
        raise RuleViolation.field("loan", "is not one of the batch's fund's loans")
    LOAN_LIFECYCLE.allow(status, "repay")
    paid = money.parse_amount(request.amount, row.currency, "amount")
    if book is None:
        raise RuleViolation.field("loan", "has not been disbursed")
    effect = take_repayment(book, status is LoanStatus.WRITTEN_OFF,
                            None if last is None else last.paid_on, on, paid)
    return (RepaymentRecord(row.id, 1 if last is None else last.seq + 1, on, paid,
                            effect.recovery), effect)


def _draft(row: LoanRecord, repayment: RepaymentRecord, effect: RepaymentEffect,
           reference: str | None) -> EntryDraft:
    return EntryDraft(
        date=repayment.paid_on,
        memo=("Recovery on written-off loan" if repayment.recovery else "Loan repayment")
        + f" {row.id}" + (f", reference {reference}" if reference else ""),
        lines=(Line(AccountCode.CASH, repayment.amount, 0),
               *(Line(account, 0, value) for account, value in effect.split.credits() if value)),
        source=Source("loan_repayment", f"{row.id}/{repayment.seq}"))


def _document(currency: str, effect: RepaymentEffect, entry: Entry) -> RepaymentOut:
    split = effect.split

    def text(value: int) -> str:
        return money.format_minor(value, currency)

    return RepaymentOut(
        currency=currency,
        allocation=AllocationOut(
            penalties=text(split.penalties), fees=text(split.fees),
            interest=text(split.interest), principal=text(split.principal),
            overpayment=text(split.overpayment), recovery=text(split.recovery)),
        entry=msgspec.convert(entry_document(entry, reversed_by=None), JournalEntryOut),
        outstanding=outstanding_out(effect.outstanding, currency))


def _repayment(context: ServiceContext, actor: Actor, request: RepaymentRequest, *,
               in_body: bool = False, fund_id: str | None = None,
               ) -> Callable[[], Awaitable[Document]]:
    """One repayment as a step of a transaction. `in_body`: the loan is named in a body
    (a batch item), not a path, so a loan that does not exist is a 422 naming the field
    rather than a 404."""
    database = context.database

    async def change(row: LoanRecord) -> RepaymentOut:
        on = business_date(context.clock.today(), request.date, "date")
        history = (await store.repayments_of(database, [row.id]))[row.id]
        book = None if row.disbursed_on is None else await book_of(database, row, history)
        status = LoanStatus(row.status)
        repayment, effect = _effect(row, status, book, history[-1] if history else None,
                                    request, on, fund_id)
        fund = await fund_in_path(context, row.fund_id)
        entry = await append_entry(context, actor, fund, _draft(row, repayment, effect,
                                                                request.reference))
        await store.insert_repayment(database, repayment, entry.id, actor.username,
                                     context.clock.now())
        if effect.settled:
            await store.mark_closed(database, [row.id], LOAN_LIFECYCLE.to(status, "close"),
                                    on)
        return _document(row.currency, effect, entry)

    repaid = LOANS.operation(context, actor, request.loan, "repaid", change)
    if not in_body:
        return repaid

    async def named_in_body() -> Document:
        try:
            document: Document = await repaid()
        except NotFound as missing:
            raise RuleViolation.field("loan", f"no loan {request.loan!r}") from missing
        return document

    return named_in_body


@dataclass(slots=True)
class _Loan:
    """A loan of the batch as its repayments so far have left it."""

    row: LoanRecord
    status: LoanStatus
    book: LoanBook | None
    last: RepaymentRecord | None


@dataclass(frozen=True, slots=True)
class _Accepted:
    row: LoanRecord
    repayment: RepaymentRecord
    effect: RepaymentEffect
    draft: EntryDraft
    event: NewEvent


async def _repay_together(context: ServiceContext, actor: Actor, fund_id: str | None,
                          requests: Sequence[tuple[RepaymentRequest, date]],
                          ) -> list[Document | DomainError]:
    """Inside the batch's transaction: every repayment split in order, then all written
    together; each answered with its repayment or its refusal (which wrote nothing)."""
    database = context.database
    rows = await store.find_loans(database, sorted({request.loan for request, _ in requests}),
                                  lock=True)
    histories = await store.repayments_of(database, list(rows))
    books = await books_of(database, list(rows.values()), histories)
    loans = {loan_id: _Loan(row, LoanStatus(row.status), books.get(loan_id),
                            histories[loan_id][-1] if histories[loan_id] else None)
             for loan_id, row in rows.items()}
    outcomes: list[_Accepted | DomainError] = []
    closed: defaultdict[tuple[LoanStatus, date], list[str]] = defaultdict(list)
    for request, on in requests:
        loan = loans.get(request.loan)
        try:
            if loan is None:
                raise RuleViolation.field("loan", f"no loan {request.loan!r}")
            repayment, effect = _effect(loan.row, loan.status, loan.book, loan.last, request,
                                        on, fund_id)
        except DomainError as refusal:
            outcomes.append(refusal)
            continue
        before, loan.last = loan.status, repayment
        if effect.settled:
            loan.status = LOAN_LIFECYCLE.to(before, "close")
            closed[loan.status, on].append(loan.row.id)
        outcomes.append(_Accepted(
            loan.row, repayment, effect, _draft(loan.row, repayment, effect, request.reference),
            audit_event(context.clock, actor, "loan.repaid", ("loan", loan.row.id),
                        before={"status": before.value}, after={"status": loan.status.value},
                        fund_id=loan.row.fund_id)))
    accepted = [outcome for outcome in outcomes if isinstance(outcome, _Accepted)]
    funds: dict[str, FundRef] = {}
    for item in accepted:
        if item.row.fund_id not in funds:
            funds[item.row.fund_id] = await fund_in_path(context, item.row.fund_id)
    entries = await append_entries(context, actor, [(funds[item.row.fund_id], item.draft)
                                                    for item in accepted])
    posted = [entry for entry in entries if isinstance(entry, Entry)]
    if len(posted) != len(accepted):
        # A repayment only brings cash in, to accounts every fund has: should its entry
        # still be refused, the repayments after it on the same loan were split on a
        # wrong basis, so the batch goes again one repayment at a time.
        raise RunOneByOne("a repayment's entry was refused")
    await store.insert_repayments(database, [(item.repayment, entry.id) for item, entry
                                             in zip(accepted, posted, strict=True)],
                                  actor.username, context.clock.now())
    for (status, on), loan_ids in closed.items():  # a statement per day paid off
        await store.mark_closed(database, loan_ids, status, on)
    await record_events(database, [item.event for item in accepted])
    entry_of = iter(posted)
    return [outcome if isinstance(outcome, DomainError)
            else _document(outcome.row.currency, outcome.effect, next(entry_of))
            for outcome in outcomes]
