"""Logging in, and who am I."""

from __future__ import annotations

from litestar import get, post
from litestar.params import JSONBody

from aidledger.api.auth import ANY_ROLE
from aidledger.api.openapi import responses
from aidledger.api.parameters import Caller, Context
from aidledger.contract.users import MeOut, TokenOut, TokenRequest
from aidledger.services import users


@post("/api/auth/token", status_code=200,
      responses=responses(200, TokenOut, 400, 401))
async def issue_token(context: Context, data: JSONBody[TokenRequest]) -> TokenOut:
    """Exchange a username and password for a bearer token."""
    return await users.log_in(context, username=data.username, password=data.password)


@get("/api/me", guards=[ANY_ROLE], responses=responses(200, MeOut, 401))
async def me(actor: Caller) -> MeOut:
    """The caller as the token names them."""
    return users.describe_caller(actor)


ROUTES = [issue_token, me]
