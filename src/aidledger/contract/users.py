"""Logging in, the caller, and logins."""

from __future__ import annotations

from typing import Literal

from msgspec import Struct

from aidledger.contract.common import Request, RoleName, Text


class TokenRequest(Request):
    username: Text
    password: Text


class UserCreate(Request):
    username: Text
    password: Text
    role: RoleName
    person_id: Text | None = None


class TokenOut(Struct):
    access_token: str
    token_type: Literal["bearer"]
    expires_in: int


class MeOut(Struct):
    username: str
    role: RoleName
    person_id: str | None


class UserOut(MeOut):
    pass


class DisabledUserOut(MeOut):
    disabled_at: str
