"""SQL for loans: the application row, the schedule fixed at disbursement, repayments."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from aidledger.domain.loans import Due, LoanStatus
from aidledger.domain.products import LoanProduct, parse_product
from aidledger.domain.schedule import ScheduledInstallment
from aidledger.persistence.database import Database
from aidledger.persistence.rows import placeholders, record


@dataclass(frozen=True, slots=True)
class LoanRecord:
    id: str
    person_id: str
    product_code: str
    fund_id: str
    currency: str
    amount: int
    installments: int
    purpose: str
    applied_on: date
    status: str
    status_reason: str | None
    decision: dict[str, Any] | None  # the eligibility decision, as it was recorded
    approvals_needed: int
    terms: dict[str, Any]  # the product's terms, copied when the loan was applied for
    reserved: int
    disbursed_on: date | None
    disbursement_entry_id: str | None
    written_off_on: date | None
    closed_on: date | None
    created_by: str
    created_at: datetime

    def product(self) -> LoanProduct:
        """The terms the loan was granted on, whatever the product says now."""
        return parse_product(self.terms, self.terms["fund"], self.terms["currency"])


@dataclass(frozen=True, slots=True)
class RepaymentRecord:
    loan_id: str
    seq: int
    paid_on: date
    amount: int
    recovery: bool  # paid after the write-off: income, not a payment on the schedule


_COLUMNS = ("id, person_id, product_code, fund_id, currency, amount, installments, purpose, "
            "applied_on, status, status_reason, decision, approvals_needed, terms, reserved, "
            "disbursed_on, disbursement_entry_id, written_off_on, closed_on, created_by, "
            "created_at")


@lru_cache(maxsize=1024)
def _terms(text: str) -> dict[str, Any]:
    """Loans of one product share their terms' text, and so one parsed copy (never
    changed: a loan's terms are fixed when it is applied for)."""
    parsed: dict[str, Any] = json.loads(text)
    return parsed


def _loan(row: dict[str, Any]) -> LoanRecord:
    decision = row["decision"]
    return record(LoanRecord, {**row, "terms": _terms(row["terms"]),
                               "decision": None if decision is None else json.loads(decision)})


async def insert_loan(database: Database, loan: LoanRecord) -> None:
    await database.execute(
        f"INSERT INTO loan ({_COLUMNS}) VALUES ({placeholders(21)})",
        loan.id, loan.person_id, loan.product_code, loan.fund_id, loan.currency, loan.amount,
        loan.installments, loan.purpose, loan.applied_on, loan.status, loan.status_reason,
        None if loan.decision is None else json.dumps(loan.decision, ensure_ascii=False),
        loan.approvals_needed, json.dumps(loan.terms), loan.reserved, loan.disbursed_on,
        loan.disbursement_entry_id, loan.written_off_on, loan.closed_on, loan.created_by,
        loan.created_at)


async def find_loan(database: Database, loan_id: str, *, lock: bool = False) -> LoanRecord | None:
    """`lock`: the row stays locked until the write transaction ends."""
    row = await database.fetch_one(
        f"SELECT {_COLUMNS} FROM loan AS loan WHERE loan.id = {{}}"
        + (database.lock_clause("loan") if lock else ""), loan_id)
    return None if row is None else _loan(row)


async def find_loans(database: Database, loan_ids: list[str], *,
                     lock: bool = False) -> dict[str, LoanRecord]:
    """Those of the loans that exist, by id. `lock`: locked in id order (two writers
    locking some of the same loans never wait on each other), until the write
    transaction ends."""
    if not loan_ids:
        return {}
    rows = await database.fetch(
        f"SELECT {_COLUMNS} FROM loan AS loan WHERE loan.id IN ({placeholders(len(loan_ids))}) "
        "ORDER BY loan.id" + (database.lock_clause("loan") if lock else ""), *loan_ids)
    return {row["id"]: _loan(row) for row in rows}


async def loans_of_person(database: Database, person_id: str,
                          statuses: tuple[LoanStatus, ...]) -> list[LoanRecord]:
    rows = await database.fetch(
        f"SELECT {_COLUMNS} FROM loan WHERE person_id = {{}} "
        f"AND status IN ({placeholders(len(statuses))})",
        person_id, *(status.value for status in statuses))
    return [_loan(row) for row in rows]


async def loans_in_order(database: Database, *, after: int, limit: int, person: str | None,
                         status: str | None,
                         fund_id: str | None = None) -> list[tuple[int, LoanRecord]]:
    """Loans in the order they were applied for, each with its place in that order (the
    cursor of the next page), after place `after`."""
    conditions: list[str] = ["place > {}"]
    arguments: list[object] = [after]
    for column, value in (("person_id", person), ("status", status), ("fund_id", fund_id)):
        if value is not None:
            conditions.append(f"{column} = {{}}")
            arguments.append(value)
    rows = await database.fetch(
        f"SELECT * FROM (SELECT {_COLUMNS}, ROW_NUMBER() OVER (ORDER BY created_at, id) "
        "AS place FROM loan) AS ordered "
        f"WHERE {' AND '.join(conditions)} ORDER BY place LIMIT {{}}", *arguments, limit)
    return [(row["place"], _loan(row)) for row in rows]


async def dues_of(database: Database, loan_ids: list[str]) -> dict[str, list[Due]]:
    """Each loan's instalments as fixed at disbursement, in order, in one query."""
    dues: dict[str, list[Due]] = {loan_id: [] for loan_id in loan_ids}
    if not loan_ids:
        return dues
    for row in await database.fetch(
            "SELECT loan_id, number, due_date, principal, interest FROM loan_installment "
            f"WHERE loan_id IN ({placeholders(len(loan_ids))}) ORDER BY loan_id, number",
            *loan_ids):
        dues[row["loan_id"]].append(
            Due(row["number"], row["due_date"], row["principal"], row["interest"]))
    return dues


async def repayments_of(database: Database,
                        loan_ids: list[str]) -> dict[str, list[RepaymentRecord]]:
    """Every repayment of each loan, recoveries included, in the order they were made."""
    history: dict[str, list[RepaymentRecord]] = {loan_id: [] for loan_id in loan_ids}
    if not loan_ids:
        return history
    for row in await database.fetch(
            "SELECT loan_id, seq, paid_on, amount, recovery FROM loan_repayment "
            f"WHERE loan_id IN ({placeholders(len(loan_ids))}) ORDER BY loan_id, seq",
            *loan_ids):
        history[row["loan_id"]].append(record(RepaymentRecord,
                                              {**row, "recovery": bool(row["recovery"])}))
    return history


async def insert_installments(database: Database, loan_id: str,
                              installments: tuple[ScheduledInstallment, ...]) -> None:
    await database.execute(
        "INSERT INTO loan_installment (loan_id, number, due_date, principal, interest) "
        "VALUES " + ", ".join(f"({placeholders(5)})" for _ in installments),
        *[value for item in installments
          for value in (loan_id, item.number, item.due_date, item.principal, item.interest)])


async def insert_repayment(database: Database, repayment: RepaymentRecord, entry_id: str,
                           created_by: str, created_at: datetime) -> None:
    await insert_repayments(database, [(repayment, entry_id)], created_by, created_at)


async def insert_repayments(database: Database, repayments: list[tuple[RepaymentRecord, str]],
                            created_by: str, created_at: datetime) -> None:
    """Each repayment with the id of the entry that posted it, in one statement."""
    if not repayments:
        return
    await database.execute(
        "INSERT INTO loan_repayment (loan_id, seq, paid_on, amount, recovery, entry_id, "
        "created_by, created_at) VALUES " + ", ".join(f"({placeholders(8)})"
                                                      for _ in repayments),
        *[value for repayment, entry_id in repayments
          for value in (repayment.loan_id, repayment.seq, repayment.paid_on, repayment.amount,
                        int(repayment.recovery), entry_id, created_by, created_at)])


async def mark_approved(database: Database, loan_id: str, status: LoanStatus) -> None:
    """Fully approved: the whole amount is now reserved in the fund."""
    await database.execute("UPDATE loan SET status = {}, reserved = amount WHERE id = {}",
                           status.value, loan_id)


async def mark_disbursed(database: Database, loan_id: str, status: LoanStatus, on: date,
                         entry_id: str) -> None:
    await database.execute(
        "UPDATE loan SET status = {}, reserved = 0, disbursed_on = {}, "
        "disbursement_entry_id = {} WHERE id = {}", status.value, on, entry_id, loan_id)


async def mark_closed(database: Database, loan_ids: Sequence[str], status: LoanStatus,
                      on: date) -> None:
    """The loans paid off on `on`, in one statement."""
    await database.execute(
        f"UPDATE loan SET status = {{}}, closed_on = {{}} WHERE id IN "
        f"({placeholders(len(loan_ids))})", status.value, on, *loan_ids)


async def mark_written_off(database: Database, loan_id: str, status: LoanStatus, on: date,
                           reason: str) -> None:
    await database.execute(
        "UPDATE loan SET status = {}, written_off_on = {}, status_reason = {} WHERE id = {}",
        status.value, on, reason, loan_id)


async def disbursed_in_fund(database: Database, fund_id: str,
                            by: date) -> list[LoanRecord]:
    """Every loan of the fund disbursed on or before `by`, in the order disbursed."""
    rows = await database.fetch(
        f"SELECT {_COLUMNS} FROM loan WHERE fund_id = {{}} AND disbursed_on IS NOT NULL "
        "AND disbursed_on <= {} ORDER BY disbursed_on, created_at, id", fund_id, by)
    return [_loan(row) for row in rows]


async def dues_in_fund(database: Database, fund_id: str) -> dict[str, list[Due]]:
    """The instalments of every disbursed loan of the fund, in one query."""
    dues: dict[str, list[Due]] = {}
    for row in await database.fetch(
            "SELECT i.loan_id, i.number, i.due_date, i.principal, i.interest "
            "FROM loan_installment AS i JOIN loan ON loan.id = i.loan_id "
            "WHERE loan.fund_id = {} ORDER BY i.loan_id, i.number", fund_id):
        dues.setdefault(row["loan_id"], []).append(
            Due(row["number"], row["due_date"], row["principal"], row["interest"]))
    return dues


async def repayments_in_fund(database: Database, fund_id: str,
                             up_to: date) -> dict[str, list[RepaymentRecord]]:
    """Every repayment received by the fund's loans on or before `up_to`, in one query."""
    history: dict[str, list[RepaymentRecord]] = {}
    for row in await database.fetch(
            "SELECT r.loan_id, r.seq, r.paid_on, r.amount, r.recovery FROM loan_repayment AS r "
            "JOIN loan ON loan.id = r.loan_id WHERE loan.fund_id = {} AND r.paid_on <= {} "
            "ORDER BY r.loan_id, r.seq", fund_id, up_to):
        history.setdefault(row["loan_id"], []).append(
            record(RepaymentRecord, {**row, "recovery": bool(row["recovery"])}))
    return history
