"""SQL for idempotency keys: the response each (user, key) got, kept to be replayed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aidledger.persistence.database import Database

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
    row = f"({', '.join('{}' for _ in COLUMNS.split(','))})"
    await database.execute(
        f"INSERT INTO idempotency_key ({COLUMNS}) VALUES " + ", ".join(row for _ in stored),
        *[value for reply in stored for value in reply.values()],
    )


async def find_many(database: Database, username: str, keys: list[str]) -> dict[str, Reply]:
    """The stored replies of those of `keys` the user has used, by key."""
    if not keys:
        return {}
    rows = await database.fetch(
        f"SELECT {COLUMNS} FROM idempotency_key WHERE username = {{}} AND key IN "
        f"({', '.join('{}' for _ in keys)})",
        username, *keys,
    )
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
