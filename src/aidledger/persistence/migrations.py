"""Applying the reviewed migrations in migrations/ with Piccolo's runner."""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator
from pathlib import Path

from piccolo.apps.migrations.commands.base import BaseMigrationManager
from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.apps.migrations.tables import Migration

from aidledger import piccolo_conf
from aidledger.persistence import piccolo_app
from aidledger.persistence.database import Database

APP_NAME = "aidledger"
# Any fixed number: the advisory lock that keeps two starting servers from migrating at once.
_MIGRATION_LOCK = 7_441_203
_PICCOLO_CONF = "PICCOLO_CONF"


@contextlib.contextmanager
def _piccolo_runner(database: Database, migrations_path: Path) -> Iterator[None]:
    """Piccolo's runner finds its configuration through PICCOLO_CONF and its engine in
    that module; both point at this database only while it runs, then are put back."""
    previous = os.environ.get(_PICCOLO_CONF), piccolo_conf.DB
    os.environ[_PICCOLO_CONF] = piccolo_conf.__name__
    piccolo_conf.DB = database.engine
    piccolo_app.APP_CONFIG.migrations_folder_path = str(migrations_path)
    Migration._meta.db = database.engine
    try:
        yield
    finally:
        if previous[0] is None:
            os.environ.pop(_PICCOLO_CONF, None)
        else:
            os.environ[_PICCOLO_CONF] = previous[0]
        piccolo_conf.DB = previous[1]


async def apply_migrations(database: Database, migrations_path: Path, *,
                           quiet: bool = False) -> list[str]:
    """Runs what has not run yet; returns the ids applied. Safe with several servers
    starting at once on PostgreSQL: they queue on an advisory lock."""
    before = set(await _applied(database))
    output = io.StringIO()
    with (contextlib.redirect_stdout(output) if quiet else contextlib.nullcontext(),
          _piccolo_runner(database, migrations_path)):
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


async def pending_migrations(database: Database, migrations_path: Path) -> list[str]:
    manager = BaseMigrationManager()
    modules = manager.get_migration_modules(str(migrations_path))
    return sorted(set(manager.get_migration_ids(modules)) - set(await _applied(database)))


async def _applied(database: Database) -> list[str]:
    """The ids Piccolo recorded as run, read from its table through this database."""
    if not await database.fetch_one(_MIGRATION_TABLE_EXISTS[database.is_postgres]):
        return []
    rows = await database.fetch("SELECT name FROM migration WHERE app_name = {}", APP_NAME)
    return [row["name"] for row in rows]


_MIGRATION_TABLE_EXISTS = {
    True: "SELECT 1 AS found FROM information_schema.tables WHERE table_name = 'migration' "
          "AND table_schema = current_schema()",
    False: "SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = 'migration'",
}
