"""A borrower's three documents about a loan, in the borrower's language: the repayment
schedule, the one-page key facts statement (from the application on, so it can be handed
over before anyone signs), and the statement of every payment, penalty and change of
what is owed. Every figure comes from the loan's own schedule and book, as the loan
endpoints show them; only the words and the way numbers are written change."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from aidledger.domain.dates import report_period
from aidledger.domain.errors import InvalidInput, NotFound
from aidledger.domain.languages import FALLBACK, nearest_language
from aidledger.domain.loans import LoanBook
from aidledger.domain.schedule import InterestMethod
from aidledger.persistence import funds, loans, people
from aidledger.persistence.loans import LoanRecord
from aidledger.reports.formatting import LocaleFormat
from aidledger.reports.pdf import html_to_pdf
from aidledger.reports.translation import document_templates
from aidledger.services.context import Actor, ServiceContext
from aidledger.services.loan_books import book_of
from aidledger.services.loans import LoanSchedule, readable_loan, schedule_of

TEMPLATES = {"schedule": "borrower-schedule.html", "key-facts": "borrower-key-facts.html",
             "statement": "borrower-statement.html"}


@dataclass(frozen=True, slots=True)
class LoanDocument:
    pdf: bytes
    language: str  # the shipped language it is written in
    filename: str


def document_language(requested: str | None, preferred: str) -> str:
    """The language asked for, else the person's own, each matched to the nearest one
    shipped; a stored preference that is no language tag at all falls back to English."""
    if requested is not None:
        return nearest_language(requested)
    try:
        return nearest_language(preferred, "preferred_language")
    except InvalidInput:
        return FALLBACK


def _key_facts(row: LoanRecord, found: LoanSchedule, write: LocaleFormat) -> dict[str, Any]:
    product, schedule = row.product(), found.schedule
    rows, currency = schedule.installments, row.currency
    dues = [item.principal + item.interest + item.fees for item in rows]
    interest, fees = schedule.total_interest, sum(item.fees for item in rows)
    penalty = product.late_penalty
    return {
        "amount": write.money(row.amount, currency),
        "count": write.number(len(rows)),
        "every_count": product.repayment_every.count,
        "every_unit": product.repayment_every.unit.value,
        "installment_low": write.money(min(dues), currency),
        "installment_high": write.money(max(dues), currency),
        "first_due": write.day(rows[0].due_date), "last_due": write.day(rows[-1].due_date),
        "grace_on_principal": product.grace_on_principal,
        "grace_on_interest": product.grace_on_interest_payment,
        "apr": write.percent(schedule.apr_percent),
        "effective_rate": write.percent(schedule.effective_annual_rate_percent),
        "interest": write.money(interest, currency), "fees": write.money(fees, currency),
        "total_to_repay": write.money(row.amount + interest + fees, currency),
        "penalty": None if penalty is None else write.money(penalty.amount, currency),
        "penalty_after_days": None if penalty is None else write.number(penalty.after_days),
        # Paying off a flat loan early still owes all its interest; a declining-balance
        # loan owes interest only up to the day (domain.loans.LoanBook.payoff).
        "flat": product.interest_method is InterestMethod.FLAT,
    }


def _schedule(row: LoanRecord, found: LoanSchedule, write: LocaleFormat) -> dict[str, Any]:
    currency, progress = row.currency, found.progress
    lines, next_due, next_amount = [], None, None
    for index, item in enumerate(found.schedule.installments):
        paid = 0 if progress is None else progress[index].paid
        status = "upcoming" if progress is None else progress[index].status
        if status != "paid" and next_due is None:
            next_due, next_amount = item.due_date, item.total - paid
        lines.append({"number": item.number, "due": write.day(item.due_date),
                      "total": write.money(item.total, currency),
                      "principal": write.money(item.principal, currency),
                      "interest": write.money(item.interest, currency),
                      "penalty": write.money(item.penalties, currency),
                      "paid": write.money(paid, currency), "status_code": status})
    rows = found.schedule.installments
    return {
        "disbursed": progress is not None, "rows": lines,
        "next_due": None if next_due is None else write.day(next_due),
        "next_amount": None if next_amount is None else write.money(next_amount, currency),
        "total": write.money(sum(item.total for item in rows), currency),
        "principal": write.money(sum(item.principal for item in rows), currency),
        "interest": write.money(sum(item.interest for item in rows), currency),
        "penalties": write.money(sum(item.penalties for item in rows), currency),
        "paid": write.money(sum(item.paid for item in progress or ()), currency),
        "apr": write.percent(found.schedule.apr_percent),
    }


@dataclass(frozen=True, slots=True)
class _Event:
    day: date
    order: int  # within a day: paid out, penalty, payment, write-off
    kind: str
    amount: int
    principal_change: int | None  # None: sets what is owed to zero (the write-off)
    number: int | None = None
    split: dict[str, int] | None = None


async def _events(context: ServiceContext, row: LoanRecord, book: LoanBook) -> list[_Event]:
    """Everything that changed what the borrower owes, oldest first."""
    assert row.disbursed_on is not None
    history = (await loans.repayments_of(context.database, [row.id]))[row.id]
    position = book.position(context.clock.today())
    events = [_Event(row.disbursed_on, 0, "disbursed", row.amount, row.amount)]
    penalty = row.product().late_penalty
    for item in position.installments:
        if item.penalties and penalty is not None:
            events.append(_Event(item.due_date + timedelta(days=penalty.after_days + 1), 1,
                                 "penalty", item.penalties, 0, number=item.number))
    # The book allocates the repayments that are not recoveries, in date order.
    allocated = iter(position.allocations)
    for payment in sorted(history, key=lambda item: item.paid_on):
        if payment.recovery:
            events.append(_Event(payment.paid_on, 2, "recovered", payment.amount, 0))
            continue
        split = next(allocated)
        events.append(_Event(payment.paid_on, 2, "repaid", payment.amount, -split.principal,
                             split={"principal": split.principal, "interest": split.interest,
                                    "penalties": split.penalties + split.fees,
                                    "overpayment": split.overpayment}))
    if row.written_off_on is not None:
        events.append(_Event(row.written_off_on, 3, "written_off",
                             position.outstanding.principal, None))
    return sorted(events, key=lambda event: (event.day, event.order))


async def _statement(context: ServiceContext, row: LoanRecord, write: LocaleFormat,
                     start: str | None, end: str | None) -> dict[str, Any]:
    today = context.clock.today()
    opened = row.disbursed_on or row.applied_on
    period = report_period(today, start or opened.isoformat(), end or today.isoformat())
    currency, lines, owed, paid = row.currency, [], 0, 0
    if row.disbursed_on is not None:
        book = await book_of(context.database, row)
        balance = 0
        for event in await _events(context, row, book):
            balance = 0 if event.principal_change is None else balance + event.principal_change
            if not period.start <= event.day <= period.end:
                continue
            if event.kind in ("repaid", "recovered"):
                paid += event.amount
            lines.append({
                "day": write.day(event.day), "kind": event.kind, "number": event.number,
                "amount": write.money(event.amount, currency),
                "balance": write.money(balance, currency),
                "split": None if event.split is None else {
                    name: write.money(value, currency) if value or name != "overpayment"
                    else None for name, value in event.split.items()}})
        written_off = row.written_off_on is not None and row.written_off_on <= period.end
        known = dataclasses.replace(book, received=[
            item for item in book.received if item.paid_on <= period.end])
        owed = 0 if written_off else known.position(period.end).outstanding.total
    return {"start": write.day(period.start), "end": write.day(period.end), "lines": lines,
            "owed": write.money(owed, currency), "paid": write.money(paid, currency)}


async def loan_document(context: ServiceContext, actor: Actor, loan_id: str, kind: str, *,
                        language: str | None, start: str | None = None,
                        end: str | None = None) -> LoanDocument:
    row = await readable_loan(context, actor, loan_id)
    person = await people.find_person(context.database, row.person_id)
    fund = await funds.find_fund(context.database, row.fund_id)
    if person is None or fund is None:
        raise NotFound(f"No loan {loan_id!r}.")
    chosen = document_language(language, person.preferred_language)
    write = LocaleFormat(chosen)
    found = await schedule_of(context, row)
    values: dict[str, Any] = {"language": chosen, "loan": row, "fund": fund,
                              "borrower": person.full_name,
                              "issued": write.day(context.clock.today())}
    if kind == "key-facts":
        values["facts"] = _key_facts(row, found, write)
    elif kind == "schedule":
        values["schedule"] = _schedule(row, found, write)
    else:
        values["statement"] = await _statement(context, row, write, start, end)
    html = document_templates(context.reports_path, chosen).get_template(
        TEMPLATES[kind]).render(values)
    return LoanDocument(await html_to_pdf(context.reports_path, html), chosen,
                        f"{kind}-{row.id}-{chosen}.pdf")
