"""Group commit on either engine: many postings to one fund at once through one server
process are appended together, and each request still gets its own answer (an entry, or
the refusal of the one the cash no longer covers)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator

import pytest

from tests.integration.test_concurrency import _fire, _headers, _withdrawal, admin_token
from tests.servers import running_servers
from tests.support import Api, unique


@pytest.fixture(scope="module")
def server(api: Api) -> Iterator[str]:
    with running_servers(1) as (url,):
        yield url


def test_concurrent_postings_each_get_their_own_answer(api: Api, server: str) -> None:
    token = admin_token(server)
    fund = api.new_fund(contribution="100.00")
    keys = [unique("group") for _ in range(40)]
    requests = [(server, "/api/journal", _withdrawal(fund, "3.00", f"g{index}"),
                 _headers(token, key)) for index, key in enumerate(keys)]
    responses = asyncio.run(_fire(requests))
    # 100.00 affords 33 withdrawals of 3.00.
    assert Counter(response.status_code for response in responses) == {201: 33, 409: 7}
    posted = [response.json() for response in responses if response.status_code == 201]
    assert sorted(entry["seq"] for entry in posted) == list(range(2, 35))
    assert len({entry["id"] for entry in posted}) == 33
    assert api.balances(fund)["1000"] == "1.00"
    assert api.verify(fund)["ok"] is True
    # Each key kept its own answer: sent again, every request is replayed as it was.
    again = asyncio.run(_fire(requests))
    assert [(response.status_code, response.json().get("id")) for response in again
            if response.status_code == 201] == [
        (201, response.json()["id"]) for response in responses if response.status_code == 201]
    assert all(response.headers.get("idempotent-replayed") == "true" for response in again
               if response.status_code == 201)
    assert api.balances(fund)["1000"] == "1.00"
