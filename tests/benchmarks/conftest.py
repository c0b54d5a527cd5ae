"""What several benchmarks share: a server process and a signed-in client to it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from tests.benchmarks.processes import server_pid
from tests.conftest import PASSWORD
from tests.servers import running_servers
from tests.support import Api


@contextmanager
def signed_in(url: str, username: str) -> Iterator[httpx.Client]:
    """A client to the server at `url` carrying `username`'s token."""
    token = httpx.post(f"{url}/api/auth/token",
                       json={"username": username, "password": PASSWORD}).json()["access_token"]
    with httpx.Client(base_url=url, timeout=600,
                      headers={"Authorization": f"Bearer {token}"}) as client:
        yield client


@pytest.fixture(scope="module")
def server(api: Api) -> Iterator[tuple[httpx.Client, int]]:
    """One server process, an auditor's client to it and the process id."""
    with running_servers(1) as (url,), signed_in(url, "t-auditor") as client:
        yield client, server_pid(int(url.rsplit(":", 1)[1]))


@pytest.fixture(scope="module")
def admin(api: Api) -> Iterator[httpx.Client]:
    """One server process and an admin's client to it."""
    with running_servers(1) as (url,), signed_in(url, "t-admin") as client:
        yield client
