"""Balance reads and trial balances must stay flat as history grows: 10k vs 1M lines."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.benchmarks.seeding import seed_fund
from tests.support import Api

SIZES = {"10k-lines": 5_000, "1M-lines": 500_000}


@pytest.fixture(scope="module")
def funds(api: Api) -> dict[str, str]:
    seeded = {}
    for label, entries in SIZES.items():
        code = api.new_fund()
        seed_fund(api.get(f"/api/funds/{code}").json()["id"], entries)
        seeded[label] = code
    return seeded


@pytest.fixture(scope="module")
def client(server: tuple[httpx.Client, int]) -> httpx.Client:
    return server[0]


@pytest.mark.parametrize("size", list(SIZES))
def test_balance_read(benchmark: Any, funds: dict[str, str], client: httpx.Client,
                      size: str) -> None:
    entries = SIZES[size]
    response = benchmark(client.get, f"/api/funds/{funds[size]}/accounts")
    balances = {item["code"]: item["balance"] for item in response.json()["items"]}
    # Half the entries bring 2.00 in, half pay 1.00 out.
    assert balances["1000"] == f"{entries // 2 * 1}.00"
    assert balances["3000"] == f"{entries // 2 * 2}.00"
    benchmark.extra_info["lines"] = entries * 2


@pytest.mark.parametrize("as_of", ["2026-11-01", "2024-06-30"], ids=["as-of-now", "as-of-2024"])
@pytest.mark.parametrize("size", list(SIZES))
def test_trial_balance(benchmark: Any, funds: dict[str, str], client: httpx.Client, size: str,
                       as_of: str) -> None:
    response = benchmark(client.get, f"/api/funds/{funds[size]}/trial-balance",
                         params={"as_of": as_of})
    report = response.json()
    assert report["total_debit"] == report["total_credit"] != "0.00"
    benchmark.extra_info["lines"] = SIZES[size] * 2
