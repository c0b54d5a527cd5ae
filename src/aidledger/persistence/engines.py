"""Engine selection from AIDLEDGER_DATABASE_URL."""

from __future__ import annotations

from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

# Seconds a writer waits for SQLite's single write lock before giving up.
SQLITE_BUSY_TIMEOUT = 30


def engine_for_url(url: str) -> PostgresEngine | SQLiteEngine:
    if url.startswith("sqlite:///"):
        return SQLiteEngine(path=url.removeprefix("sqlite:///"), timeout=SQLITE_BUSY_TIMEOUT)
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    return PostgresEngine(config={"dsn": url})
