from __future__ import annotations

import time

import pytest
from jose import jwt

from tests.conftest import PASSWORD
from tests.support import Api, assert_problem, unique


def test_token_for_good_credentials(api: Api) -> None:
    response = api.post("/api/auth/token", {"username": "t-auditor", "password": PASSWORD},
                        role=None, key=None)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    assert jwt.get_unverified_claims(body["access_token"])["role"] == "auditor"


@pytest.mark.parametrize("credentials", [
    {"username": "t-admin", "password": "wrong password!"},
    {"username": "nobody-here", "password": PASSWORD},
])
def test_bad_credentials_are_401(api: Api, credentials: dict[str, str]) -> None:
    response = api.post("/api/auth/token", credentials, role=None, key=None)
    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("body", [{}, {"username": "t-admin"}, {"username": 5, "password": "x"},
                                  [], "text"])
def test_malformed_token_requests_are_400(api: Api, body: object) -> None:
    assert_problem(api.post("/api/auth/token", body, role=None, key=None), 400)


@pytest.mark.parametrize(("role", "person"), [("admin", None), ("auditor", None),
                                              ("borrower", "borrower"), ("borrower2", "borrower2")])
def test_me_describes_the_caller(api: Api, role: str, person: str | None) -> None:
    response = api.get("/api/me", role=role)
    assert response.status_code == 200
    body = response.json()
    assert body["role"] == role.rstrip("2")
    assert body["person_id"] == (api.people[person] if person else None)


def _signed(claims: dict[str, object], key: str) -> str:
    return jwt.encode(claims, key, algorithm="HS256")


@pytest.mark.parametrize("header", [
    None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer not-a-jwt", "Token abc",
])
def test_missing_or_malformed_authorization_is_401(api: Api, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    assert_problem(api.get("/api/me", role=None, headers=headers), 401)


def test_expired_wrongly_signed_and_unsigned_tokens_are_401(api: Api) -> None:
    import os

    secret = os.environ["AIDLEDGER_JWT_SECRET"]
    now = int(time.time())
    good = {"sub": "t-admin", "role": "admin", "person_id": None, "iat": now, "exp": now + 60,
            "iss": "aidledger", "aud": "aidledger-api"}
    assert api.get("/api/me", role=None,
                   headers={"Authorization": f"Bearer {_signed(good, secret)}"}).status_code == 200
    import base64
    import json

    def part(value: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    for token in (_signed({**good, "exp": now - 1}, secret),
                  _signed(good, "another secret that is long enough!!"),
                  _signed({**good, "aud": "other"}, secret),
                  f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(good)}."):
        assert_problem(api.get("/api/me", role=None,
                               headers={"Authorization": f"Bearer {token}"}), 401)


def test_admin_creates_users_of_each_role(api: Api) -> None:
    for role, person in (("admin", None), ("auditor", None),
                         ("borrower", api.people["borrower"])):
        username = unique("user")
        response = api.post("/api/users", {"username": username, "password": PASSWORD,
                                           "role": role, "person_id": person})
        assert response.status_code == 201, response.text
        assert response.json() == {"username": username, "role": role, "person_id": person}
        token = api.post("/api/auth/token", {"username": username, "password": PASSWORD},
                         role=None, key=None)
        assert token.status_code == 200


def test_user_creation_refusals(api: Api) -> None:
    base = {"username": unique("user"), "password": PASSWORD, "role": "admin"}
    assert_problem(api.post("/api/users", {**base, "role": "borrower"}), 422, "person_id")
    assert_problem(api.post("/api/users", {**base, "role": "borrower", "person_id": "nobody"}),
                   422, "person_id")
    assert_problem(api.post("/api/users", {**base, "role": "superuser"}), 400, "role")
    assert_problem(api.post("/api/users", {**base, "password": "short"}), 400, "password")
    assert_problem(api.post("/api/users", {**base, "username": "x"}), 400, "username")
    assert_problem(api.post("/api/users", {**base, "username": "t-admin"}), 409, "username")
    assert_problem(api.post("/api/users", {**base, "extra": 1}), 400)
    for role in ("auditor", "borrower"):
        assert_problem(api.post("/api/users", base, role=role), 403)
    assert_problem(api.post("/api/users", base, role=None), 401)


def test_a_created_password_is_never_returned_or_stored_in_clear(api: Api) -> None:
    from tests.support import raw_sql

    username = unique("user")
    response = api.post("/api/users", {"username": username, "password": PASSWORD,
                                       "role": "auditor"})
    assert PASSWORD not in response.text
    stored = raw_sql(f"SELECT password_hash FROM app_user WHERE username = '{username}'")[0][0][0]
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
