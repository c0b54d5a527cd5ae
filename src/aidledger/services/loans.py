"""Microloans: applications decided by policy, maker-checker approval, disbursement,
payoff and write-off (repayments, one or a settlement file's, are services/repayments.py).
Every state change locks the loan's row, leaves an audit event, and (where money moves)
posts one balanced entry in the same transaction.

Income is recognised on a cash basis: interest and penalties are credited to income
when they are paid, never accrued (account 1110 stays unused).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import msgspec

from aidledger.contract.loans import (
    LoanList,
    LoanOut,
    OutstandingOut,
    PayoffOut,
    ScheduleOut,
)
from aidledger.contract.policies import DecisionOut
from aidledger.domain import money
from aidledger.domain.dates import parse_date
from aidledger.domain.errors import Forbidden, NotFound, RuleViolation
from aidledger.domain.ledger import AccountCode, EntryDraft, Line, Source
from aidledger.domain.loans import (
    LOAN_LIFECYCLE,
    InstallmentPosition,
    LoanStatus,
    Outstanding,
)
from aidledger.domain.products import product_document
from aidledger.domain.schedule import (
    Schedule,
    ScheduledInstallment,
    build_schedule,
    schedule_cost,
    schedule_document,
)
from aidledger.persistence import loans as store
from aidledger.persistence.loans import LoanRecord
from aidledger.persistence.people import find_person
from aidledger.persistence.products import find_product
from aidledger.services import approvals, lifecycle
from aidledger.services.audit import record_event
from aidledger.services.context import Actor, Role, ServiceContext
from aidledger.services.decision_facts import loan_application_facts
from aidledger.services.funds import fund_in_path
from aidledger.services.idempotency import IdempotencyClaim, StoredResponse, run_once
from aidledger.services.lifecycle import ApprovableKind
from aidledger.services.loan_books import book_of, books_of
from aidledger.services.pagination import (
    decode_cursor,
    encode_cursor,
    require_limit,
    split_page,
)
from aidledger.services.policies import decide_or_refuse
from aidledger.services.posting import append_entry
from aidledger.services.validation import business_date, require_text


def outstanding_out(outstanding: Outstanding, currency: str) -> OutstandingOut:
    def text(value: int) -> str:
        return money.format_minor(value, currency)

    return OutstandingOut(principal=text(outstanding.principal),
                          interest=text(outstanding.interest),
                          penalties=text(outstanding.penalties), fees=text(outstanding.fees),
                          total=text(outstanding.total))


async def loan_documents(context: ServiceContext, rows: list[LoanRecord]) -> list[LoanOut]:
    """Loans as the API shows them; what is loaded for them is loaded for all at once."""
    database = context.database
    books = await books_of(database, [row for row in rows if row.status == LoanStatus.ACTIVE])
    approved = await approvals.approvals_of(database, "loan", [row.id for row in rows])
    today = context.clock.today()
    documents = []
    for row in rows:
        outstanding, days_past_due = Outstanding(0, 0, 0), 0
        if row.id in books:
            position = books[row.id].position(today)
            outstanding, days_past_due = position.outstanding, position.days_past_due
        currency = row.currency
        documents.append(LoanOut(
            id=row.id, person=row.person_id, product=row.product_code, currency=currency,
            amount=money.format_minor(row.amount, currency), installments=row.installments,
            purpose=row.purpose, applied_on=row.applied_on.isoformat(),
            status=row.status,  # type: ignore[arg-type]  # the table's CHECK holds it to the Literal
            status_reason=row.status_reason,
            decision=None if row.decision is None else msgspec.convert(row.decision,
                                                                       DecisionOut),
            approvals_needed=row.approvals_needed, approvals=approved[row.id],
            created_by=row.created_by,
            disbursed_on=row.disbursed_on.isoformat() if row.disbursed_on else None,
            disbursement_entry_id=row.disbursement_entry_id,
            outstanding=outstanding_out(outstanding, currency), days_past_due=days_past_due))
    return documents


async def loan_document(context: ServiceContext, row: LoanRecord) -> LoanOut:
    return (await loan_documents(context, [row]))[0]


async def apply(
    context: ServiceContext, actor: Actor, claim: IdempotencyClaim | None, *, person_id: str,
    product_code: str, amount: str, installments: int | None, purpose: str,
    applied_on: str | None,
) -> StoredResponse:
    database = context.database
    product = await find_product(database, product_code)
    if product is None:
        raise RuleViolation.field("product", f"no loan product {product_code!r}")
    principal = money.parse_amount(amount, product.currency, "amount")
    count = product.installments if installments is None else installments
    product.require_offerable(principal, count)
    day = business_date(context.clock.today(), applied_on, "applied_on")
    purpose = require_text(purpose, "purpose", max_length=500)
    application = {"amount": principal, "currency": product.currency, "installments": count,
                   "purpose": purpose}
    needed = approvals.approvals_needed(context, application, day)
    policy = context.policies.get(product.eligibility_policy or "")
    if product.eligibility_policy is not None and policy is None:
        raise RuleViolation.field("product", f"its eligibility policy "
                                             f"{product.eligibility_policy!r} is not installed")

    async def record() -> LoanOut:
        person = await find_person(database, person_id)
        if person is None:
            raise RuleViolation.field("person", f"no person {person_id!r}")
        decision = None
        if policy is not None:
            facts = await loan_application_facts(database, person, day, application, product)
            decision = decide_or_refuse(context, policy, facts, day, fact_field="person",
                                        date_field="applied_on").document()
        eligible = decision is None or decision["outcome"] == "eligible"
        fund = await fund_in_path(context, product.fund)
        status = LoanStatus.PENDING_APPROVAL if eligible else LoanStatus.REJECTED
        loan = LoanRecord(
            id=str(uuid.uuid4()), person_id=person_id, product_code=product.code,
            fund_id=fund.id, currency=product.currency, amount=principal, installments=count,
            purpose=purpose, applied_on=day, status=status.value,
            status_reason=None if eligible else "not eligible under the policy",
            decision=decision, approvals_needed=needed, terms=product_document(product),
            reserved=0, disbursed_on=None, disbursement_entry_id=None, written_off_on=None,
            closed_on=None, created_by=actor.username, created_at=context.clock.now())
        await store.insert_loan(database, loan)
        document = await loan_document(context, await LOANS.lock(database, loan.id))
        await record_event(database, context.clock, actor, "loan.applied", ("loan", loan.id),
                           after={"status": status.value, "amount": amount},
                           fund_id=fund.id)
        return document

    return await run_once(database, context.clock, claim, 201, record)


LOANS = ApprovableKind("loan", "loan", store.find_loan, LOAN_LIFECYCLE, loan_document)


async def approve(context: ServiceContext, actor: Actor, loan_id: str,
                  claim: IdempotencyClaim | None, note: str | None) -> StoredResponse:
    async def change(row: LoanRecord) -> None:
        LOAN_LIFECYCLE.allow(row.status, "approve")
        subject = approvals.Approvable("loan", row.id, row.created_by, row.fund_id,
                                       row.currency, row.amount, row.approvals_needed)
        if await approvals.approve(context, actor, subject, note):
            await store.mark_approved(context.database, row.id,
                                      LOAN_LIFECYCLE.target("approve"))

    return await LOANS.change(context, actor, loan_id, claim, "approved", change)


async def reject(context: ServiceContext, actor: Actor, loan_id: str,
                 claim: IdempotencyClaim | None, reason: str) -> StoredResponse:
    return await lifecycle.reject(context, actor, LOANS, loan_id, claim, reason)


async def cancel(context: ServiceContext, actor: Actor, loan_id: str,
                 claim: IdempotencyClaim | None, reason: str) -> StoredResponse:
    """Only an approved loan not yet disbursed; its reservation is released."""
    return await lifecycle.cancel(context, actor, LOANS, loan_id, claim, reason)


def _disbursed_on(row: LoanRecord) -> date:
    """The day the money went out; only asked of a loan whose lifecycle says it has."""
    if row.disbursed_on is None:
        raise RuleViolation.field("loan", "has not been disbursed")
    return row.disbursed_on


async def disburse(context: ServiceContext, actor: Actor, loan_id: str,
                   claim: IdempotencyClaim | None, date_text: str) -> StoredResponse:
    on = business_date(context.clock.today(), date_text, "date")
    database = context.database

    async def change(row: LoanRecord) -> None:
        active = LOAN_LIFECYCLE.to(row.status, "disburse")
        if on < row.applied_on:
            raise RuleViolation.field("date", "may not precede the application's applied_on "
                                              f"{row.applied_on.isoformat()}")
        schedule = build_schedule(row.product().loan_terms(row.amount, row.installments), on)
        await store.insert_installments(database, row.id, schedule.installments)
        # The reservation ends as the money leaves: released first, so the cash it kept
        # aside pays this disbursement.
        await approvals.release(database, row.fund_id, row.reserved)
        fund = await fund_in_path(context, row.fund_id)
        entry = await append_entry(context, actor, fund, EntryDraft(
            date=on, memo=f"Loan disbursement to person {row.person_id}",
            lines=(Line(AccountCode.LOANS_RECEIVABLE, row.amount, 0),
                   Line(AccountCode.CASH, 0, row.amount)),
            source=Source("loan_disbursement", row.id)))
        await store.mark_disbursed(database, row.id, active, on, entry.id)

    return await LOANS.change(context, actor, loan_id, claim, "disbursed", change)


async def write_off(context: ServiceContext, actor: Actor, loan_id: str,
                    claim: IdempotencyClaim | None, *, date_text: str, reason: str,
                    ) -> StoredResponse:
    on = business_date(context.clock.today(), date_text, "date")
    reason = require_text(reason, "reason", max_length=500)
    database = context.database

    async def change(row: LoanRecord) -> None:
        written_off = LOAN_LIFECYCLE.to(row.status, "write_off")
        if on < _disbursed_on(row):
            raise RuleViolation.field("date", "may not precede the disbursement")
        principal = (await book_of(database, row)).position(on).outstanding.principal
        if principal:
            fund = await fund_in_path(context, row.fund_id)
            await append_entry(context, actor, fund, EntryDraft(
                date=on, memo=f"Write-off of loan {row.id}: {reason}",
                lines=(Line(AccountCode.LOAN_WRITE_OFFS, principal, 0),
                       Line(AccountCode.LOANS_RECEIVABLE, 0, principal)),
                source=Source("loan_write_off", row.id)))
        await store.mark_written_off(database, row.id, written_off, on, reason)

    return await LOANS.change(context, actor, loan_id, claim, "written_off", change)


async def readable_loan(context: ServiceContext, actor: Actor, loan_id: str) -> LoanRecord:
    row = await store.find_loan(context.database, loan_id)
    # A borrower asking for anyone else's loan learns nothing, not even that it exists.
    if row is None or (actor.role is Role.BORROWER and row.person_id != actor.person_id):
        raise NotFound(f"No loan {loan_id!r}.")
    return row


async def get_loan(context: ServiceContext, actor: Actor, loan_id: str) -> LoanOut:
    return await loan_document(context, await readable_loan(context, actor, loan_id))


async def list_loans(context: ServiceContext, actor: Actor, *, person: str | None,
                     status: str | None, limit: int, cursor: str | None,
                     fund_id: str | None = None) -> LoanList:
    require_limit(limit)
    if actor.role is Role.BORROWER:
        person = actor.person_id
    rows = await store.loans_in_order(context.database, after=decode_cursor(cursor),
                                      limit=limit + 1, person=person, status=status,
                                      fund_id=fund_id)
    page, next_cursor = split_page(rows, limit, lambda item: encode_cursor(item[0]))
    return LoanList(items=await loan_documents(context, [loan for _, loan in page]),
                    next_cursor=next_cursor)


async def my_loans(context: ServiceContext, actor: Actor) -> LoanList:
    if actor.role is not Role.BORROWER:
        raise Forbidden("Only a borrower has loans of their own here.")
    return await list_loans(context, actor, person=None, status=None, limit=500, cursor=None)


@dataclass(frozen=True, slots=True)
class LoanSchedule:
    """A loan's schedule: fixed at disbursement, with each instalment's progress to date;
    before that, what it would be if paid out today (no progress yet)."""

    schedule: Schedule
    progress: tuple[InstallmentPosition, ...] | None


async def schedule_of(context: ServiceContext, row: LoanRecord) -> LoanSchedule:
    terms = row.product().loan_terms(row.amount, row.installments)
    if row.disbursed_on is None:
        return LoanSchedule(build_schedule(terms, context.clock.today()), None)
    position = (await book_of(context.database, row)).position(context.clock.today())
    rows, balance = [], row.amount
    for item in position.installments:
        balance -= item.principal
        rows.append(ScheduledInstallment(item.number, item.due_date, item.principal,
                                         item.interest, balance, penalties=item.penalties))
    apr, effective = schedule_cost(terms, row.disbursed_on, rows)
    return LoanSchedule(Schedule(row.disbursed_on, tuple(rows), apr, effective),
                        position.installments)


async def loan_schedule(context: ServiceContext, actor: Actor, loan_id: str) -> ScheduleOut:
    row = await readable_loan(context, actor, loan_id)
    found = await schedule_of(context, row)
    return msgspec.convert(schedule_document(found.schedule, row.currency,
                                             progress=found.progress), ScheduleOut)


async def payoff(context: ServiceContext, actor: Actor, loan_id: str,
                 date_text: str | None) -> PayoffOut:
    row = await readable_loan(context, actor, loan_id)
    on = context.clock.today() if date_text is None else parse_date(date_text, "date")
    LOAN_LIFECYCLE.allow(row.status, "pay_off")
    if on < _disbursed_on(row):
        raise RuleViolation.field("date", "may not precede the disbursement")
    outstanding = outstanding_out((await book_of(context.database, row)).payoff(on), row.currency)
    return PayoffOut(currency=row.currency, date=on.isoformat(),
                     principal=outstanding.principal, interest=outstanding.interest,
                     penalties=outstanding.penalties, fees=outstanding.fees,
                     total=outstanding.total)
