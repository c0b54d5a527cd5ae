"""SQL for reading from a streaming replica: how far the primary has written its WAL, and
whether the replica has replayed up to a point."""

from __future__ import annotations

import asyncpg

from aidledger.persistence.database import Database


async def written_up_to(primary: Database) -> str:
    """Where the primary's WAL ends now: every transaction committed so far lies before it.
    The insert position, not the write position: that one may stand at the end of a
    partly filled page, beyond the last record, where a replica's replay never arrives."""
    row = await primary.fetch_one("SELECT pg_current_wal_insert_lsn()::text AS lsn")
    assert row is not None
    lsn: str = row["lsn"]
    return lsn


async def replayed_up_to(replica: Database, lsn: str) -> bool | None:
    """Whether the replica has replayed the WAL up to `lsn`, so that what was committed
    before it is visible there; None when the replica does not answer. A database that is
    not a standby (a copy at rest, say) counts as caught up."""
    try:
        row = await replica.fetch_one(
            "SELECT coalesce(pg_last_wal_replay_lsn() >= {}::text::pg_lsn, "
            "NOT pg_is_in_recovery()) AS caught_up", lsn)
    except (OSError, asyncpg.PostgresError, asyncpg.exceptions.ConnectionDoesNotExistError):
        return None
    return None if row is None else bool(row["caught_up"])
