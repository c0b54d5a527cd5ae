"""What several benchmarks share: one server process and an auditor's client to it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.benchmarks.processes import server_pid
from tests.conftest import PASSWORD
from tests.servers import running_servers
from tests.support import Api


@pytest.fixture(scope="module")
def server(api: Api) -> Iterator[tuple[httpx.Client, int]]:
    with running_servers(1) as (url,):
        token = httpx.post(f"{url}/api/auth/token",
                           json={"username": "t-auditor", "password": PASSWORD}
                           ).json()["access_token"]
        pid = server_pid(int(url.rsplit(":", 1)[1]))
        with httpx.Client(base_url=url, timeout=600,
                          headers={"Authorization": f"Bearer {token}"}) as client:
            yield client, pid
