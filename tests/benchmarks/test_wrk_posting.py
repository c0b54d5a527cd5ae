"""Journal entries per second through HTTP, driven by an external load generator (wrk,
Debian package `wrk`, with tests/benchmarks/wrk/post-entry.lua for unique keys), on the
peers' workload, beside django-hordak's rate measured in the same run by
../shared/peers/run.sh (`AIDLEDGER_PEERS` names another folder). PostgreSQL only: the
targets are ratios against hordak on PostgreSQL."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.benchmarks.seeding import add_recipients
from tests.conftest import PASSWORD
from tests.servers import running_servers
from tests.support import Api, on_postgres, today

pytestmark = pytest.mark.postgres_only

SCRIPT = Path(__file__).parent / "wrk" / "post-entry.lua"
PEERS = Path(os.environ.get("AIDLEDGER_PEERS", Path(__file__).parents[3] / "shared" / "peers"))
SECONDS = 15


@pytest.fixture(scope="module")
def hordak(tmp_path_factory: pytest.TempPathFactory) -> float:
    """django-hordak's entries/s on the peers' workload (5,000 transfers, one run)."""
    results = tmp_path_factory.mktemp("peers")
    subprocess.run(["bash", str(PEERS / "run.sh"), "hordak", "5000", "1"], check=True,
                   timeout=900, capture_output=True,
                   env={**os.environ, "PEERS_RESULTS_DIR": str(results)})
    (result,) = results.glob("*hordak*.json")
    figures = json.loads(result.read_text())
    rate: float = figures["entries_per_sec"]
    return rate


@pytest.fixture(scope="module")
def fund(api: Api) -> str:
    code = api.new_fund(contribution="100000000.00")
    add_recipients(api, code)
    return code


def _wrk(url: str, fund: str, connections: int) -> subprocess.Popen[str]:
    token = httpx.post(f"{url}/api/auth/token", json={
        "username": "t-admin", "password": PASSWORD}).json()["access_token"]
    return subprocess.Popen(
        ["wrk", f"-t{min(connections, 2)}", f"-c{connections}", f"-d{SECONDS}s",
         "-s", str(SCRIPT), url], stdout=subprocess.PIPE, text=True,
        env={**os.environ, "AIDLEDGER_WRK_TOKEN": token, "AIDLEDGER_WRK_FUND": fund,
             "AIDLEDGER_WRK_DATE": today(), "AIDLEDGER_WRK_RUN": uuid.uuid4().hex[:8]})


def _rate(process: subprocess.Popen[str]) -> float:
    output, _ = process.communicate(timeout=SECONDS + 60)
    assert "Non-2xx" not in output, output  # every posting was a 201
    found = re.search(r"Requests/sec:\s+([\d.]+)", output)
    assert found is not None, output
    return float(found.group(1))


def _rate_on(processes: int, fund: str, connections: int = 8) -> float:
    """Entries/s from `connections` wrk connections shared out over fresh processes."""
    with running_servers(processes) as servers:
        share = connections // len(servers)  # 2 processes: 4 connections each
        return sum(_rate(process) for process in [_wrk(url, fund, share) for url in servers])


ALTERNATING_ROUNDS = 3


def test_two_processes_against_one_in_alternating_rounds(benchmark: Any, api: Api,
                                                         fund: str) -> None:
    """The 2-process target as a ratio within each round, one process then two, so that
    this machine's drift (20-40 % within minutes) falls on both sides alike."""
    assert on_postgres() and shutil.which("wrk"), "needs PostgreSQL and wrk (apt-get install wrk)"
    rounds: list[tuple[float, float]] = []

    def run() -> None:
        for _ in range(ALTERNATING_ROUNDS):
            rounds.append((_rate_on(1, fund), _rate_on(2, fund)))

    benchmark.pedantic(run, rounds=1, iterations=1)
    ratios = sorted(two / one for one, two in rounds)
    benchmark.extra_info.update(rounds=[[round(one), round(two)] for one, two in rounds],
                                median_ratio=round(ratios[len(ratios) // 2], 2))
    print("\nwrk, 8 connections, 1 process then 2, per round: " + "; ".join(
        f"{one:.0f} then {two:.0f} ({two / one:.2f})" for one, two in rounds)
        + f"; median ratio {ratios[len(ratios) // 2]:.2f}")
    assert api.verify(fund)["ok"] is True


@pytest.mark.parametrize(("processes", "connections"), [(1, 1), (1, 8), (2, 8)],
                         ids=["1-process-1-connection", "1-process-8-connections",
                              "2-processes-8-connections"])
def test_entries_per_second_under_wrk(benchmark: Any, api: Api, fund: str, hordak: float,
                                      processes: int, connections: int) -> None:
    assert on_postgres() and shutil.which("wrk"), "needs PostgreSQL and wrk (apt-get install wrk)"
    rates: list[float] = []
    benchmark.pedantic(lambda: rates.append(_rate_on(processes, fund, connections)),
                       rounds=1, iterations=1)
    benchmark.extra_info.update(entries_per_second=round(rates[0]), hordak=round(hordak),
                                ratio=round(rates[0] / hordak, 2), processes=processes,
                                connections=connections)
    print(f"\nwrk, {connections} connection(s), {processes} process(es): {rates[0]:.0f} "
          f"entries/s; django-hordak {hordak:.0f}/s in this run: {rates[0] / hordak:.2f}x")
    assert api.verify(fund)["ok"] is True
