"""A login can be disabled: from then on it cannot log in, and every token it holds is
refused on its next request (the caller is looked up on each request)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T06:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Disabled logins"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="aidledger", description=DESCRIPTION)

    async def add_column() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl("ALTER TABLE app_user ADD COLUMN disabled_at TIMESTAMPTZ")

    manager.add_raw(add_column)
    return manager
