"""SQL for the journal: locking a fund's chain head, appending entries, reading them back.

Appending is two statements (lines, then the entry); the database's triggers check the
balance and the chain and advance balances, head and audit trail in the same breath.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from aidledger.domain.ledger import CASH_ACCOUNT, Entry, Line, Source
from aidledger.persistence.database import Database


@dataclass(frozen=True, slots=True)
class ChainHead:
    last_seq: int
    last_hash: str
    reserved: int
    cash: int  # debit minus credit of account 1000


async def account_ids(database: Database, fund_id: str, codes: set[str]) -> dict[str, int]:
    """Ids of those of `codes` the fund has."""
    ordered = sorted(codes)
    rows = await database.fetch(
        f"SELECT id, code FROM account WHERE fund_id = {{}} AND code IN "
        f"({', '.join('{}' for _ in ordered)})",
        fund_id, *ordered,
    )
    return {row["code"]: row["id"] for row in rows}


async def lock_chain_head(database: Database, fund_id: str) -> ChainHead:
    """Locks the fund's head row until commit (PostgreSQL) and reads what a posting needs."""
    row = await database.fetch_one(
        "SELECT f.last_seq, f.last_hash, f.reserved, a.balance AS cash FROM fund AS f "
        f"JOIN account AS a ON a.fund_id = f.id AND a.code = '{CASH_ACCOUNT}' "
        "WHERE f.id = {}" + database.lock_clause("f"),
        fund_id,
    )
    assert row is not None, f"fund {fund_id} has no cash account"
    return ChainHead(row["last_seq"], row["last_hash"], row["reserved"], row["cash"])


async def insert_lines(database: Database, entry_id: str, lines: Sequence[Line],
                       account_ids: Sequence[int]) -> None:
    """The lines of an entry not yet inserted; the entry must follow in this transaction."""
    arguments: list[Any] = []
    for number, (line, account_id) in enumerate(zip(lines, account_ids, strict=True), start=1):
        arguments += [entry_id, number, account_id, line.debit, line.credit, line.memo]
    await database.execute(
        "INSERT INTO journal_line (entry_id, line_no, account_id, debit, credit, memo) VALUES "
        + ", ".join("({}, {}, {}, {}, {}, {})" for _ in lines),
        *arguments,
    )


async def insert_entry(database: Database, fund_id: str, entry: Entry) -> None:
    """The entry row: the database checks it against its lines and the chain head."""
    await database.execute(
        "INSERT INTO journal_entry (id, fund_id, seq, entry_date, memo, created_by, created_at, "
        "reverses, source_kind, source_id, prev_hash, hash) "
        "VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
        entry.id, fund_id, entry.seq, entry.date, entry.memo, entry.created_by, entry.created_at,
        entry.reverses, entry.source.kind if entry.source else None,
        entry.source.id if entry.source else None, entry.prev_hash, entry.hash,
    )


_ENTRY_COLUMNS = (
    "e.pk, e.id, f.code AS fund_code, f.currency, e.seq, e.entry_date, e.memo, e.created_by, "
    "e.created_at, e.reverses, e.source_kind, e.source_id, e.prev_hash, e.hash, "
    "(SELECT r.id FROM journal_entry AS r WHERE r.reverses = e.id) AS reversed_by"
)


@dataclass(frozen=True, slots=True)
class StoredEntry:
    pk: int
    entry: Entry
    reversed_by: str | None


async def _with_lines(database: Database, rows: list[dict[str, Any]]) -> list[StoredEntry]:
    if not rows:
        return []
    placeholders = ", ".join("{}" for _ in rows)
    line_rows = await database.fetch(
        "SELECT l.entry_id, a.code, l.debit, l.credit, l.memo FROM journal_line AS l "
        f"JOIN account AS a ON a.id = l.account_id WHERE l.entry_id IN ({placeholders}) "
        "ORDER BY l.entry_id, l.line_no",
        *[row["id"] for row in rows],
    )
    lines: dict[str, list[Line]] = defaultdict(list)
    for line in line_rows:
        lines[line["entry_id"]].append(
            Line(line["code"], line["debit"], line["credit"], line["memo"])
        )
    return [StoredEntry(row["pk"], _entry(row, lines[row["id"]]), row["reversed_by"])
            for row in rows]


def _entry(row: dict[str, Any], lines: Sequence[Line]) -> Entry:
    return Entry(
        id=row["id"], fund=row["fund_code"], currency=row["currency"], seq=row["seq"],
        date=row["entry_date"], memo=row["memo"], lines=tuple(lines),
        created_by=row["created_by"], created_at=row["created_at"], reverses=row["reverses"],
        source=Source(row["source_kind"], row["source_id"]) if row["source_kind"] else None,
        prev_hash=row["prev_hash"], hash=row["hash"],
    )


async def entry_by_id(database: Database, entry_id: str) -> StoredEntry | None:
    rows = await database.fetch(
        f"SELECT {_ENTRY_COLUMNS}, e.fund_id FROM journal_entry AS e "
        "JOIN fund AS f ON f.id = e.fund_id WHERE e.id = {}",
        entry_id,
    )
    found = await _with_lines(database, rows)
    return found[0] if found else None


@dataclass(frozen=True, slots=True)
class EntryFilter:
    fund_id: str | None = None
    account_code: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    after_pk: int = 0


async def list_entries(database: Database, where: EntryFilter, limit: int) -> list[StoredEntry]:
    """Entries in posting order, after the cursor, at most `limit`."""
    conditions = ["e.pk > {}"]
    arguments: list[Any] = [where.after_pk]
    if where.fund_id is not None:
        conditions.append("e.fund_id = {}")
        arguments.append(where.fund_id)
    if where.account_code is not None:
        conditions.append(
            "EXISTS (SELECT 1 FROM journal_line AS l JOIN account AS a ON a.id = l.account_id "
            "WHERE l.entry_id = e.id AND a.code = {})"
        )
        arguments.append(where.account_code)
    if where.date_from is not None:
        conditions.append("e.entry_date >= {}")
        arguments.append(where.date_from)
    if where.date_to is not None:
        conditions.append("e.entry_date <= {}")
        arguments.append(where.date_to)
    rows = await database.fetch(
        f"SELECT {_ENTRY_COLUMNS} FROM journal_entry AS e JOIN fund AS f ON f.id = e.fund_id "
        f"WHERE {' AND '.join(conditions)} ORDER BY e.pk LIMIT {{}}",
        *arguments, limit,
    )
    return await _with_lines(database, rows)


async def entries_by_seq(database: Database, fund_id: str, first_seq: int,
                         count: int) -> list[Entry]:
    """A run of a fund's chain, for verification, in seq order."""
    rows = await database.fetch(
        f"SELECT {_ENTRY_COLUMNS} FROM journal_entry AS e JOIN fund AS f ON f.id = e.fund_id "
        "WHERE e.fund_id = {} AND e.seq >= {} ORDER BY e.seq LIMIT {}",
        fund_id, first_seq, count,
    )
    return [stored.entry for stored in await _with_lines(database, rows)]


async def balances_as_of(database: Database, fund_id: str,
                         as_of: date | None) -> list[dict[str, Any]]:
    """Every account of the fund with its debit-minus-credit balance at the end of `as_of`.

    The running balance minus the day totals after `as_of`: the work grows with the days
    after that date, not with the history before it."""
    if as_of is None:
        return await database.fetch(
            "SELECT code, name, type, balance FROM account WHERE fund_id = {} ORDER BY code",
            fund_id,
        )
    return await database.fetch(
        "SELECT a.code, a.name, a.type, a.balance - CAST(coalesce(("
        "SELECT sum(d.debit - d.credit) FROM account_day AS d "
        "WHERE d.account_id = a.id AND d.day > {}), 0) AS BIGINT) AS balance "
        "FROM account AS a WHERE a.fund_id = {} ORDER BY a.code",
        as_of, fund_id,
    )


async def recomputed_balances(database: Database, fund_id: str) -> list[dict[str, Any]]:
    """Each account's stored running balance beside the sum of its lines."""
    return await database.fetch(
        "SELECT a.code, a.balance, CAST(coalesce((SELECT sum(l.debit - l.credit) "
        "FROM journal_line AS l WHERE l.account_id = a.id), 0) AS BIGINT) AS from_lines "
        "FROM account AS a "
        "WHERE a.fund_id = {} ORDER BY a.code",
        fund_id,
    )
