"""User accounts."""

from __future__ import annotations

from typing import Any

from litestar import post
from litestar.params import JSONBody

from aidledger.api.auth import ADMIN
from aidledger.api.openapi import responses
from aidledger.api.parameters import Caller, Context
from aidledger.api.schemas import UserCreate, UserOut
from aidledger.services import users


@post("/api/users", guards=[ADMIN], responses=responses(201, UserOut, 400, 401, 403, 409, 422))
async def create_user(context: Context, actor: Caller,
                      data: JSONBody[UserCreate]) -> dict[str, Any]:
    """Create a login. A borrower login must name the person it belongs to."""
    return await users.create_user(context, actor, username=data.username,
                                   password=data.password, role=data.role,
                                   person_id=data.person_id)


ROUTES = [create_user]
