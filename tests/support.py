"""Test helpers shared by the database and API tests."""

from __future__ import annotations

import asyncio
import itertools
import os
import sqlite3
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
import numpy_financial as npf
from litestar.testing import TestClient

_counter = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_counter)}-{uuid.uuid4().hex[:6]}"


def database_url() -> str:
    return os.environ["AIDLEDGER_DATABASE_URL"]


def on_postgres() -> bool:
    return database_url().startswith("postgresql://")


class Refused(Exception):
    """The database refused a raw SQL statement (either driver)."""


def raw_sql(*statements: str) -> list[list[Any]]:
    """Runs statements in one transaction on a connection of its own, as an operator with
    a SQL prompt would, bypassing the service. Raises Refused when the database says no."""
    if on_postgres():
        return asyncio.run(_postgres(statements))
    connection = sqlite3.connect(database_url().removeprefix("sqlite:///"), isolation_level=None)
    try:
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("BEGIN IMMEDIATE")
        results = [connection.execute(statement).fetchall() for statement in statements]
        connection.execute("COMMIT")
        return results
    except sqlite3.DatabaseError as error:
        connection.execute("ROLLBACK") if connection.in_transaction else None
        raise Refused(str(error)) from error
    finally:
        connection.close()


def entry_insert_sql(fund_id: str, seq: int, prev_hash: str,
                     lines: list[tuple[int, int, int]], entry_id: str | None = None) -> list[str]:
    """The SQL an operator would type to append an entry by hand, bypassing the service:
    its lines as (account id, debit, credit), then the entry. One statement on PostgreSQL,
    whose line trigger wants lines in the statement that adds their entry (migration
    0014); SQLite takes them one statement at a time, as its row triggers check them."""
    entry_id = entry_id or str(uuid.uuid4())
    rows = [f"('{entry_id}', {number}, {account}, {debit}, {credit})"
            for number, (account, debit, credit) in enumerate(lines, start=1)]
    entry = ("INSERT INTO journal_entry (id, fund_id, seq, entry_date, memo, created_by, "
             f"created_at, prev_hash, hash) VALUES ('{entry_id}', '{fund_id}', {seq}, "
             f"'2026-11-01', 'raw', 'operator', '2026-11-01 10:00:00+00:00', '{prev_hash}', "
             f"'{'a' * 64}')")
    insert_lines = "INSERT INTO journal_line (entry_id, line_no, account_id, debit, credit) VALUES "
    if on_postgres():
        return [f"WITH line AS ({insert_lines}{', '.join(rows)}) {entry}"]
    return [insert_lines + row for row in rows] + [entry]


async def _postgres(statements: tuple[str, ...]) -> list[list[Any]]:
    connection = await asyncpg.connect(database_url())
    try:
        async with connection.transaction():
            return [[tuple(row) for row in await connection.fetch(statement)]
                    for statement in statements]
    except asyncpg.PostgresError as error:
        raise Refused(str(error)) from error
    finally:
        await connection.close()


def as_database_owner(*statements: str) -> None:
    """Runs statements with every trigger out of the way, as the database's owner could."""
    if on_postgres():
        raw_sql("SET LOCAL session_replication_role = replica", *statements)
        return
    triggers = [row[0] for row in raw_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger'")[0]]
    names = [row[0] for row in raw_sql(
        "SELECT name FROM sqlite_master WHERE type = 'trigger'")[0]]
    raw_sql(*[f"DROP TRIGGER {name}" for name in names], *statements, *triggers)


class ClockAt:
    """A clock a test sets and moves, so that no test waits for real time to pass."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment

    def today(self) -> date:
        return self.moment.date()

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


@dataclass
class Api:
    """The HTTP API as each role sees it. Money-moving POSTs get a fresh Idempotency-Key
    unless the test gives one (or `key=None` to send none)."""

    client: TestClient[Any]
    tokens: dict[str, str]
    people: dict[str, str] = field(default_factory=dict)

    def call(self, method: str, path: str, *, role: str | None = "admin",
             json: Any = None, params: dict[str, Any] | None = None,
             key: str | bool | None = True, headers: dict[str, str] | None = None,
             content: bytes | None = None) -> httpx.Response:
        sent = dict(headers or {})
        if role is not None:
            sent["Authorization"] = f"Bearer {self.tokens[role]}"
        if key is True:
            sent["Idempotency-Key"] = unique("key")
        elif isinstance(key, str):
            sent["Idempotency-Key"] = key
        response = self.client.request(method, path, json=json, params=params, headers=sent,
                                       content=content)
        assert response.status_code < 500, response.text
        return response

    def get(self, path: str, **options: Any) -> httpx.Response:
        return self.call("GET", path, **options)

    def post(self, path: str, json: Any = None, **options: Any) -> httpx.Response:
        return self.call("POST", path, json=json, **options)

    def every(self, path: str, role: str = "admin") -> list[dict[str, Any]]:
        """Every item of a list, page after page."""
        items: list[dict[str, Any]] = []
        params: dict[str, Any] = {"limit": 500}
        while True:
            page = self.get(path, role=role, params=params)
            assert page.status_code == 200, page.text
            items += page.json()["items"]
            if page.json()["next_cursor"] is None:
                return items
            params["cursor"] = page.json()["next_cursor"]

    def new_fund(self, currency: str = "HKD", contribution: str | None = None) -> str:
        code = unique("fund")
        created = self.post("/api/funds", {"code": code, "name": f"Fund {code}",
                                           "currency": currency})
        assert created.status_code == 201, created.text
        if contribution is not None:
            contributed = self.post(f"/api/funds/{code}/contributions",
                                    {"amount": contribution, "donor": "Test donor"})
            assert contributed.status_code == 201, contributed.text
        return code

    def balances(self, fund: str) -> dict[str, str]:
        response = self.get(f"/api/funds/{fund}/accounts")
        assert response.status_code == 200, response.text
        return {item["code"]: item["balance"] for item in response.json()["items"]}

    def verify(self, fund: str) -> dict[str, Any]:
        response = self.get("/api/audit/verify", params={"fund": fund}, role="auditor")
        assert response.status_code == 200, response.text
        return response.json()

    def entry(self, fund: str, lines: list[tuple[str, str, str]], *, date: str | None = None,
              memo: str = "Test entry", **options: Any) -> httpx.Response:
        """lines: (account, "debit" | "credit", amount)."""
        body = {"fund": fund, "date": date or today(), "memo": memo,
                "lines": [{"account": account, side: amount} for account, side, amount in lines]}
        return self.post("/api/journal", body, **options)


def today() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).date().isoformat()


def assert_problem(response: httpx.Response, status: int, field: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith("urn:aidledger:problem:")
    assert body["title"] and body["detail"]
    if field is not None:
        fields = [error["field"] for error in body["errors"]]
        assert field in fields, f"{field!r} not named in {fields}: {body}"


def irr_apr(principal: int, payments: list[int], idle_periods: int,
             periods_per_year: int) -> tuple[Decimal, Decimal]:
    """The APR and effective rate numpy-financial's IRR gives for payments that start after
    `idle_periods` periods without one."""
    periodic = Decimal(str(npf.irr([-principal, *[0] * idle_periods, *payments])))
    apr = (periodic * periods_per_year * 100).quantize(Decimal("0.01"))
    effective = (((1 + periodic) ** periods_per_year - 1) * 100).quantize(Decimal("0.01"))
    return apr, effective
