"""Reads verification recomputes the books' derived values from: every one of them is
worked out again from the lines, the approvals and the audit trail, beside what is stored."""

from __future__ import annotations

import json
from dataclasses import dataclass

from aidledger.domain.grants import GrantStatus
from aidledger.domain.loans import LoanStatus
from aidledger.persistence.database import Database


@dataclass(frozen=True, slots=True)
class ForeignLine:
    seq: int
    entry_id: str
    account: str
    account_fund: str


async def first_line_outside_fund(database: Database, fund_id: str) -> ForeignLine | None:
    """The first line of the fund's entries whose account belongs to another fund (hashes
    name accounts by code, so such a move keeps every hash)."""
    row = await database.fetch_one(
        "SELECT e.seq, e.id, a.code, a.fund_id FROM journal_line AS l "
        "JOIN journal_entry AS e ON e.id = l.entry_id JOIN account AS a ON a.id = l.account_id "
        "WHERE e.fund_id = {} AND a.fund_id <> e.fund_id ORDER BY e.seq LIMIT 1",
        fund_id)
    return None if row is None else ForeignLine(row["seq"], row["id"], row["code"],
                                                row["fund_id"])


DayTotals = dict[tuple[str, str], tuple[int, int]]  # (account code, day) -> (debit, credit)


async def day_totals_from_lines(database: Database, fund_id: str) -> DayTotals:
    rows = await database.fetch(
        "SELECT a.code, e.entry_date AS day, sum(l.debit) AS debit, sum(l.credit) AS credit "
        "FROM journal_line AS l JOIN journal_entry AS e ON e.id = l.entry_id "
        "JOIN account AS a ON a.id = l.account_id WHERE a.fund_id = {} "
        "GROUP BY a.code, e.entry_date", fund_id)
    return {(row["code"], str(row["day"])): (int(row["debit"]), int(row["credit"]))
            for row in rows}


async def stored_day_totals(database: Database, fund_id: str) -> DayTotals:
    rows = await database.fetch(
        "SELECT a.code, d.day, d.debit, d.credit FROM account_day AS d "
        "JOIN account AS a ON a.id = d.account_id WHERE a.fund_id = {}", fund_id)
    return {(row["code"], str(row["day"])): (row["debit"], row["credit"]) for row in rows}


Chart = dict[str, tuple[str, str]]  # account code -> (name, type)


async def chart(database: Database, fund_id: str) -> Chart:
    rows = await database.fetch("SELECT code, name, type FROM account WHERE fund_id = {}",
                                fund_id)
    return {row["code"]: (row["name"], row["type"]) for row in rows}


async def chart_as_created(database: Database, fund_id: str) -> Chart:
    """Each account as the append-only audit trail recorded it when it was created."""
    rows = await database.fetch(
        "SELECT after_state FROM audit_event WHERE fund_id = {} AND action = 'account.created' "
        "ORDER BY id", fund_id)
    created: Chart = {}
    for row in rows:
        account = json.loads(row["after_state"])
        created.setdefault(account["code"], (account["name"], account["type"]))
    return created


@dataclass(frozen=True, slots=True)
class Reservations:
    stored: int  # fund.reserved
    approved: int  # amounts of the approved loans and grants not yet paid out
    # Approved loans and grants whose own reservation is not their amount, or that hold a
    # reservation in another state.
    first_wrong_subject: str | None


async def reservations(database: Database, fund_id: str) -> Reservations:
    stored = await database.fetch_one("SELECT reserved FROM fund WHERE id = {}", fund_id)
    subjects = await database.fetch(
        "SELECT 'loan' AS kind, id, status = {} AS approved, amount, reserved FROM loan "
        "WHERE fund_id = {} AND (status = {} OR reserved <> 0) UNION ALL "
        "SELECT 'grant', id, status = {}, amount, reserved FROM emergency_grant "
        "WHERE fund_id = {} AND (status = {} OR reserved <> 0)",
        LoanStatus.APPROVED.value, fund_id, LoanStatus.APPROVED.value,
        GrantStatus.APPROVED.value, fund_id, GrantStatus.APPROVED.value)
    approved = sum(row["amount"] for row in subjects if row["approved"])
    wrong = next((f"{row['kind']} {row['id']}" for row in subjects
                  if row["reserved"] != (row["amount"] if row["approved"] else 0)), None)
    return Reservations(stored["reserved"] if stored else 0, approved, wrong)
