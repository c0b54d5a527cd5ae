"""A token is only as good as the login behind it: disabled, deleted or changed logins
lose their tokens on the next request, in every process."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

from aidledger.services.tokens import TokenVerifier
from tests.conftest import PASSWORD
from tests.support import Api, assert_problem, raw_sql, unique


def _login(api: Api, role: str = "auditor") -> tuple[str, str]:
    username = unique("u")
    created = api.post("/api/users", {"username": username, "password": PASSWORD,
                                      "role": role})
    assert created.status_code == 201, created.text
    token = api.post("/api/auth/token", {"username": username, "password": PASSWORD},
                     role=None, key=None)
    assert token.status_code == 200, token.text
    return username, token.json()["access_token"]


def _me(api: Api, token: str) -> int:
    return api.client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code


def test_a_disabled_login_loses_its_tokens_at_once_and_cannot_log_in(api: Api) -> None:
    username, token = _login(api)
    assert _me(api, token) == 200
    disabled = api.post(f"/api/users/{username}/deactivation")
    assert disabled.status_code == 200, disabled.text
    assert disabled.json()["username"] == username and disabled.json()["disabled_at"]
    refused = api.client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert_problem(refused, 401)
    assert "disabled" in refused.json()["detail"]
    login = api.post("/api/auth/token", {"username": username, "password": PASSWORD},
                     role=None, key=None)
    assert_problem(login, 401)
    events = api.get("/api/audit/events", params={"subject_kind": "user",
                                                  "subject_id": username}, role="auditor")
    assert "user.deactivated" in [event["action"] for event in events.json()["items"]]


def test_another_process_refuses_the_token_on_its_next_request(api: Api) -> None:
    """The second process has verified (and cached) the token before it was disabled."""
    username, token = _login(api)
    state = api.client.app.state
    original = state.context
    second = dataclasses.replace(original, verify_token=TokenVerifier(
        original.secrets.jwt_secret, original.clock).read)
    state.context = second
    try:
        assert _me(api, token) == 200
        state.context = original
        assert api.post(f"/api/users/{username}/deactivation").status_code == 200
        state.context = second
        assert _me(api, token) == 401
    finally:
        state.context = original


def test_a_role_changed_or_a_login_deleted_behind_the_service_loses_its_tokens(
        api: Api) -> None:
    changed, changed_token = _login(api, role="admin")
    assert api.client.get("/api/funds", headers={
        "Authorization": f"Bearer {changed_token}"}).status_code == 200
    raw_sql(f"UPDATE app_user SET role = 'auditor' WHERE username = '{changed}'")
    refused = api.client.get("/api/funds", headers={"Authorization": f"Bearer {changed_token}"})
    assert_problem(refused, 401)
    assert "role has changed" in refused.json()["detail"]
    deleted, deleted_token = _login(api)
    raw_sql(f"DELETE FROM app_user WHERE username = '{deleted}'")
    assert _me(api, deleted_token) == 401


def test_deactivation_refusals(api: Api) -> None:
    username, _ = _login(api)
    for role in ("auditor", "borrower"):
        assert_problem(api.post(f"/api/users/{username}/deactivation", role=role), 403)
    assert_problem(api.post("/api/users/nobody-at-all/deactivation"), 404)
    assert_problem(api.post("/api/users/t-admin/deactivation"), 409, "username")
    assert api.post(f"/api/users/{username}/deactivation").status_code == 200
    assert_problem(api.post(f"/api/users/{username}/deactivation"), 409, "username")
    assert _me(api, api.tokens["auditor"]) == 200  # nobody else is touched


def test_the_cli_disables_a_login(api: Api) -> None:
    username, token = _login(api)
    disabled = subprocess.run(
        [sys.executable, "-m", "aidledger.cli", "users", "disable", "--username", username],
        capture_output=True, text=True, env=os.environ, check=False, timeout=60)
    assert disabled.returncode == 0, disabled.stderr
    assert f"disabled auditor user {username}" in disabled.stdout
    assert _me(api, token) == 401
    again = subprocess.run(
        [sys.executable, "-m", "aidledger.cli", "users", "disable", "--username", username],
        capture_output=True, text=True, env=os.environ, check=False, timeout=60)
    assert again.returncode == 1 and "already disabled" in again.stderr
