"""User accounts."""

from __future__ import annotations

from litestar import post
from litestar.params import FromPath, JSONBody

from aidledger.api.auth import ADMIN
from aidledger.api.openapi import responses
from aidledger.api.parameters import Caller, Context
from aidledger.contract.users import DisabledUserOut, UserCreate, UserOut
from aidledger.services import users


@post("/api/users", guards=[ADMIN], responses=responses(201, UserOut, 400, 401, 403, 409, 422))
async def create_user(context: Context, actor: Caller,
                      data: JSONBody[UserCreate]) -> UserOut:
    """Create a login. A borrower login must name the person it belongs to."""
    return await users.create_user(context, actor, username=data.username,
                                   password=data.password, role=data.role,
                                   person_id=data.person_id)


@post("/api/users/{username:str}/deactivation", guards=[ADMIN], status_code=200,
      responses=responses(200, DisabledUserOut, 400, 401, 403, 404, 409))
async def deactivate_user(context: Context, actor: Caller,
                          username: FromPath[str]) -> DisabledUserOut:
    """Disable a login: it cannot log in again, and its tokens are refused from the next
    request on, in every server process."""
    return await users.deactivate_user(context, actor, username)


ROUTES = [create_user, deactivate_user]
