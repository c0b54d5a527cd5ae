"""Applying the reviewed migrations in migrations/ with Piccolo's runner."""

from __future__ import annotations

import contextlib
import io

from piccolo.apps.migrations.commands.base import BaseMigrationManager
from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.apps.migrations.tables import Migration

from aidledger.persistence.database import Database

APP_NAME = "aidledger"
# Any fixed number: the advisory lock that keeps two starting servers from migrating at once.
_MIGRATION_LOCK = 7_441_203


async def apply_migrations(database: Database, *, quiet: bool = False) -> list[str]:
    """Runs what has not run yet; returns the ids applied. Safe with several servers
    starting at once on PostgreSQL: they queue on an advisory lock."""
    before = set(await _applied(database))
    output = io.StringIO()
    with contextlib.redirect_stdout(output) if quiet else contextlib.nullcontext():
        if database.is_postgres:
            connection = await database.postgres_engine().get_new_connection()
            try:
                await connection.execute("SELECT pg_advisory_lock($1)", _MIGRATION_LOCK)
                result = await run_forwards(app_name=APP_NAME)
            finally:
                await connection.close()
        else:
            result = await run_forwards(app_name=APP_NAME)
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}\n{output.getvalue()}")
    return sorted(set(await _applied(database)) - before)


async def pending_migrations(database: Database) -> list[str]:
    manager = BaseMigrationManager()
    app_config = manager.get_app_config(APP_NAME)
    modules = manager.get_migration_modules(app_config.resolved_migrations_folder_path)
    return sorted(set(manager.get_migration_ids(modules)) - set(await _applied(database)))


async def _applied(database: Database) -> list[str]:
    if not await Migration.table_exists().run():
        return []
    return list(await Migration.get_migrations_which_ran(app_name=APP_NAME))
