"""SQL for funds and their chart of accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aidledger.persistence.database import Database
from aidledger.persistence.rows import record


@dataclass(frozen=True, slots=True)
class FundRecord:
    id: str
    code: str
    name: str
    currency: str
    created_at: datetime
    created_by: str
    contact: str | None  # where a borrower asks or complains, printed on their documents


@dataclass(frozen=True, slots=True)
class AccountRecord:
    code: str
    name: str
    type: str
    balance: int  # debits less credits, in minor units


_FUND = "SELECT id, code, name, currency, created_at, created_by, contact FROM fund"


async def insert_fund(database: Database, fund: FundRecord) -> None:
    await database.execute(
        "INSERT INTO fund (id, code, name, currency, created_at, created_by, contact) "
        "VALUES ({}, {}, {}, {}, {}, {}, {})",
        fund.id, fund.code, fund.name, fund.currency, fund.created_at, fund.created_by,
        fund.contact)


async def insert_account(database: Database, fund_id: str, code: str, name: str,
                         account_type: str, created_at: datetime) -> None:
    await database.execute(
        "INSERT INTO account (fund_id, code, name, type, created_at) "
        "VALUES ({}, {}, {}, {}, {})", fund_id, code, name, account_type, created_at)


async def find_fund(database: Database, reference: str) -> FundRecord | None:
    """A fund by id or by code."""
    row = await database.fetch_one(_FUND + " WHERE id = {} OR code = {}", reference, reference)
    return None if row is None else record(FundRecord, row)


async def funds_after(database: Database, code: str, limit: int) -> list[FundRecord]:
    rows = await database.fetch(_FUND + " WHERE code > {} ORDER BY code LIMIT {}", code, limit)
    return [record(FundRecord, row) for row in rows]


async def fund_codes(database: Database) -> list[str]:
    return [row["code"] for row in await database.fetch("SELECT code FROM fund ORDER BY code")]


async def any_fund(database: Database) -> bool:
    return await database.fetch_one("SELECT id FROM fund LIMIT 1") is not None


async def accounts_of(database: Database, fund_id: str) -> list[AccountRecord]:
    rows = await database.fetch(
        "SELECT code, name, type, balance FROM account WHERE fund_id = {} ORDER BY code",
        fund_id)
    return [record(AccountRecord, row) for row in rows]
