"""Several server processes writing one PostgreSQL fund at once (DESIGN.md invariant 5)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from typing import Any

import asyncpg
import httpx
import pytest

from tests.conftest import PASSWORD
from tests.servers import running_servers
from tests.support import Api, database_url, today, unique

pytestmark = pytest.mark.postgres_only


@pytest.fixture(scope="module")
def servers(api: Api) -> Iterator[list[str]]:
    with running_servers(2) as urls:
        yield urls


def admin_token(url: str) -> str:
    token: str = httpx.post(f"{url}/api/auth/token", json={
        "username": "t-admin", "password": PASSWORD}).json()["access_token"]
    return token


def _headers(token: str, key: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    if key:
        headers["Idempotency-Key"] = key
    return headers


async def _fire(requests: list[tuple[str, str, dict[str, Any], dict[str, str]]]
                ) -> list[httpx.Response]:
    """All requests at once, each on its own connection, spread over the servers."""
    limits = httpx.Limits(max_connections=len(requests))
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        return await asyncio.gather(*[client.post(f"{url}{path}", json=body, headers=headers)
                                      for url, path, body, headers in requests])


def _withdrawal(fund: str, amount: str, memo: str) -> dict[str, Any]:
    return {"fund": fund, "date": today(), "memo": memo,
            "lines": [{"account": "5000", "debit": amount}, {"account": "1000", "credit": amount}]}


def test_200_concurrent_withdrawals_never_overdraw_and_keep_the_chain(
        api: Api, servers: list[str]) -> None:
    token = admin_token(servers[0])
    fund = api.new_fund(contribution="1000.00")
    requests = [(servers[index % 2], "/api/journal", _withdrawal(fund, "7.00", f"w{index}"),
                 _headers(token, unique("w"))) for index in range(200)]
    responses = asyncio.run(_fire(requests))
    statuses = Counter(response.status_code for response in responses)
    # 1000.00 affords 142 withdrawals of 7.00; every other one is refused, none fails.
    assert statuses == {201: 142, 409: 58}
    assert api.balances(fund)["1000"] == "6.00"
    assert api.balances(fund)["5000"] == "994.00"
    seqs = sorted(response.json()["seq"] for response in responses if response.status_code == 201)
    assert seqs == list(range(2, 144))
    report = api.verify(fund)
    assert report["ok"] is True and report["entries_checked"] == 143


def test_one_idempotency_key_sent_concurrently_makes_exactly_one_entry(
        api: Api, servers: list[str]) -> None:
    token = admin_token(servers[1])
    fund = api.new_fund(contribution="100.00")
    key = unique("same")
    body = _withdrawal(fund, "10.00", "one payment, many retries")
    responses = asyncio.run(_fire([(servers[index % 2], "/api/journal", body,
                                    _headers(token, key)) for index in range(30)]))
    assert {response.status_code for response in responses} == {201}
    assert len({response.json()["id"] for response in responses}) == 1
    assert sum(1 for r in responses if "idempotent-replayed" not in r.headers) >= 1
    assert api.balances(fund)["1000"] == "90.00"
    entries = api.get("/api/journal", params={"fund": fund}).json()["items"]
    assert len(entries) == 2
    assert api.verify(fund)["ok"] is True


def test_concurrent_reversals_of_one_entry_reverse_it_once(api: Api, servers: list[str]) -> None:
    token = admin_token(servers[0])
    fund = api.new_fund(contribution="100.00")
    entry = api.entry(fund, [("5000", "debit", "25"), ("1000", "credit", "25")]).json()
    responses = asyncio.run(_fire([
        (servers[index % 2], f"/api/journal/{entry['id']}/reversal", {}, _headers(token,
                                                                             unique("r")))
        for index in range(10)]))
    assert Counter(response.status_code for response in responses) == {201: 1, 409: 9}
    assert api.balances(fund)["1000"] == "100.00"
    assert api.verify(fund)["ok"] is True


def test_concurrent_postings_are_appended_together(api: Api, servers: list[str]) -> None:
    """Group commit: postings that arrive while a process is appending to the fund go in
    together, one transaction for many (entries of one transaction share its xmin)."""
    from tests.support import raw_sql

    token = admin_token(servers[0])
    fund = api.new_fund(contribution="1000.00")
    requests = [(servers[index % 2], "/api/journal", _withdrawal(fund, "1.00", f"g{index}"),
                 _headers(token, unique("g"))) for index in range(60)]
    responses = asyncio.run(_fire(requests))
    assert Counter(response.status_code for response in responses) == {201: 60}
    assert sorted(response.json()["seq"] for response in responses) == list(range(2, 62))
    # Each answer is its own entry, as the books hold it.
    for response in responses[:5]:
        assert api.get(f"/api/journal/{response.json()['id']}").json() == response.json()
    (transactions,), = raw_sql(
        "SELECT count(DISTINCT e.xmin::text) FROM journal_entry AS e JOIN fund AS f "
        f"ON f.id = e.fund_id WHERE f.code = '{fund}' AND e.seq > 1")[0]
    assert transactions < 60
    assert api.balances(fund)["1000"] == "940.00"
    assert api.verify(fund) == {"ok": True, "entries_checked": 61,
                                "head": {"seq": 61, "hash": api.get(
                                    "/api/journal", params={"fund": fund, "limit": 100}
                                ).json()["items"][-1]["hash"]}, "first_bad": None}


def test_postings_that_wait_for_a_head_another_process_holds_go_in_together(
        api: Api, servers: list[str]) -> None:
    """Once a process has seen another move a fund's head, it takes the head's lock
    before it chains, and every posting that queued while it waited goes in with the
    group (one statement, one moment of creation) rather than in a group of its own."""
    first, second = servers
    token = admin_token(first)
    fund = api.new_fund(contribution="100.00")
    for url in (first, second, first):  # the third meets the head the second moved
        (posted,) = asyncio.run(_fire([(url, "/api/journal", _withdrawal(fund, "1.00", "w"),
                                        _headers(token, unique("w")))]))
        assert posted.status_code == 201, posted.text

    async def while_the_head_is_held() -> list[httpx.Response]:
        holder = await asyncpg.connect(database_url())
        try:
            async with holder.transaction():
                await holder.execute("SELECT 1 FROM fund WHERE code = $1 FOR UPDATE", fund)
                postings = asyncio.ensure_future(_fire([
                    (first, "/api/journal", _withdrawal(fund, "2.00", f"held{index}"),
                     _headers(token, unique("held"))) for index in range(20)]))
                await asyncio.sleep(1.0)  # every one has queued behind the lock meanwhile
                assert not postings.done()
            return await postings
        finally:
            await holder.close()

    responses = asyncio.run(while_the_head_is_held())
    assert [response.status_code for response in responses] == [201] * 20
    assert len({response.json()["created_at"] for response in responses}) == 1
    assert sorted(response.json()["seq"] for response in responses) == list(range(5, 25))
    assert api.balances(fund)["1000"] == "57.00"
    assert api.verify(fund)["ok"] is True
