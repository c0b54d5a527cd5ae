"""The engine comes from Settings, not from the environment at import time (issue 14)."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

from aidledger.persistence.database import connect
from aidledger.persistence.engines import engine_for_url


def test_importing_the_package_reads_no_database_url() -> None:
    # A URL no engine accepts: importing must not even look at it.
    environment = {**os.environ, "AIDLEDGER_DATABASE_URL": "mysql://nowhere"}
    environment.pop("PICCOLO_CONF", None)
    result = subprocess.run(
        [sys.executable, "-c", "import aidledger.piccolo_conf as c, aidledger.api.app, "
         "aidledger.persistence.piccolo_app, aidledger.persistence.migrations, os; "
         "print(c.DB, os.environ.get('PICCOLO_CONF'))"],
        env=environment, capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["None", "None"]


def test_each_database_has_an_engine_of_its_own(tmp_path: Path) -> None:
    first = connect(f"sqlite:///{tmp_path}/a.sqlite")
    second = connect(f"sqlite:///{tmp_path}/b.sqlite")
    assert first.engine is not second.engine
    assert first.engine.connection_kwargs["database"] == f"{tmp_path}/a.sqlite"
    assert engine_for_url("sqlite:///x.sqlite").connection_kwargs["database"] == "x.sqlite"


def test_the_migration_runner_leaves_no_environment_behind(migrated: None) -> None:
    # The session's database was migrated before this test: Piccolo's hooks are put back.
    piccolo_conf = importlib.import_module("aidledger.piccolo_conf")
    assert piccolo_conf.DB is None
    assert "PICCOLO_CONF" not in os.environ
