"""Two real server processes on one PostgreSQL: a login disabled through one is refused
by the other on its very next request, though that one had verified the token before."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import PASSWORD
from tests.servers import running_servers
from tests.support import Api, unique

pytestmark = pytest.mark.postgres_only


def test_a_login_disabled_in_one_process_is_refused_by_the_other_at_once(api: Api) -> None:
    username = unique("u")
    assert api.post("/api/users", {"username": username, "password": PASSWORD,
                                   "role": "auditor"}).status_code == 201
    with running_servers(2) as (first, second):
        token = httpx.post(f"{first}/api/auth/token",
                           json={"username": username, "password": PASSWORD}
                           ).json()["access_token"]
        admin = httpx.post(f"{first}/api/auth/token",
                           json={"username": "t-admin", "password": PASSWORD}
                           ).json()["access_token"]
        caller = {"Authorization": f"Bearer {token}"}
        for _ in range(3):  # the second process has verified and remembered the token
            assert httpx.get(f"{second}/api/me", headers=caller).status_code == 200
        disabled = httpx.post(f"{first}/api/users/{username}/deactivation",
                              headers={"Authorization": f"Bearer {admin}"})
        assert disabled.status_code == 200, disabled.text
        refused = httpx.get(f"{second}/api/me", headers=caller)
        assert refused.status_code == 401
        assert "disabled" in refused.json()["detail"]
        assert httpx.get(f"{first}/api/funds", headers=caller).status_code == 401
