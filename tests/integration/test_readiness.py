"""/ready tells an orchestrator the truth: 503 until every migration is applied."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.servers import free_port


def test_ready_is_503_while_migrations_are_pending(tmp_path: Path) -> None:
    port = free_port()
    environment = {**{key: value for key, value in os.environ.items()
                      if key != "AIDLEDGER_READ_DATABASE_URL"},  # a replica of PostgreSQL
                   "AIDLEDGER_DATABASE_URL": f"sqlite:///{tmp_path}/new.sqlite"}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "aidledger.api.app:create_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=environment)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.1)
        assert health.json() == {"status": "ok"}
        ready = httpx.get(f"http://127.0.0.1:{port}/ready", timeout=5)
        assert ready.status_code == 503
        assert ready.json()["status"] == "not ready"
        assert "migrations not applied" in ready.json()["detail"]
        migrated = subprocess.run([sys.executable, "-m", "aidledger.cli", "migrate"],
                                  env=environment, capture_output=True, text=True, check=False)
        assert migrated.returncode == 0, migrated.stderr
        assert httpx.get(f"http://127.0.0.1:{port}/ready", timeout=5).status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=10)
