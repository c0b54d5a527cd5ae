"""SQL for page sessions and failed page logins."""

from __future__ import annotations

from datetime import datetime

from aidledger.persistence.database import Database


async def read_session(database: Database, key: str, now: datetime) -> bytes | None:
    row = await database.fetch_one(
        "SELECT value FROM web_session WHERE key = {} "
        "AND (expires_at IS NULL OR expires_at > {})", key, now)
    return None if row is None else bytes(row["value"])


async def write_session(database: Database, key: str, value: bytes,
                        expires_at: datetime | None) -> None:
    await database.execute(
        "INSERT INTO web_session (key, value, expires_at) VALUES ({}, {}, {}) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
        "expires_at = excluded.expires_at", key, value, expires_at)


async def session_expiry(database: Database, key: str) -> datetime | None:
    row = await database.fetch_one("SELECT expires_at FROM web_session WHERE key = {}", key)
    return None if row is None else row["expires_at"]


async def delete_session(database: Database, key: str) -> None:
    await database.execute("DELETE FROM web_session WHERE key = {}", key)


async def delete_expired_sessions(database: Database, now: datetime) -> None:
    await database.execute("DELETE FROM web_session WHERE expires_at <= {}", now)


async def delete_all_sessions(database: Database) -> None:
    await database.execute("DELETE FROM web_session")


async def record_login_failure(database: Database, username: str, at: datetime) -> None:
    await database.execute("INSERT INTO login_failure (username, failed_at) VALUES ({}, {})",
                           username, at)


async def login_failures_since(database: Database, username: str, since: datetime) -> int:
    row = await database.fetch_one(
        "SELECT count(*) AS failures FROM login_failure WHERE username = {} "
        "AND failed_at > {}", username, since)
    return 0 if row is None else int(row["failures"])


async def forget_login_failures(database: Database, username: str) -> None:
    await database.execute("DELETE FROM login_failure WHERE username = {}", username)
