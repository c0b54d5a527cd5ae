"""Repayments posted per second through HTTP from 8 clients across many loans (target on
PostgreSQL: 300/s). All loans are in one fund, so every repayment also queues on that
fund's chain head: the hardest case for the ledger."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.api.test_loans import _day, _setup
from tests.benchmarks.load import drive
from tests.benchmarks.seeding import disbursed_loans
from tests.conftest import PASSWORD
from tests.servers import running_servers
from tests.support import Api, on_postgres

LOANS = 40
_keys = itertools.count()


@pytest.fixture(scope="module")
def servers(api: Api) -> Iterator[list[str]]:
    with running_servers(2) as urls:
        yield urls


def test_repayments_per_second(benchmark: Any, api: Api, servers: list[str]) -> None:
    setup = _setup(api, cash="500000.00")
    loans = disbursed_loans(api, setup, LOANS)
    token = httpx.post(f"{servers[0]}/api/auth/token", json={
        "username": "t-admin", "password": PASSWORD}).json()["access_token"]
    body = {"amount": "1.00", "date": _day(1)}

    def make(client: int, number: int) -> tuple[str, str, dict[str, str], Any]:
        loan = loans[(client + 8 * number) % LOANS]
        return ("POST", f"/api/loans/{loan}/repayments",
                {"Authorization": f"Bearer {token}", "Idempotency-Key": f"r{next(_keys)}"},
                body)

    drive(servers, 8, 5, make)
    runs = []
    benchmark.pedantic(lambda: runs.append(drive(servers, 8, 100, make)),
                       rounds=3, iterations=1)
    assert all(run.statuses == {201: 800} for run in runs)
    best = max(run.per_second for run in runs)
    benchmark.extra_info["repayments_per_second"] = round(best)
    benchmark.extra_info["engine"] = "postgresql" if on_postgres() else "sqlite"
    print(f"\n8 clients, {LOANS} loans, 2 server processes: {best:.0f} repayments/s")
    assert api.verify(setup["fund"])["ok"] is True
