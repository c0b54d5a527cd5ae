"""The `aidledger` command as the README uses it, on a database of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _run(directory: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith("AIDLEDGER_") or key == "AIDLEDGER_ROOT"}
    environment["AIDLEDGER_DATABASE_URL"] = f"sqlite:///{directory}/demo.sqlite"
    return subprocess.run([sys.executable, "-m", "aidledger.cli", *arguments], cwd=directory,
                          env=environment, capture_output=True, text=True, timeout=120,
                          check=False)


def test_demo_loads_once_and_verifies(tmp_path: Path) -> None:
    loaded = _run(tmp_path, "demo")
    assert loaded.returncode == 0, loaded.stderr
    assert "demo-admin" in loaded.stdout and "demo-borrower" in loaded.stdout
    # Secrets were generated beside the database, readable by its owner only.
    assert oct((tmp_path / "demo.sqlite.secrets.json").stat().st_mode & 0o777) == "0o600"
    again = _run(tmp_path, "demo")
    assert again.returncode == 0 and "already holds funds" in again.stdout
    verified = _run(tmp_path, "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "ok   fund hk-mutual-aid: 7 entries" in verified.stdout
    assert _run(tmp_path, "migrate").stdout.startswith("applied 0 migration(s)")
    checked = _run(tmp_path, "policies", "check")
    assert checked.returncode == 0 and checked.stdout.count("ok ") == 4


def test_users_create_refuses_a_missing_password(tmp_path: Path) -> None:
    refused = _run(tmp_path, "users", "create", "--username", "ana", "--role", "admin")
    assert refused.returncode == 2
    assert "--password-stdin" in refused.stderr
