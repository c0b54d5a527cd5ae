"""SQL for grant programmes and the emergency grants applied for in them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from aidledger.domain.grants import GrantStatus
from aidledger.persistence.database import Database
from aidledger.persistence.rows import placeholders, record


@dataclass(frozen=True, slots=True)
class ProgramRecord:
    code: str
    name: str
    fund_id: str
    fund_code: str
    currency: str
    category: str
    max_per_person: int
    budget: int | None
    committed: int  # approved grants not cancelled, paid or not
    eligibility_policy: str | None


@dataclass(frozen=True, slots=True)
class GrantRecord:
    id: str
    person_id: str
    program_code: str
    fund_id: str
    currency: str
    amount: int
    reason: str
    applied_on: date
    status: str
    status_reason: str | None
    decision: dict[str, Any] | None
    approvals_needed: int
    reserved: int
    paid_on: date | None
    payment_method: str | None
    payment_reference: str | None
    payee: str | None
    entry_id: str | None
    created_by: str
    created_at: datetime


_PROGRAM = ("SELECT p.code, p.name, p.fund_id, f.code AS fund_code, p.currency, p.category, "
            "p.max_per_person, p.budget, p.committed, p.eligibility_policy "
            "FROM grant_program AS p JOIN fund AS f ON f.id = p.fund_id")
_GRANT_COLUMNS = ("id, person_id, program_code, fund_id, currency, amount, reason, applied_on, "
                  "status, status_reason, decision, approvals_needed, reserved, paid_on, "
                  "payment_method, payment_reference, payee, entry_id, created_by, created_at")


async def insert_program(database: Database, program: ProgramRecord, created_at: datetime,
                         created_by: str) -> None:
    await database.execute(
        "INSERT INTO grant_program (code, name, fund_id, currency, category, max_per_person, "
        f"budget, eligibility_policy, created_at, created_by) VALUES ({placeholders(10)})",
        program.code, program.name, program.fund_id, program.currency, program.category,
        program.max_per_person, program.budget, program.eligibility_policy, created_at,
        created_by)


async def find_program(database: Database, code: str, *,
                       lock: bool = False) -> ProgramRecord | None:
    """`lock`: approvals in one programme queue on it, so cap and budget hold."""
    row = await database.fetch_one(
        _PROGRAM + " WHERE p.code = {}" + (database.lock_clause("p") if lock else ""), code)
    return None if row is None else record(ProgramRecord, row)


async def programs_after(database: Database, code: str, limit: int) -> list[ProgramRecord]:
    rows = await database.fetch(_PROGRAM + " WHERE p.code > {} ORDER BY p.code LIMIT {}",
                                code, limit)
    return [record(ProgramRecord, row) for row in rows]


async def change_committed(database: Database, code: str, amount: int) -> None:
    """Adds `amount` (negative to give back) to what the programme has committed."""
    await database.execute(
        "UPDATE grant_program SET committed = committed + {} WHERE code = {}", amount, code)


def _grant(row: dict[str, Any]) -> GrantRecord:
    decision = row["decision"]
    return record(GrantRecord,
                  {**row, "decision": None if decision is None else json.loads(decision)})


async def insert_grant(database: Database, grant: GrantRecord) -> None:
    await database.execute(
        f"INSERT INTO emergency_grant ({_GRANT_COLUMNS}) VALUES ({placeholders(20)})",
        grant.id, grant.person_id, grant.program_code, grant.fund_id, grant.currency,
        grant.amount, grant.reason, grant.applied_on, grant.status, grant.status_reason,
        None if grant.decision is None else json.dumps(grant.decision, ensure_ascii=False),
        grant.approvals_needed, grant.reserved, grant.paid_on, grant.payment_method,
        grant.payment_reference, grant.payee, grant.entry_id, grant.created_by,
        grant.created_at)


async def find_grant(database: Database, grant_id: str, *,
                     lock: bool = False) -> GrantRecord | None:
    row = await database.fetch_one(
        f"SELECT {_GRANT_COLUMNS} FROM emergency_grant AS grant_row WHERE grant_row.id = {{}}"
        + (database.lock_clause("grant_row") if lock else ""), grant_id)
    return None if row is None else _grant(row)


async def grants_in_status(database: Database, fund_id: str,
                           statuses: tuple[GrantStatus, ...], limit: int) -> list[GrantRecord]:
    """The fund's oldest `limit` grants in any of these states, oldest first."""
    rows = await database.fetch(
        f"SELECT {_GRANT_COLUMNS} FROM emergency_grant WHERE fund_id = {{}} AND "
        f"status IN ({placeholders(len(statuses))}) ORDER BY created_at, id LIMIT {{}}",
        fund_id, *(status.value for status in statuses), limit)
    return [_grant(row) for row in rows]


async def pending_grant(database: Database, person_id: str, program_code: str) -> str | None:
    """The id of the person's application in the programme still awaiting approval."""
    row = await database.fetch_one(
        "SELECT id FROM emergency_grant WHERE person_id = {} AND program_code = {} "
        "AND status = {}", person_id, program_code, GrantStatus.PENDING_APPROVAL.value)
    return None if row is None else str(row["id"])


async def granted_between(database: Database, person_id: str, after: date, until: date,
                          program_code: str | None = None) -> int:
    """Minor units of grants approved or paid to the person, applied for after `after` up
    to and including `until` (in one programme, or in all)."""
    row = await database.fetch_one(
        "SELECT CAST(coalesce(sum(amount), 0) AS BIGINT) AS total FROM emergency_grant "
        "WHERE person_id = {} AND status IN ({}, {}) AND applied_on > {} "
        "AND applied_on <= {}" + ("" if program_code is None else " AND program_code = {}"),
        person_id, GrantStatus.APPROVED.value, GrantStatus.PAID.value, after, until,
        *(() if program_code is None else (program_code,)))
    return int(row["total"]) if row else 0


async def mark_approved(database: Database, grant_id: str, status: GrantStatus) -> None:
    await database.execute(
        "UPDATE emergency_grant SET status = {}, reserved = amount WHERE id = {}",
        status.value, grant_id)


async def mark_paid(database: Database, grant_id: str, status: GrantStatus, on: date, *,
                    method: str, reference: str | None, payee: str | None,
                    entry_id: str) -> None:
    await database.execute(
        "UPDATE emergency_grant SET status = {}, reserved = 0, paid_on = {}, "
        "payment_method = {}, payment_reference = {}, payee = {}, entry_id = {} "
        "WHERE id = {}", status.value, on, method, reference, payee, entry_id, grant_id)


@dataclass(frozen=True, slots=True)
class PaidGrantRecord:
    id: str
    person_id: str
    program_code: str
    category: str
    amount: int
    paid_on: date
    payment_method: str


async def paid_in_fund(database: Database, fund_id: str, start: date,
                       end: date) -> list[PaidGrantRecord]:
    """The fund's grants paid in [start, end], in the order paid."""
    rows = await database.fetch(
        "SELECT g.id, g.person_id, g.program_code, p.category, g.amount, g.paid_on, "
        "g.payment_method FROM emergency_grant AS g "
        "JOIN grant_program AS p ON p.code = g.program_code "
        "WHERE g.fund_id = {} AND g.paid_on IS NOT NULL AND g.paid_on >= {} "
        "AND g.paid_on <= {} ORDER BY g.paid_on, g.created_at, g.id", fund_id, start, end)
    return [record(PaidGrantRecord, row) for row in rows]
