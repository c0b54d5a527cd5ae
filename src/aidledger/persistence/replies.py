"""SQL for idempotency keys: the response each (user, key) got, kept to be replayed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aidledger.persistence.database import Database
from aidledger.persistence.rows import columns, placeholders

COLUMNS = "username, key, fingerprint, status_code, body, created_at, seal"


@dataclass(frozen=True, slots=True)
class Reply:
    username: str
    key: str
    fingerprint: str  # of the request (method, path, body)
    status: int
    body: str
    created_at: datetime
    seal: str | None  # HMAC of the rest under a key outside the database (services)

    def values(self) -> tuple[str, str, str, int, str, datetime, str | None]:
        return (self.username, self.key, self.fingerprint, self.status, self.body,
                self.created_at, self.seal)


async def store(database: Database, reply: Reply) -> None:
    """Fails with a unique-key StorageConflict when the key already has a reply."""
    await database.execute(
        f"INSERT INTO idempotency_key ({COLUMNS}) VALUES "
        f"({', '.join('{}' for _ in COLUMNS.split(','))})",
        *reply.values(),
    )


async def store_many(database: Database, stored: list[Reply]) -> None:
    """In one statement; fails with a unique-key StorageConflict as `store` does."""
    if not stored:
        return
    values = [reply.values() for reply in stored]
    if database.is_postgres:
        await database.execute(
            f"INSERT INTO idempotency_key ({COLUMNS}) SELECT * FROM unnest({{}}::text[], "
            "{}::text[], {}::text[], {}::int[], {}::text[], {}::timestamptz[], {}::text[])",
            *columns(values, 7))
        return
    row = f"({placeholders(len(values[0]))})"
    await database.execute(
        f"INSERT INTO idempotency_key ({COLUMNS}) VALUES " + ", ".join(row for _ in values),
        *[value for reply in values for value in reply])


async def find_many(database: Database, username: str, keys: list[str]) -> dict[str, Reply]:
    """The stored replies of those of `keys` the user has used, by key.

    One index probe per key on both engines. On PostgreSQL an IN list is planned from the
    table's statistics, which lag behind a user who has just stored thousands of keys: it
    then reads every key the user ever used and filters them, a batch growing slower
    with each one before it. LIMIT 1 keeps each probe a probe (the planner may not turn
    it into a join over all the user's keys)."""
    if not keys:
        return {}
    if database.is_postgres:
        rows = await database.fetch(
            f"SELECT stored.* FROM unnest({{}}::text[]) AS wanted(key) CROSS JOIN LATERAL "
            f"(SELECT {COLUMNS} FROM idempotency_key WHERE username = {{}} "
            "AND idempotency_key.key = wanted.key LIMIT 1) AS stored",
            keys, username)
    else:
        rows = await database.fetch(
            f"SELECT {COLUMNS} FROM idempotency_key WHERE username = {{}} AND key IN "
            f"({placeholders(len(keys))})",
            username, *keys)
    return {row["key"]: _reply(row) for row in rows}


async def find(database: Database, username: str, key: str) -> Reply | None:
    row = await database.fetch_one(
        f"SELECT {COLUMNS} FROM idempotency_key WHERE username = {{}} AND key = {{}}",
        username, key,
    )
    return None if row is None else _reply(row)


async def page_after(database: Database, after: tuple[str, str], limit: int) -> list[Reply]:
    """Stored replies in (username, key) order after `after`, for verification."""
    rows = await database.fetch(
        f"SELECT {COLUMNS} FROM idempotency_key WHERE username > {{}} OR "
        "(username = {} AND key > {}) ORDER BY username, key LIMIT {}",
        after[0], after[0], after[1], limit)
    return [_reply(row) for row in rows]


def _reply(row: dict[str, Any]) -> Reply:
    return Reply(row["username"], row["key"], row["fingerprint"], row["status_code"],
                 row["body"], row["created_at"], row["seal"])
