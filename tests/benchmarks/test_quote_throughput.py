"""Quotes per second through HTTP (target 300/s): a borrower comparing offers must not
wait, and a quote stores nothing, so it needs no lock and no transaction."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.benchmarks.load import drive
from tests.conftest import PASSWORD
from tests.servers import running_servers
from tests.support import Api, unique


@pytest.fixture(scope="module")
def server(api: Api) -> Iterator[str]:
    with running_servers(1) as (url,):
        yield url


def test_quotes_per_second(benchmark: Any, api: Api, server: str) -> None:
    fund = api.new_fund()
    code = unique("weekly")
    created = api.post("/api/loan-products", {
        "code": code, "name": "Weekly market loan", "fund": fund,
        "interest_method": "declining_balance", "amortization": "equal_installments",
        "interest_period": "daily", "annual_rate_percent": "24",
        "repayment_every": {"count": 1, "unit": "week"}, "installments": 52,
        "min_amount": "1000.00", "max_amount": "20000.00"}, key=None)
    assert created.status_code == 201, created.text
    token = httpx.post(f"{server}/api/auth/token",
                       json={"username": "t-borrower", "password": PASSWORD}
                       ).json()["access_token"]
    body = {"amount": "8000.00", "disbursement_date": "2026-11-22"}

    def make(client: int, number: int) -> tuple[str, str, dict[str, str], Any]:
        return ("POST", f"/api/loan-products/{code}/quote",
                {"Authorization": f"Bearer {token}"}, body)

    runs = []
    drive([server], 4, 20, make)
    benchmark.pedantic(lambda: runs.append(drive([server], 4, 250, make)),
                       rounds=3, iterations=1)
    assert all(run.statuses == {200: 1000} for run in runs)
    best = max(run.per_second for run in runs)
    benchmark.extra_info["quotes_per_second"] = round(best)
    print(f"\n52-week quotes through HTTP, 4 clients, 1 server process: {best:.0f}/s")
