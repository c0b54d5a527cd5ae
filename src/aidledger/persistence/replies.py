"""SQL for idempotency keys: the response each (user, key) got, kept to be replayed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aidledger.persistence.database import Database

COLUMNS = "username, key, fingerprint, status_code, body, created_at"


@dataclass(frozen=True, slots=True)
class Reply:
    username: str
    key: str
    fingerprint: str  # of the request (method, path, body)
    status: int
    body: str
    created_at: datetime

    def values(self) -> tuple[str, str, str, int, str, datetime]:
        return (self.username, self.key, self.fingerprint, self.status, self.body,
                self.created_at)


async def store(database: Database, reply: Reply) -> None:
    """Fails with a unique-key StorageConflict when the key already has a reply."""
    await database.execute(
        f"INSERT INTO idempotency_key ({COLUMNS}) VALUES ({{}}, {{}}, {{}}, {{}}, {{}}, {{}})",
        *reply.values(),
    )


async def find(database: Database, username: str, key: str) -> Reply | None:
    row = await database.fetch_one(
        f"SELECT {COLUMNS} FROM idempotency_key WHERE username = {{}} AND key = {{}}",
        username, key,
    )
    return None if row is None else Reply(
        row["username"], row["key"], row["fingerprint"], row["status_code"], row["body"],
        row["created_at"],
    )
