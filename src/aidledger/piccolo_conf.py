"""Piccolo's configuration module, read by its migration runner only.

The service queries through `persistence.database.Database`, whose engine is built from
`Settings`. Piccolo's runner and the migration files find an engine here instead, so
`persistence.migrations.apply_migrations` puts the engine of the database it migrates
into `DB` for the length of the run. Nothing here reads the environment.
"""

from typing import Any

from piccolo.conf.apps import AppRegistry
from piccolo.engine.base import Engine

DB: Engine[Any] | None = None

APP_REGISTRY = AppRegistry(apps=["aidledger.persistence.piccolo_app"])
