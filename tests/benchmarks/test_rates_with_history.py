"""Do posting rates stay flat as a fund's history grows? The peers' workload (cash to one
of 1,000 recipients) on a fund with no history, then on one with a million lines
(seeded fast by tests/benchmarks/seeding.py), through one server process: entries per
second in batches of 1,000 (POST /api/journal/batch) and one at a time from one
connection (POST /api/journal); and repayments per second in batches of 1,000 over 100
loans, before and after a million lines are added to their fund."""

from __future__ import annotations

import random
import time
from typing import Any

import httpx

from tests.api.test_loans import _setup
from tests.benchmarks.seeding import add_recipients, disbursed_loans, seed_fund
from tests.benchmarks.test_batch_throughput import LOANS, entries, post, repayments_per_second
from tests.support import Api, on_postgres, raw_sql

HISTORY = 500_000  # entries of two lines: a million lines
BATCHES = 10  # of 1,000 entries
SINGLES = 1000


def _rates(admin: httpx.Client, fund: str, draw: random.Random) -> tuple[float, float]:
    """(entries/s in batches of 1,000, entries/s one at a time)."""
    elapsed = sum(post(admin, "/api/journal/batch",
                       {"mode": "atomic", "entries": entries(fund, 1000, draw)}, 1000)
                  for _ in range(BATCHES))
    singles = entries(fund, SINGLES, draw)
    started = time.perf_counter()
    for item in singles:
        key = item.pop("idempotency_key")
        response = admin.post("/api/journal", json=item, headers={"Idempotency-Key": key})
        assert response.status_code == 201, response.text
    return BATCHES * 1000 / elapsed, SINGLES / (time.perf_counter() - started)


def _fund_with_history(api: Api) -> str:
    fund = api.new_fund()
    seed_fund(api.get(f"/api/funds/{fund}").json()["id"], HISTORY)
    # The seeded history leaves 250,000.00 in cash; the workload spends more than that.
    contributed = api.post(f"/api/funds/{fund}/contributions",
                           {"amount": "100000000.00", "donor": "Bench"})
    assert contributed.status_code == 201, contributed.text
    add_recipients(api, fund)
    return fund


def test_posting_rates_before_and_after_a_million_lines(benchmark: Any, api: Api,
                                                        admin: httpx.Client) -> None:
    draw = random.Random(20241203)
    fresh = api.new_fund(contribution="100000000.00")
    add_recipients(api, fresh)
    figures: dict[str, float] = {}

    def measure() -> None:
        figures["batch_fresh"], figures["single_fresh"] = _rates(admin, fresh, draw)
        long = _fund_with_history(api)
        figures["batch_after_1m_lines"], figures["single_after_1m_lines"] = _rates(
            admin, long, draw)
        (((last_seq,),),) = raw_sql(f"SELECT last_seq FROM fund WHERE code = '{long}'")
        assert last_seq == HISTORY + 1 + BATCHES * 1000 + SINGLES

        loan_fund = _setup(api, cash="5000000.00")
        loans = disbursed_loans(api, loan_fund, LOANS)
        fund_id = api.get(f"/api/funds/{loan_fund['fund']}").json()["id"]
        figures["repayments_fresh"] = repayments_per_second(admin, loan_fund["fund"], loans)
        seed_fund(fund_id, HISTORY)
        figures["repayments_after_1m_lines"] = repayments_per_second(
            admin, loan_fund["fund"], loans)

    benchmark.pedantic(measure, rounds=1, iterations=1)
    benchmark.extra_info.update({name: round(rate) for name, rate in figures.items()})
    benchmark.extra_info["engine"] = "postgresql" if on_postgres() else "sqlite"
    for kind in ("batch", "single", "repayments"):
        ratio = figures[f"{kind}_after_1m_lines"] / figures[f"{kind}_fresh"]
        benchmark.extra_info[f"{kind}_ratio"] = round(ratio, 2)
        print(f"\n{kind}: {figures[f'{kind}_fresh']:.0f}/s before a million lines, "
              f"{figures[f'{kind}_after_1m_lines']:.0f}/s after ({ratio:.2f})")
    # The repayments after the history are the loans' second 3,000 (10 more each per
    # batch): a loan's own history grows too, not only its fund's.
