"""A fund's contact: free text (a phone number, an office and its hours) printed on every
borrower document as where to ask or complain. Funds opened before it have none yet."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T14:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Fund contact"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="aidledger", description=DESCRIPTION)

    async def add_column() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl("ALTER TABLE fund ADD COLUMN contact TEXT")

    manager.add_raw(add_column)
    return manager
