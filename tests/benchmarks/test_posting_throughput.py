"""Journal entries posted per second through HTTP: one client, then 8 concurrent clients,
all into one fund (the hardest case: every posting queues on that fund's chain head)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.benchmarks.load import drive
from tests.conftest import PASSWORD
from tests.servers import running_servers
from tests.support import Api, on_postgres, today

_keys = itertools.count()


@pytest.fixture(scope="module", params=[1, 2], ids=["1-worker", "2-workers"])
def servers(api: Api, request: pytest.FixtureRequest) -> Iterator[list[str]]:
    with running_servers(request.param) as urls:
        yield urls


def _token(url: str) -> str:
    response = httpx.post(f"{url}/api/auth/token",
                          json={"username": "t-admin", "password": PASSWORD})
    token: str = response.json()["access_token"]
    return token


def _entry_maker(token: str, fund: str) -> Any:
    body = {"fund": fund, "date": today(), "memo": "benchmark",
            "lines": [{"account": "5000", "debit": "1.00"}, {"account": "1000", "credit": "1.00"}]}

    def make(client: int, number: int) -> tuple[str, str, dict[str, str], Any]:
        return ("POST", "/api/journal",
                {"Authorization": f"Bearer {token}", "Idempotency-Key": f"b{next(_keys)}"}, body)

    return make


@pytest.mark.parametrize("clients", [1, 8])
def test_entries_per_second(benchmark: Any, api: Api, servers: list[str], clients: int) -> None:
    fund = api.new_fund(contribution="10000000.00")
    make = _entry_maker(_token(servers[0]), fund)
    per_client = 2000 // clients
    drive(servers, clients, 20, make)  # warm up connections and caches

    runs = []

    def post_batch() -> None:
        runs.append(drive(servers, clients, per_client, make))

    benchmark.pedantic(post_batch, rounds=3, iterations=1)
    assert all(run.statuses == {201: clients * per_client} for run in runs)
    best = max(run.per_second for run in runs)
    benchmark.extra_info["entries_per_second"] = round(best)
    # Every round, in order: a rate that falls round after round means some query's
    # cost grows with history.
    benchmark.extra_info["rounds"] = [round(run.per_second) for run in runs]
    benchmark.extra_info["engine"] = "postgresql" if on_postgres() else "sqlite"
    print(f"\n{clients} client(s), {len(servers)} server process(es): {best:.0f} entries/s "
          f"(rounds: {benchmark.extra_info['rounds']})")
    assert api.verify(fund)["ok"] is True
