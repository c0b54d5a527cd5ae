"""People the funds serve."""

from __future__ import annotations

from typing import Any

from litestar import get, post
from litestar.params import FromPath, JSONBody

from aidledger.api.auth import ADMIN, ANY_ROLE
from aidledger.api.openapi import responses
from aidledger.api.parameters import Caller, Context
from aidledger.api.schemas import PersonCreate, PersonOut
from aidledger.services import people


@post("/api/people", guards=[ADMIN], responses=responses(201, PersonOut, 400, 401, 403, 409, 422))
async def create_person(context: Context, actor: Caller,
                        data: JSONBody[PersonCreate]) -> dict[str, Any]:
    """Register a person. An identity document already on file is a 409 naming that person."""
    return await people.create_person(
        context, actor, full_name=data.full_name, language=data.preferred_language,
        phone=data.phone, id_document=data.id_document, date_of_birth=data.date_of_birth)


@get("/api/people/{person_id:str}", guards=[ANY_ROLE],
     responses=responses(200, PersonOut, 401, 403, 404))
async def get_person(context: Context, actor: Caller, person_id: FromPath[str]) -> dict[str, Any]:
    """Admins and auditors see anyone; a borrower sees only themself."""
    return await people.get_person(context, actor, person_id)


ROUTES = [create_person, get_person]
