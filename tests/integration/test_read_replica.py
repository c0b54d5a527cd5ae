"""Reports and the journal list read from a real PostgreSQL streaming replica
(.ci/start-replica) once it has replayed what the primary had committed; a client's own
write is visible to its next read even while the replica lags, because the primary
answers then."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import asyncpg
import pytest

from tests.support import Api, today


def _on_replica(statement: str) -> Any:
    import os

    async def run() -> Any:
        connection = await asyncpg.connect(os.environ["AIDLEDGER_READ_DATABASE_URL"])
        try:
            return await connection.fetchval(statement)
        finally:
            await connection.close()

    return asyncio.run(run())


@pytest.fixture
def paused_replay() -> Iterator[None]:
    """The replica stops replaying the primary's WAL: it lags from now on."""
    _on_replica("SELECT pg_wal_replay_pause()")
    try:
        yield
    finally:
        _on_replica("SELECT pg_wal_replay_resume()")


def _trial_balance(api: Api, fund: str) -> tuple[str, dict[str, Any]]:
    response = api.get("/api/reports/trial-balance", role="auditor", params={"fund": fund})
    assert response.status_code == 200, response.text
    return response.headers["aidledger-read-from"], response.json()


@pytest.mark.replica
def test_the_replica_is_a_standby_of_the_primary() -> None:
    assert _on_replica("SELECT pg_is_in_recovery()") is True


@pytest.mark.replica
def test_reports_are_read_from_the_replica_and_agree_with_the_primary(api: Api) -> None:
    fund = api.new_fund(contribution="500.00")
    assert api.entry(fund, [("5000", "debit", "120.00"), ("1000", "credit", "120.00")]
                     ).status_code == 201
    source, report = _trial_balance(api, fund)
    assert source == "replica"
    primary = api.get(f"/api/funds/{fund}/trial-balance").json()  # read on the primary
    assert report == primary
    assert {line["account"]: line["debit"] for line in report["lines"]}["1000"] == "380.00"
    journal = api.get("/api/journal", params={"fund": fund}, role="auditor")
    assert journal.headers["aidledger-read-from"] == "replica"
    assert [entry["memo"] for entry in journal.json()["items"]][-1] == "Test entry"
    # The same rows, seen on the replica itself.
    assert _on_replica(f"SELECT count(*) FROM journal_entry AS e JOIN fund AS f "
                       f"ON f.id = e.fund_id WHERE f.code = '{fund}'") == 2


@pytest.mark.replica
def test_a_lagging_replica_never_hides_a_clients_own_write(api: Api,
                                                            paused_replay: None) -> None:
    fund = api.new_fund(contribution="500.00")
    assert api.entry(fund, [("5000", "debit", "75.00"), ("1000", "credit", "75.00")],
                     date=today()).status_code == 201
    source, report = _trial_balance(api, fund)
    assert source == "primary"  # the replica has not replayed the entry
    assert {line["account"]: line["debit"] for line in report["lines"]}["5000"] == "75.00"
    assert _on_replica(f"SELECT count(*) FROM fund WHERE code = '{fund}'") == 0


@pytest.mark.postgres_only
@pytest.mark.filterwarnings("ignore:.*Unable to connect to database")
def test_a_replica_that_does_not_answer_leaves_every_read_to_the_primary(api: Api) -> None:
    import os

    from aidledger.bootstrap import open_services
    from aidledger.services.reading import Source, for_reading
    from aidledger.settings import load_settings

    # Nothing listens on port 9: the replica is down when the process starts.
    settings = load_settings({**os.environ,
                              "AIDLEDGER_READ_DATABASE_URL": "postgresql://postgres@127.0.0.1:9/x"})

    async def read() -> tuple[Source, bool]:
        async with open_services(settings) as context:
            reading = await for_reading(context)
            return reading.source, reading.context.database is context.database

    assert asyncio.run(read()) == (Source.PRIMARY, True)


def test_a_read_replica_needs_postgresql_on_both_sides() -> None:
    from aidledger.settings import ConfigurationError, load_settings

    with pytest.raises(ConfigurationError, match="AIDLEDGER_READ_DATABASE_URL"):
        load_settings({"AIDLEDGER_DATABASE_URL": "sqlite:///x.sqlite",
                       "AIDLEDGER_READ_DATABASE_URL": "postgresql://127.0.0.1:5433/x"})
    with pytest.raises(ConfigurationError, match="AIDLEDGER_READ_DATABASE_URL"):
        load_settings({"AIDLEDGER_DATABASE_URL": "postgresql://127.0.0.1/x",
                       "AIDLEDGER_READ_DATABASE_URL": "sqlite:///copy.sqlite"})
