"""Pages for people: server-side sessions shared by every process (the cookie holds only a
random key), and failed page logins, counted per username to throttle guessing."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T15:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Web sessions and login throttling"


def _statements(blob: str) -> list[str]:
    return [
        f"""
        CREATE TABLE web_session (
            key TEXT PRIMARY KEY,
            value {blob} NOT NULL,
            expires_at TIMESTAMPTZ
        )
        """,
        "CREATE INDEX web_session_expires ON web_session (expires_at)",
        """
        CREATE TABLE login_failure (
            username TEXT NOT NULL,
            failed_at TIMESTAMPTZ NOT NULL
        )
        """,
        "CREATE INDEX login_failure_username ON login_failure (username, failed_at)",
    ]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="aidledger", description=DESCRIPTION)

    async def create() -> None:
        engine = engine_finder()
        assert engine is not None
        blob = "BYTEA" if engine.engine_type == "postgres" else "BLOB"
        for statement in _statements(blob):
            await engine.run_ddl(statement)

    manager.add_raw(create)
    return manager
