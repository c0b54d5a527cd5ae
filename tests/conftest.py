"""Test session setup: one throwaway database per run, on the engine the run is for.

SQLite (default): a temporary file. PostgreSQL: set AIDLEDGER_TEST_POSTGRES_URL to a
server's maintenance database (postgresql://postgres@127.0.0.1:5432/postgres); a fresh
database is created for the run and dropped afterwards.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from typing import Any

import asyncpg
import pytest

_created: dict[str, str] = {}


def pytest_configure(config: pytest.Config) -> None:
    from aidledger.settings import new_checkpoint_key

    server = os.environ.get("AIDLEDGER_TEST_POSTGRES_URL")
    if server:
        name = f"aidledger_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        asyncio.run(_admin(server, f'CREATE DATABASE "{name}"'))
        _created.update(server=server, name=name)
        url = server.rsplit("/", 1)[0] + "/" + name
        replica = os.environ.get("AIDLEDGER_TEST_REPLICA_URL")
        if replica:
            # A streaming replica of that server (.ci/start-replica): the run's database
            # reaches it by replication, and reports and lists read from it.
            os.environ["AIDLEDGER_READ_DATABASE_URL"] = replica.rstrip("/") + "/" + name
    else:
        directory = tempfile.mkdtemp(prefix="aidledger-test-")
        _created["directory"] = directory
        url = f"sqlite:///{directory}/ledger.sqlite"
    os.environ["AIDLEDGER_DATABASE_URL"] = url
    os.environ["AIDLEDGER_JWT_SECRET"] = secrets.token_urlsafe(40)
    os.environ["AIDLEDGER_DOCUMENT_KEY"] = secrets.token_urlsafe(40)
    os.environ["AIDLEDGER_CHECKPOINT_KEY"] = new_checkpoint_key()
    os.environ["AIDLEDGER_TIMEZONE"] = "UTC"


def pytest_unconfigure(config: pytest.Config) -> None:
    if "name" in _created:
        asyncio.run(_admin(_created["server"],
                           f'DROP DATABASE IF EXISTS "{_created["name"]}" WITH (FORCE)'))
    if "directory" in _created:
        shutil.rmtree(_created["directory"], ignore_errors=True)


async def _admin(server: str, statement: str) -> None:
    connection = await asyncpg.connect(server)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """PostgreSQL-only tests (several server processes on one database) are left out of
    SQLite runs rather than skipped: CI runs them in its PostgreSQL pass, with a streaming
    replica for the replica tests. Browser tests are left out where no Chromium is
    installed (.ci/run installs Debian's)."""
    on_postgres = bool(os.environ.get("AIDLEDGER_TEST_POSTGRES_URL"))
    has_replica = on_postgres and bool(os.environ.get("AIDLEDGER_TEST_REPLICA_URL"))
    has_chromium = shutil.which("chromium") is not None
    kept, left_out = [], []
    for item in items:
        out = ((item.get_closest_marker("postgres_only") and not on_postgres)
               or (item.get_closest_marker("replica") and not has_replica)
               or (item.get_closest_marker("browser") and not has_chromium))
        (left_out if out else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


@pytest.fixture(scope="session")
def migrated() -> None:
    from aidledger.bootstrap import open_services
    from aidledger.persistence.migrations import apply_migrations
    from aidledger.settings import load_settings

    async def migrate() -> None:
        async with open_services(load_settings()) as context:
            await apply_migrations(context.database, context.migrations_path, quiet=True)

    asyncio.run(migrate())


PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def api(migrated: None) -> Iterator[Any]:
    from litestar.testing import TestClient

    from aidledger.api.app import create_app
    from tests.support import Api

    # The first admin comes from the CLI, as on a fresh installation.
    created = subprocess.run(
        [sys.executable, "-m", "aidledger.cli", "users", "create", "--username", "t-admin",
         "--role", "admin", "--password-stdin"],
        input=f"{PASSWORD}\n", capture_output=True, text=True, check=False)
    assert created.returncode == 0, created.stderr
    with TestClient(app=create_app(), raise_server_exceptions=True) as client:
        api = Api(client, tokens={"admin": _log_in(client, "t-admin")})
        for role, username in (("admin2", "t-admin2"), ("auditor", "t-auditor")):
            response = api.post("/api/users", {"username": username, "password": PASSWORD,
                                               "role": role.rstrip("2")})
            assert response.status_code == 201, response.text
            api.tokens[role] = _log_in(client, username)
        for borrower in ("borrower", "borrower2"):
            person = api.post("/api/people", {"full_name": f"Borrower {borrower}",
                                              "preferred_language": "tl",
                                              "date_of_birth": "1988-02-14"})
            assert person.status_code == 201, person.text
            api.people[borrower] = person.json()["id"]
            response = api.post("/api/users", {"username": f"t-{borrower}",
                                               "password": PASSWORD, "role": "borrower",
                                               "person_id": person.json()["id"]})
            assert response.status_code == 201, response.text
            api.tokens[borrower] = _log_in(client, f"t-{borrower}")
        yield api


def _log_in(client: Any, username: str) -> str:
    response = client.post("/api/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token
