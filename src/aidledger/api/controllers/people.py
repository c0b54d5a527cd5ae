"""People the funds serve."""

from __future__ import annotations

from typing import Any

from litestar import Response, get, post
from litestar.params import FromPath, JSONBody

from aidledger.api.auth import ADMIN, ANY_ROLE
from aidledger.api.idempotency import idempotency_claim, stored_response
from aidledger.api.openapi import responses
from aidledger.api.parameters import AuthenticatedRequest, Caller, Context, IdempotencyKeyHeader
from aidledger.contract.people import (
    CompletionRecorded,
    CourseCompletionCreate,
    CreditsOut,
    PersonCreate,
    PersonOut,
)
from aidledger.services import credits, people


@post("/api/people", guards=[ADMIN], responses=responses(201, PersonOut, 400, 401, 403, 409, 422))
async def create_person(context: Context, actor: Caller,
                        data: JSONBody[PersonCreate]) -> PersonOut:
    """Register a person. An identity document already on file is a 409 naming that person."""
    return await people.create_person(
        context, actor, full_name=data.full_name, language=data.preferred_language,
        phone=data.phone, id_document=data.id_document, date_of_birth=data.date_of_birth)


@get("/api/people/{person_id:str}", guards=[ANY_ROLE],
     responses=responses(200, PersonOut, 401, 403, 404))
async def get_person(context: Context, actor: Caller, person_id: FromPath[str]) -> PersonOut:
    """Admins and auditors see anyone; a borrower sees only themself."""
    return await people.get_person(context, actor, person_id)


@post("/api/people/{person_id:str}/course-completions", guards=[ADMIN],
      responses=responses(201, CompletionRecorded, 400, 401, 403, 404, 409, 422))
async def record_completion(context: Context, actor: Caller, request: AuthenticatedRequest,
                            person_id: FromPath[str], data: JSONBody[CourseCompletionCreate],
                            idempotency_key: IdempotencyKeyHeader = None) -> Response[Any]:
    """Record a course completion; the course policy decides which credits it earns."""
    claim = await idempotency_claim(request, idempotency_key)
    return stored_response(await credits.record_completion(
        context, actor, person_id, claim, course_code=data.course,
        completed_on_text=data.completed_on, score=data.score))


@get("/api/people/{person_id:str}/credits", guards=[ANY_ROLE],
     responses=responses(200, CreditsOut, 401, 403, 404))
async def person_credits(context: Context, actor: Caller,
                         person_id: FromPath[str]) -> CreditsOut:
    """Credits earned, each with the rule and policy version that granted it."""
    return await credits.person_credits(context, actor, person_id)


ROUTES = [create_person, get_person, record_completion, person_credits]
