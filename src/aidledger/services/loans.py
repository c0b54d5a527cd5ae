"""Microloans: applications decided by policy, maker-checker approval, disbursement,
repayments, payoff and write-off. Every state change locks the loan's row, leaves an
audit event, and (where money moves) posts one balanced entry in the same transaction.

Income is recognised on a cash basis: interest and penalties are credited to income
when they are paid, never accrued (account 1110 stays unused).
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

from aidledger.domain import money
from aidledger.domain.dates import parse_date
from aidledger.domain.errors import Forbidden, NotFound, RuleViolation
from aidledger.domain.ledger import AccountCode, EntryDraft, Line, Source, entry_document
from aidledger.domain.loans import (
    LOAN_LIFECYCLE,
    Due,
    LoanBook,
    LoanStatus,
    Outstanding,
    Received,
)
from aidledger.domain.products import LoanProduct, product_document
from aidledger.domain.schedule import (
    Schedule,
    ScheduledInstallment,
    build_schedule,
    schedule_cost,
    schedule_document,
)
from aidledger.persistence.database import Database
from aidledger.services import approvals, lifecycle
from aidledger.services.applicants import applicant_profile, grants_received_last_365_days
from aidledger.services.audit import record_event
from aidledger.services.context import Actor, Role, ServiceContext
from aidledger.services.funds import fund_in_path
from aidledger.services.idempotency import IdempotencyClaim, StoredResponse, run_once
from aidledger.services.lifecycle import ApprovableKind, lock_row
from aidledger.services.pagination import (
    decode_cursor,
    encode_cursor,
    require_limit,
    split_page,
)
from aidledger.services.policies import decide_or_refuse
from aidledger.services.posting import append_entry
from aidledger.services.products import find_product, parse_product
from aidledger.services.validation import business_date, require_text


def _product(row: dict[str, Any]) -> LoanProduct:
    terms = json.loads(row["terms"])
    return parse_product(terms, terms["fund"], terms["currency"])


async def _lock(database: Database, loan_id: str) -> dict[str, Any]:
    return await lock_row(database, "loan", loan_id, "loan")


async def _repayments(database: Database, ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Every repayment of each loan, recoveries included, in the order they were made."""
    placeholders = ", ".join("{}" for _ in ids)
    history: dict[str, list[dict[str, Any]]] = {loan_id: [] for loan_id in ids}
    for item in await database.fetch(
            "SELECT loan_id, seq, paid_on, amount, recovery FROM loan_repayment "
            f"WHERE loan_id IN ({placeholders}) ORDER BY loan_id, seq", *ids):
        history[item["loan_id"]].append(item)
    return history


async def _books(database: Database, rows: list[dict[str, Any]],
                 repayments: dict[str, list[dict[str, Any]]] | None = None,
                 ) -> dict[str, LoanBook]:
    """The schedule and repayments of every disbursed loan among `rows`, in two queries
    (one if the caller already has the repayments)."""
    disbursed = [row for row in rows if row["disbursed_on"] is not None]
    if not disbursed:
        return {}
    ids = [row["id"] for row in disbursed]
    placeholders = ", ".join("{}" for _ in ids)
    dues: dict[str, list[Due]] = {loan_id: [] for loan_id in ids}
    for due in await database.fetch(
            "SELECT loan_id, number, due_date, principal, interest FROM loan_installment "
            f"WHERE loan_id IN ({placeholders}) ORDER BY loan_id, number", *ids):
        dues[due["loan_id"]].append(
            Due(due["number"], due["due_date"], due["principal"], due["interest"]))
    if repayments is None:
        repayments = await _repayments(database, ids)
    books = {}
    for row in disbursed:
        product = _product(row)
        books[row["id"]] = LoanBook(
            dues=dues[row["id"]], disbursed_on=row["disbursed_on"],
            interest_method=product.interest_method, late_penalty=product.late_penalty,
            # Recoveries on a written-off loan are income, not payments against the schedule.
            received=[Received(item["paid_on"], item["amount"])
                      for item in repayments[row["id"]] if not item["recovery"]])
    return books


async def _book(database: Database, row: dict[str, Any],
                repayments: list[dict[str, Any]] | None = None) -> LoanBook:
    return (await _books(database, [row], None if repayments is None
                         else {row["id"]: repayments}))[row["id"]]


def _amounts(outstanding: Outstanding, currency: str) -> dict[str, str]:
    return {name: money.format_minor(value, currency) for name, value in (
        ("principal", outstanding.principal), ("interest", outstanding.interest),
        ("penalties", outstanding.penalties), ("fees", outstanding.fees),
        ("total", outstanding.total))}


async def loan_documents(context: ServiceContext,
                         rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Loans as the API shows them; what is loaded for them is loaded for all at once."""
    database = context.database
    books = await _books(database, [row for row in rows if row["status"] == LoanStatus.ACTIVE])
    approved = await approvals.approvals_of(database, "loan", [row["id"] for row in rows])
    today = context.clock.today()
    documents = []
    for row in rows:
        outstanding, days_past_due = Outstanding(0, 0, 0), 0
        if row["id"] in books:
            position = books[row["id"]].position(today)
            outstanding, days_past_due = position.outstanding, position.days_past_due
        currency = row["currency"]
        documents.append({
            "id": row["id"], "person": row["person_id"], "product": row["product_code"],
            "currency": currency, "amount": money.format_minor(row["amount"], currency),
            "installments": row["installments"], "purpose": row["purpose"],
            "applied_on": row["applied_on"].isoformat(), "status": row["status"],
            "status_reason": row["status_reason"],
            "decision": None if row["decision"] is None else json.loads(row["decision"]),
            "approvals_needed": row["approvals_needed"], "approvals": approved[row["id"]],
            "created_by": row["created_by"],
            "disbursed_on": row["disbursed_on"].isoformat() if row["disbursed_on"] else None,
            "disbursement_entry_id": row["disbursement_entry_id"],
            "outstanding": _amounts(outstanding, currency), "days_past_due": days_past_due,
        })
    return documents


async def loan_document(context: ServiceContext, row: dict[str, Any]) -> dict[str, Any]:
    return (await loan_documents(context, [row]))[0]


async def borrowing_history(database: Database, person_id: str, on: date) -> dict[str, int]:
    """The applicant facts about their borrowing, from their loans as they stood on `on`."""
    rows = await database.fetch(
        "SELECT * FROM loan WHERE person_id = {} AND status IN ({}, {}, {})", person_id,
        LoanStatus.ACTIVE.value, LoanStatus.CLOSED.value, LoanStatus.WRITTEN_OFF.value)
    active = in_arrears = longest = 0
    books = await _books(database, rows)
    for row in rows:
        position = books[row["id"]].position(on)
        longest = max(longest, position.max_days_past_due_ever)
        if row["status"] == LoanStatus.ACTIVE:
            active += 1
            in_arrears += position.days_past_due > 0
    return {"loans_active": active, "loans_in_arrears": in_arrears,
            "loans_repaid": sum(row["status"] == LoanStatus.CLOSED for row in rows),
            "max_days_past_due_ever": longest}


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

    async def record() -> dict[str, Any]:
        person = await database.fetch_one("SELECT * FROM person WHERE id = {}", person_id)
        if person is None:
            raise RuleViolation.field("person", f"no person {person_id!r}")
        decision = None
        if policy is not None:
            # The facts as recorded now, inside this transaction: what decided is what was.
            facts = {
                "applicant": {
                    **await applicant_profile(database, person, day),
                    **await borrowing_history(database, person_id, day),
                    "grants_received_last_365_days": await grants_received_last_365_days(
                        database, person_id, day)},
                "application": application,
                "product": {"code": product.code, "currency": product.currency,
                            "min_amount": product.min_amount, "max_amount": product.max_amount,
                            "installments": product.installments},
            }
            decision = decide_or_refuse(context, policy, facts, day, fact_field="person",
                                        date_field="applied_on").document()
        eligible = decision is None or decision["outcome"] == "eligible"
        fund = await fund_in_path(context, product.fund)
        loan_id = str(uuid.uuid4())
        status = LoanStatus.PENDING_APPROVAL if eligible else LoanStatus.REJECTED
        row: dict[str, object] = {
            "id": loan_id, "person_id": person_id, "product_code": product.code,
            "fund_id": fund.id, "currency": product.currency, "amount": principal,
            "installments": count, "purpose": purpose, "applied_on": day,
            "status": status.value,
            "status_reason": None if eligible else "not eligible under the policy",
            "decision": None if decision is None else json.dumps(decision, ensure_ascii=False),
            "approvals_needed": needed,
            "terms": json.dumps(product_document(product)), "created_by": actor.username,
            "created_at": context.clock.now(),
        }
        columns = ", ".join(row)
        await database.execute(
            f"INSERT INTO loan ({columns}) VALUES ({', '.join('{}' for _ in row)})",
            *row.values())
        stored = await _lock(database, loan_id)
        document = await loan_document(context, stored)
        await record_event(database, context.clock, actor, "loan.applied", ("loan", loan_id),
                           after={"status": status.value, "amount": amount},
                           fund_id=fund.id)
        return document

    return await run_once(database, context.clock, claim, 201, record)


async def _loan_document(context: ServiceContext, row: dict[str, Any]) -> dict[str, Any]:
    return await loan_document(context, row)


LOANS = ApprovableKind("loan", "loan", LOAN_LIFECYCLE, _loan_document)


async def approve(context: ServiceContext, actor: Actor, loan_id: str,
                  claim: IdempotencyClaim | None, note: str | None) -> StoredResponse:
    async def change(row: dict[str, Any]) -> None:
        LOAN_LIFECYCLE.allow(row["status"], "approve")
        subject = approvals.Approvable("loan", row["id"], row["created_by"], row["fund_id"],
                                       row["currency"], row["amount"], row["approvals_needed"])
        if await approvals.approve(context, actor, subject, note):
            await context.database.execute(
                "UPDATE loan SET status = {}, reserved = amount WHERE id = {}",
                LOAN_LIFECYCLE.target("approve").value, row["id"])

    return await LOANS.change(context, actor, loan_id, claim, "approved", change)


async def reject(context: ServiceContext, actor: Actor, loan_id: str,
                 claim: IdempotencyClaim | None, reason: str) -> StoredResponse:
    return await lifecycle.reject(context, actor, LOANS, loan_id, claim, reason)


async def cancel(context: ServiceContext, actor: Actor, loan_id: str,
                 claim: IdempotencyClaim | None, reason: str) -> StoredResponse:
    """Only an approved loan not yet disbursed; its reservation is released."""
    return await lifecycle.cancel(context, actor, LOANS, loan_id, claim, reason)


async def disburse(context: ServiceContext, actor: Actor, loan_id: str,
                   claim: IdempotencyClaim | None, date_text: str) -> StoredResponse:
    on = business_date(context.clock.today(), date_text, "date")
    database = context.database

    async def change(row: dict[str, Any]) -> None:
        active = LOAN_LIFECYCLE.to(row["status"], "disburse")
        if on < row["applied_on"]:
            raise RuleViolation.field("date", "may not precede the application's applied_on "
                                              f"{row['applied_on'].isoformat()}")
        product = _product(row)
        schedule = build_schedule(product.loan_terms(row["amount"], row["installments"]), on)
        rows = schedule.installments
        await database.execute(
            "INSERT INTO loan_installment (loan_id, number, due_date, principal, interest) "
            "VALUES " + ", ".join("({}, {}, {}, {}, {})" for _ in rows),
            *[value for item in rows
              for value in (row["id"], item.number, item.due_date, item.principal,
                            item.interest)])
        # The reservation ends as the money leaves: released first, so the cash it kept
        # aside pays this disbursement.
        await approvals.release(database, row["fund_id"], row["reserved"])
        fund = await fund_in_path(context, row["fund_id"])
        entry = await append_entry(context, actor, fund, EntryDraft(
            date=on, memo=f"Loan disbursement to person {row['person_id']}",
            lines=(Line(AccountCode.LOANS_RECEIVABLE, row["amount"], 0),
                   Line(AccountCode.CASH, 0, row["amount"])),
            source=Source("loan_disbursement", row["id"])))
        await database.execute(
            "UPDATE loan SET status = {}, reserved = 0, disbursed_on = {}, "
            "disbursement_entry_id = {} WHERE id = {}", active.value, on, entry.id, row["id"])

    return await LOANS.change(context, actor, loan_id, claim, "disbursed", change)


async def repay(context: ServiceContext, actor: Actor, loan_id: str,
                claim: IdempotencyClaim | None, *, amount: str, date_text: str,
                ) -> StoredResponse:
    on = business_date(context.clock.today(), date_text, "date")
    database = context.database

    async def change(row: dict[str, Any]) -> dict[str, Any]:
        status = LoanStatus(row["status"])
        LOAN_LIFECYCLE.allow(status, "repay")
        currency = row["currency"]
        paid = money.parse_amount(amount, currency, "amount")
        if on < row["disbursed_on"]:
            raise RuleViolation.field("date", "may not precede the disbursement on "
                                              f"{row['disbursed_on'].isoformat()}")
        history = (await _repayments(database, [row["id"]]))[row["id"]]
        latest = history[-1] if history else None
        seq = 1 if latest is None else latest["seq"] + 1
        if latest is not None and on < latest["paid_on"]:
            # Allocation depends on order: a repayment slipped in before a later one would
            # change what earlier entries already posted.
            raise RuleViolation.field("date", "may not precede the last repayment on "
                                              f"{latest['paid_on'].isoformat()}")
        recovery = status is LoanStatus.WRITTEN_OFF
        if recovery:
            allocation = {"penalties": 0, "fees": 0, "interest": 0, "principal": 0,
                          "overpayment": 0, "recovery": paid}
            credits = [(AccountCode.RECOVERIES, paid)]
            outstanding = Outstanding(0, 0, 0)
            settled = False
        else:
            book = await _book(database, row, history)
            book.received = [*book.received, Received(on, paid)]
            position = book.position(on)
            split = position.allocations[-1]
            allocation = {"penalties": split.penalties, "fees": split.fees,
                          "interest": split.interest, "principal": split.principal,
                          "overpayment": split.overpayment, "recovery": 0}
            credits = [(AccountCode.LOANS_RECEIVABLE, split.principal),
                       (AccountCode.INTEREST_INCOME, split.interest),
                       (AccountCode.FEE_AND_PENALTY_INCOME, split.penalties + split.fees),
                       (AccountCode.BORROWER_OVERPAYMENTS, split.overpayment)]
            outstanding, settled = position.outstanding, position.settled
        fund = await fund_in_path(context, row["fund_id"])
        entry = await append_entry(context, actor, fund, EntryDraft(
            date=on, memo=("Recovery on written-off loan" if recovery else "Loan repayment")
            + f" {row['id']}",
            lines=(Line(AccountCode.CASH, paid, 0),
                   *(Line(account, 0, value) for account, value in credits if value)),
            source=Source("loan_repayment", f"{row['id']}/{seq}")))
        await database.execute(
            "INSERT INTO loan_repayment (loan_id, seq, paid_on, amount, recovery, entry_id, "
            "created_by, created_at) VALUES ({}, {}, {}, {}, {}, {}, {}, {})",
            row["id"], seq, on, paid, int(recovery), entry.id, actor.username,
            context.clock.now())
        if settled:
            await database.execute(
                "UPDATE loan SET status = {}, closed_on = {} WHERE id = {}",
                LOAN_LIFECYCLE.to(status, "close").value, on, row["id"])
        return {"currency": currency,
                "allocation": {name: money.format_minor(value, currency)
                               for name, value in allocation.items()},
                "entry": entry_document(entry, reversed_by=None),
                "outstanding": _amounts(outstanding, currency)}

    return await LOANS.change(context, actor, loan_id, claim, "repaid", change, status=201)


async def write_off(context: ServiceContext, actor: Actor, loan_id: str,
                    claim: IdempotencyClaim | None, *, date_text: str, reason: str,
                    ) -> StoredResponse:
    on = business_date(context.clock.today(), date_text, "date")
    reason = require_text(reason, "reason", max_length=500)
    database = context.database

    async def change(row: dict[str, Any]) -> None:
        written_off = LOAN_LIFECYCLE.to(row["status"], "write_off")
        if on < row["disbursed_on"]:
            raise RuleViolation.field("date", "may not precede the disbursement")
        principal = (await _book(database, row)).position(on).outstanding.principal
        if principal:
            fund = await fund_in_path(context, row["fund_id"])
            await append_entry(context, actor, fund, EntryDraft(
                date=on, memo=f"Write-off of loan {row['id']}: {reason}",
                lines=(Line(AccountCode.LOAN_WRITE_OFFS, principal, 0),
                       Line(AccountCode.LOANS_RECEIVABLE, 0, principal)),
                source=Source("loan_write_off", row["id"])))
        await database.execute(
            "UPDATE loan SET status = {}, written_off_on = {}, status_reason = {} "
            "WHERE id = {}", written_off.value, on, reason, row["id"])

    return await LOANS.change(context, actor, loan_id, claim, "written_off", change)


async def _readable(context: ServiceContext, actor: Actor, loan_id: str) -> dict[str, Any]:
    row = await context.database.fetch_one("SELECT * FROM loan WHERE id = {}", loan_id)
    # A borrower asking for anyone else's loan learns nothing, not even that it exists.
    if row is None or (actor.role is Role.BORROWER and row["person_id"] != actor.person_id):
        raise NotFound(f"No loan {loan_id!r}.")
    return row


async def get_loan(context: ServiceContext, actor: Actor, loan_id: str) -> dict[str, Any]:
    return await loan_document(context, await _readable(context, actor, loan_id))


async def list_loans(context: ServiceContext, actor: Actor, *, person: str | None,
                     status: str | None, limit: int, cursor: str | None) -> dict[str, Any]:
    require_limit(limit)
    if actor.role is Role.BORROWER:
        person = actor.person_id
    conditions: list[str] = ["rowid_order > {}"]
    arguments: list[object] = [decode_cursor(cursor)]
    for column, value in (("person_id", person), ("status", status)):
        if value is not None:
            conditions.append(f"{column} = {{}}")
            arguments.append(value)
    rows = await context.database.fetch(
        "SELECT * FROM (SELECT loan.*, ROW_NUMBER() OVER (ORDER BY created_at, id) "
        "AS rowid_order FROM loan) AS ordered "
        f"WHERE {' AND '.join(conditions)} ORDER BY rowid_order LIMIT {{}}",
        *arguments, limit + 1)
    page, next_cursor = split_page(rows, limit, lambda row: encode_cursor(row["rowid_order"]))
    return {"items": await loan_documents(context, page), "next_cursor": next_cursor}


async def my_loans(context: ServiceContext, actor: Actor) -> dict[str, Any]:
    if actor.role is not Role.BORROWER:
        raise Forbidden("Only a borrower has loans of their own here.")
    return await list_loans(context, actor, person=None, status=None, limit=500, cursor=None)


async def loan_schedule(context: ServiceContext, actor: Actor, loan_id: str) -> dict[str, Any]:
    row = await _readable(context, actor, loan_id)
    currency = row["currency"]
    product = _product(row)
    if row["disbursed_on"] is None:
        # Not yet disbursed: what it would be if paid out today.
        schedule = build_schedule(product.loan_terms(row["amount"], row["installments"]),
                                  context.clock.today())
        return schedule_document(schedule, currency)
    # Disbursed: the instalments fixed then, with penalties, payments and status to date.
    position = (await _book(context.database, row)).position(context.clock.today())
    rows, balance = [], row["amount"]
    for item in position.installments:
        balance -= item.principal
        rows.append(ScheduledInstallment(item.number, item.due_date, item.principal,
                                         item.interest, balance, penalties=item.penalties))
    terms = product.loan_terms(row["amount"], row["installments"])
    apr, effective = schedule_cost(terms, row["disbursed_on"], rows)
    return schedule_document(Schedule(row["disbursed_on"], tuple(rows), apr, effective),
                             currency, progress=position.installments)


async def payoff(context: ServiceContext, actor: Actor, loan_id: str,
                 date_text: str | None) -> dict[str, Any]:
    row = await _readable(context, actor, loan_id)
    on = context.clock.today() if date_text is None else parse_date(date_text, "date")
    LOAN_LIFECYCLE.allow(row["status"], "pay_off")
    if on < row["disbursed_on"]:
        raise RuleViolation.field("date", "may not precede the disbursement")
    outstanding = (await _book(context.database, row)).payoff(on)
    return {"currency": row["currency"], "date": on.isoformat(),
            **_amounts(outstanding, row["currency"])}

