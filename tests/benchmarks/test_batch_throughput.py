"""Batches through HTTP, one server process, one fund: journal entries per second in
batches of 100 and 1,000 (the peers' workload: cash to one of 1,000 recipient accounts, a
random amount from 1.00 to 500.00), and repayments per second in batches of 1,000 spread
over many loans. Rates are given per round, so one that falls as the fund's history
grows shows."""

from __future__ import annotations

import itertools
import random
import time
from typing import Any

import httpx
import pytest

from tests.api.test_loans import _day, _setup
from tests.benchmarks.seeding import RECIPIENTS, add_recipients, disbursed_loans
from tests.support import Api, on_postgres, today

LOANS = 100
_keys = itertools.count()


@pytest.fixture(scope="module")
def recipients_fund(api: Api) -> str:
    fund = api.new_fund(contribution="100000000.00")
    add_recipients(api, fund)
    return fund


def entries(fund: str, count: int, draw: random.Random) -> list[dict[str, Any]]:
    """`count` entries of the peers' workload, each with a key of its own."""
    made = []
    for _ in range(count):
        cents = draw.randint(100, 50000)
        amount = f"{cents // 100}.{cents % 100:02d}"
        made.append({"idempotency_key": f"batch-{next(_keys)}", "fund": fund,
                     "date": today(), "memo": "transfer",
                     "lines": [{"account": f"6{draw.randrange(RECIPIENTS):03d}",
                                "debit": amount},
                               {"account": "1000", "credit": amount}]})
    return made


def _record(benchmark: Any, name: str, rates: list[float]) -> None:
    """The best round's rate, and every round's in order (one falling shows history)."""
    benchmark.extra_info[name] = round(max(rates))
    benchmark.extra_info["rounds"] = [round(rate) for rate in rates]
    benchmark.extra_info["engine"] = "postgresql" if on_postgres() else "sqlite"


def post(admin: httpx.Client, path: str, body: dict[str, Any], items: int) -> float:
    started = time.perf_counter()
    response = admin.post(path, json=body)
    elapsed = time.perf_counter() - started
    assert response.status_code == 201, response.text[:500]
    assert len(response.json()["results"]) == items
    return elapsed


def repayments_per_second(admin: httpx.Client, fund: str, loans: list[str]) -> float:
    """Three batches of 1,000 small repayments spread over the loans."""
    elapsed = 0.0
    for _ in range(3):
        elapsed += post(admin, "/api/loans/repayments/batch", {
            "mode": "atomic", "fund": fund, "repayments": [
                {"idempotency_key": f"repayment-{next(_keys)}", "loan": loans[number % len(loans)],
                 "amount": "0.10", "date": _day(1), "reference": f"SETTLE-{number}"}
                for number in range(1000)]}, 1000)
    return 3000 / elapsed


@pytest.mark.parametrize("size", [100, 1000])
def test_journal_entries_per_second_in_batches(benchmark: Any, api: Api, admin: httpx.Client,
                                               recipients_fund: str, size: int) -> None:
    draw = random.Random(20240601)
    per_round = 10_000
    post(admin, "/api/journal/batch", {"mode": "atomic",
                                       "entries": entries(recipients_fund, size, draw)}, size)
    rates: list[float] = []

    def one_round() -> None:
        elapsed = 0.0
        for _ in range(per_round // size):
            elapsed += post(admin, "/api/journal/batch", {
                "mode": "atomic", "entries": entries(recipients_fund, size, draw)}, size)
        rates.append(per_round / elapsed)

    benchmark.pedantic(one_round, rounds=3, iterations=1)
    _record(benchmark, "entries_per_second", rates)
    print(f"\nbatches of {size}: {max(rates):.0f} entries/s (rounds: "
          f"{benchmark.extra_info['rounds']}; the time to build the bodies not counted)")
    assert api.verify(recipients_fund)["ok"] is True


def test_repayments_per_second_in_batches(benchmark: Any, api: Api,
                                          admin: httpx.Client) -> None:
    setup = _setup(api, cash="5000000.00")
    loans = disbursed_loans(api, setup, LOANS)
    rates: list[float] = []

    def one_round() -> None:
        rates.append(repayments_per_second(admin, setup["fund"], loans))

    benchmark.pedantic(one_round, rounds=2, iterations=1)
    _record(benchmark, "repayments_per_second", rates)
    print(f"\nrepayments in batches of 1,000 over {LOANS} loans: {max(rates):.0f}/s "
          f"(rounds: {benchmark.extra_info['rounds']})")
    assert api.verify(setup["fund"])["ok"] is True
