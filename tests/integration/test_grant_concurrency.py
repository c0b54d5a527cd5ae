"""Grant budget and per-person cap under concurrency (PostgreSQL, two server processes)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from tests.api.test_grants import _apply, _person, _program
from tests.conftest import PASSWORD
from tests.servers import running_servers
from tests.support import Api, unique

pytestmark = pytest.mark.postgres_only


@pytest.fixture(scope="module")
def servers(api: Api) -> Iterator[list[str]]:
    with running_servers(2) as urls:
        yield urls


async def _approve_all(servers: list[str], token: str, grants: list[str]) -> list[int]:
    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(
            max_connections=len(grants))) as client:
        responses = await asyncio.gather(*[
            client.post(f"{servers[index % 2]}/api/grants/{grant}/approvals", json={},
                        headers={"Authorization": f"Bearer {token}",
                                 "Idempotency-Key": unique("a")})
            for index, grant in enumerate(grants)])
    return [response.status_code for response in responses]


def _token(url: str) -> str:
    token: str = httpx.post(f"{url}/api/auth/token", json={
        "username": "t-admin2", "password": PASSWORD}).json()["access_token"]
    return token


def test_100_concurrent_approvals_never_commit_past_the_budget(api: Api,
                                                               servers: list[str]) -> None:
    fund = api.new_fund(contribution="100000.00")
    program = _program(api, fund, budget="10000.00", max_per_person="5000.00")
    grants = [_apply(api, _person(api), program, amount="350.00").json()["id"]
              for _ in range(100)]
    statuses = Counter(asyncio.run(_approve_all(servers, _token(servers[0]), grants)))
    assert statuses == {200: 28, 409: 72}  # 28 x 350.00 = 9,800.00 of 10,000.00
    listed = next(item for item in api.every("/api/grant-programs")
                  if item["code"] == program)
    assert (listed["committed"], listed["remaining"]) == ("9800.00", "200.00")


def test_the_cap_holds_when_approval_and_new_applications_race(
        api: Api, servers: list[str]) -> None:
    """One pending application per person and programme means two grants of one person
    can never await approval together; the race left is an approval meeting new
    applications. Whatever the interleaving, what is approved stays within the cap."""
    fund = api.new_fund(contribution="100000.00")
    program = _program(api, fund, budget=None, max_per_person="5000.00")
    person = _person(api)
    first = _apply(api, person, program, amount="3000.00").json()["id"]
    token = _token(servers[1])

    async def race() -> list[httpx.Response]:
        async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=11)) as c:
            headers = {"Authorization": f"Bearer {token}"}
            approval = c.post(f"{servers[0]}/api/grants/{first}/approvals", json={},
                              headers=headers)
            applications = [c.post(f"{servers[index % 2]}/api/grants", headers={
                **headers, "Authorization": f"Bearer {api.tokens['admin']}"}, json={
                "person": person, "program": program, "amount": "2500.00",
                "reason": "Second operation, same illness"}) for index in range(10)]
            return await asyncio.gather(approval, *applications)

    approval, *applications = asyncio.run(race())
    assert approval.status_code == 200
    assert {response.status_code for response in applications} <= {201, 409}
    # Any application that got in was decided with the first grant already counted.
    for response in applications:
        if response.status_code == 201:
            assert response.json()["status"] == "rejected"
    committed = next(item for item in api.every("/api/grant-programs")
                     if item["code"] == program)["committed"]
    assert committed == "3000.00"
