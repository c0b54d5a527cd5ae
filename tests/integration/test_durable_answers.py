"""A posting's statement commits without waiting for the disk (so that the fund's head is
free for the next group at once), but nobody hears of the entry before its commit is on
disk; and the requests that wait for the disk together share one flush (PostgreSQL).

The WAL is read back with pg_walinspect (PostgreSQL's contrib) to find each commit."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import asyncpg
import pytest

from aidledger.persistence.database import Database, connect
from tests.support import Api, database_url

pytestmark = pytest.mark.postgres_only


async def _admin() -> asyncpg.Connection:
    connection = await asyncpg.connect(database_url())
    await connection.execute("CREATE EXTENSION IF NOT EXISTS pg_walinspect")
    return connection


@pytest.fixture
def slow_wal_writer() -> Iterator[None]:
    """The WAL writer flushes deferred commits every wal_writer_delay (200 ms by default):
    at 10 s, only the service's own wait puts a deferred commit on disk within the test."""

    async def set_delay(value: str | None) -> None:
        connection = await _admin()
        try:
            if value is None:
                await connection.execute("ALTER SYSTEM RESET wal_writer_delay")
            else:
                await connection.execute(f"ALTER SYSTEM SET wal_writer_delay = '{value}'")
            await connection.execute("SELECT pg_reload_conf()")
            await connection.execute("SELECT pg_sleep(0.3)")  # the WAL writer reloads
        finally:
            await connection.close()

    asyncio.run(set_delay("10s"))
    try:
        yield
    finally:
        asyncio.run(set_delay(None))


async def _commit_end(connection: asyncpg.Connection, since: str, entry_id: str) -> str:
    """Where the commit record of the transaction that wrote the entry ends. pg_walinspect
    reads only WAL on disk, so the WAL is flushed first."""
    await connection.execute("SELECT pg_logical_emit_message(true, 'test', 'flush')")
    found: str | None = await connection.fetchval(
        "SELECT w.end_lsn::text FROM journal_entry AS e, "
        "pg_get_wal_records_info($1::text::pg_lsn, pg_current_wal_flush_lsn()) AS w "
        "WHERE e.id = $2 AND w.resource_manager = 'Transaction' "
        "AND w.record_type = 'COMMIT' AND w.xid::text = e.xmin::text", since, entry_id)
    assert found is not None, "the entry's commit is not in the WAL read"
    return found


def _lsn(text: str) -> int:
    high, low = text.split("/")
    return (int(high, 16) << 32) + int(low, 16)


def test_a_posting_is_answered_only_once_its_commit_is_on_disk(
        api: Api, slow_wal_writer: None) -> None:
    fund = api.new_fund(contribution="100.00")

    async def post_and_read_the_wal() -> tuple[str, str]:
        connection = await _admin()
        try:
            since = await connection.fetchval("SELECT pg_current_wal_insert_lsn()::text")
            # The posting runs on the test client's own event loop, in its thread.
            posted = await asyncio.to_thread(
                api.entry, fund, [("5000", "debit", "2.50"), ("1000", "credit", "2.50")])
            assert posted.status_code == 201, posted.text
            flushed = await connection.fetchval("SELECT pg_current_wal_flush_lsn()::text")
            return await _commit_end(connection, since, posted.json()["id"]), flushed
        finally:
            await connection.close()

    commit_end, flushed = asyncio.run(post_and_read_the_wal())
    assert _lsn(flushed) >= _lsn(commit_end), (commit_end, flushed)
    assert api.balances(fund)["1000"] == "97.50"


async def _started() -> Database:
    opened = connect(database_url())
    await opened.start()
    return opened


async def _flushes_between(connection: asyncpg.Connection, since: str) -> int:
    count: int = await connection.fetchval(
        "SELECT count(*) FROM pg_get_wal_records_info($1::text::pg_lsn, "
        "pg_current_wal_flush_lsn()) WHERE resource_manager = 'LogicalMessage' "
        "AND description LIKE '%aidledger%'", since)
    return count


def test_callers_waiting_together_share_a_flush() -> None:
    asyncio.run(_callers_waiting_together())


async def _callers_waiting_together() -> None:
    connection, database = await _admin(), await _started()
    try:
        since = await connection.fetchval("SELECT pg_current_wal_insert_lsn()::text")
        # A write that commits without waiting for the disk, then fifty callers at once.
        deferred = await connection.fetchval(
            "SELECT pg_current_wal_insert_lsn()::text FROM (SELECT set_config("
            "'synchronous_commit', 'off', false)) AS off, "
            "LATERAL (SELECT pg_logical_emit_message(true, 'test', 'deferred')) AS written")
        await asyncio.gather(*(database.wait_durable() for _ in range(50)))
        flushed = await connection.fetchval("SELECT pg_current_wal_flush_lsn()::text")
        assert _lsn(flushed) >= _lsn(deferred)
        assert 1 <= await _flushes_between(connection, since) <= 2
        # Callers that come after a flush has finished get one of their own.
        before = await connection.fetchval("SELECT pg_current_wal_insert_lsn()::text")
        await database.wait_durable()
        assert await _flushes_between(connection, before) == 1
    finally:
        await connection.close()
        await database.close()


def test_a_caller_given_up_on_does_not_cancel_the_others() -> None:
    asyncio.run(_one_caller_given_up_on())


async def _one_caller_given_up_on() -> None:
    database = await _started()
    try:
        waiting = [asyncio.create_task(database.wait_durable()) for _ in range(5)]
        await asyncio.sleep(0)  # each has joined the flush
        waiting[0].cancel()
        done = await asyncio.gather(*waiting, return_exceptions=True)
        assert isinstance(done[0], asyncio.CancelledError)
        assert done[1:] == [None] * 4
        await database.wait_durable()  # and the flusher still serves the next caller
    finally:
        await database.close()


def test_a_failed_flush_reaches_every_caller() -> None:
    never_started = connect(database_url())  # no connection pool: the flush cannot run

    async def three_callers() -> list[BaseException | None]:
        return await asyncio.gather(*(never_started.wait_durable() for _ in range(3)),
                                    return_exceptions=True)

    outcomes = asyncio.run(three_callers())
    assert [type(outcome) for outcome in outcomes] == [RuntimeError] * 3
    assert all("not started" in str(outcome) for outcome in outcomes)
