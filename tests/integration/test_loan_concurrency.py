"""Loans under concurrency: two server processes on one PostgreSQL database."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.api.test_loans import DISBURSED, _apply, _approved, _day, _setup
from tests.conftest import PASSWORD
from tests.servers import running_servers
from tests.support import Api, unique

pytestmark = pytest.mark.postgres_only


@pytest.fixture(scope="module")
def servers(api: Api) -> Iterator[list[str]]:
    with running_servers(2) as urls:
        yield urls


def _token(url: str, username: str) -> str:
    token: str = httpx.post(f"{url}/api/auth/token", json={
        "username": username, "password": PASSWORD}).json()["access_token"]
    return token


async def _fire(requests: list[tuple[str, str, dict[str, Any], str]]) -> list[httpx.Response]:
    async with httpx.AsyncClient(timeout=60,
                                 limits=httpx.Limits(max_connections=len(requests))) as client:
        return await asyncio.gather(*[
            client.post(url + path, json=body, headers={"Authorization": f"Bearer {token}",
                                                        "Idempotency-Key": unique("k")})
            for url, path, body, token in requests])


def test_two_admins_disbursing_at_once_make_one_entry(api: Api, servers: list[str]) -> None:
    setup = _setup(api)
    loan = _approved(api, setup)
    tokens = [_token(servers[0], "t-admin"), _token(servers[1], "t-admin2")]
    responses = asyncio.run(_fire([
        (servers[index % 2], f"/api/loans/{loan}/disbursement",
         {"date": DISBURSED.isoformat()}, tokens[index % 2]) for index in range(6)]))
    assert Counter(response.status_code for response in responses) == {200: 1, 409: 5}
    entries = api.get("/api/journal", params={"fund": setup["fund"], "account": "1100"}).json()
    assert len(entries["items"]) == 1
    assert api.balances(setup["fund"])["1100"] == "3000.00"
    assert api.verify(setup["fund"])["ok"] is True


def test_concurrent_repayments_all_count(api: Api, servers: list[str]) -> None:
    setup = _setup(api)
    loan = _approved(api, setup)
    api.post(f"/api/loans/{loan}/disbursement", {"date": DISBURSED.isoformat()})
    token = _token(servers[0], "t-admin")
    responses = asyncio.run(_fire([
        (servers[index % 2], f"/api/loans/{loan}/repayments",
         {"amount": "100.00", "date": _day(1)}, token) for index in range(12)]))
    assert {response.status_code for response in responses} == {201}
    allocated = sum(
        sum(int(value.replace(".", "")) for value in response.json()["allocation"].values())
        for response in responses)
    assert allocated == 12 * 10000
    principal = sum(int(r.json()["allocation"]["principal"].replace(".", "")) for r in responses)
    interest = sum(int(r.json()["allocation"]["interest"].replace(".", "")) for r in responses)
    balances = api.balances(setup["fund"])
    assert balances["1100"] == f"{(300000 - principal) // 100}.{(300000 - principal) % 100:02d}"
    assert balances["4000"] == f"{interest // 100}.{interest % 100:02d}"
    # Instalment by instalment: 30.00 + 1,000.00 for the first, then 30.00 interest and
    # 140.00 principal of the second, whatever order the twelve arrived in.
    assert (interest, principal) == (6000, 114000)
    loan_now = api.get(f"/api/loans/{loan}").json()
    assert loan_now["outstanding"]["principal"] == "1860.00"
    assert api.verify(setup["fund"])["ok"] is True


def test_approvals_beyond_the_cash_reserve_only_what_fits(api: Api,
                                                          servers: list[str]) -> None:
    setup = _setup(api, cash="10000.00")
    loans = [_apply(api, setup, amount="3000.00").json()["id"] for _ in range(6)]
    token = _token(servers[1], "t-admin2")
    responses = asyncio.run(_fire([
        (servers[index % 2], f"/api/loans/{loan}/approvals", {}, token)
        for index, loan in enumerate(loans)]))
    assert Counter(response.status_code for response in responses) == {200: 3, 409: 3}
    statuses = Counter(api.get(f"/api/loans/{loan}").json()["status"] for loan in loans)
    assert statuses == {"approved": 3, "pending_approval": 3}
    # 9,000.00 reserved of 10,000.00: a payment of 1,000.01 would break the promise.
    assert api.entry(setup["fund"], [("5000", "debit", "1000.01"),
                                     ("1000", "credit", "1000.01")]).status_code == 409
