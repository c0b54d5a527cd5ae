"""Repayments posted per second through HTTP from 8 clients across many loans (target on
PostgreSQL: 300/s). All loans are in one fund, so every repayment also queues on that
fund's chain head: the hardest case for the ledger."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.api.test_loans import DISBURSED, _apply, _day, _setup
from tests.benchmarks.load import drive
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
    loans = []
    for number in range(LOANS):
        # One borrower per loan: the policy allows one running loan at a time.
        person = api.post("/api/people", {"full_name": f"Borrower {number}",
                                          "preferred_language": "tl",
                                          "date_of_birth": "1990-01-01"}).json()["id"]
        for course, on in (("budgeting-basics", "2025-06-01"),
                           ("avoiding-debt-traps", "2025-07-01")):
            api.post(f"/api/people/{person}/course-completions",
                     {"course": course, "completed_on": on, "score": 90}, key=None)
        loan = _apply(api, {**setup, "person": person}).json()["id"]
        assert api.post(f"/api/loans/{loan}/approvals", {}, key=None,
                        role="admin2").status_code == 200
        assert api.post(f"/api/loans/{loan}/disbursement",
                        {"date": DISBURSED.isoformat()}).status_code == 200
        loans.append(loan)
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
