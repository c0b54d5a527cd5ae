"""Emergency grant programmes and grants."""

from __future__ import annotations

from typing import Any

from litestar import Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from aidledger.api.auth import ADMIN, ADMIN_OR_AUDITOR, ANY_ROLE
from aidledger.api.idempotency import idempotency_claim, stored_response
from aidledger.api.openapi import responses
from aidledger.api.parameters import (
    AuthenticatedRequest,
    Caller,
    Context,
    IdempotencyKeyHeader,
    MoneyMovingKeyHeader,
)
from aidledger.contract.grants import (
    GrantApplication,
    GrantOut,
    GrantPaymentRequest,
    GrantProgramCreate,
    GrantProgramList,
    GrantProgramOut,
)
from aidledger.contract.loans import ApprovalNote, Reason
from aidledger.services import grants
from aidledger.services.pagination import DEFAULT_LIMIT


@post("/api/grant-programs", guards=[ADMIN],
      responses=responses(201, GrantProgramOut, 400, 401, 403, 409, 422))
async def create_program(context: Context, actor: Caller,
                         data: JSONBody[GrantProgramCreate]) -> GrantProgramOut:
    return await grants.create_program(
        context, actor, code=data.code, name=data.name, fund_reference=data.fund,
        category=data.category, max_per_person=data.max_per_person, budget=data.budget,
        eligibility_policy=data.eligibility_policy)


@get("/api/grant-programs", guards=[ADMIN_OR_AUDITOR],
     responses=responses(200, GrantProgramList, 400, 401, 403))
async def list_programs(context: Context, limit: FromQuery[int] = DEFAULT_LIMIT,
                        cursor: FromQuery[str | None] = None) -> GrantProgramList:
    """Programmes with what is committed (approved and paid) and what budget remains."""
    return await grants.list_programs(context, limit=limit, cursor=cursor)


@post("/api/grants", guards=[ADMIN], responses=responses(201, GrantOut, 400, 401, 403, 409, 422))
async def apply(context: Context, actor: Caller, request: AuthenticatedRequest,
                data: JSONBody[GrantApplication],
                idempotency_key: IdempotencyKeyHeader = None) -> Response[Any]:
    """Record an application; the programme's policy decides. A second pending application
    by the same person in the same programme is a 409 naming the first."""
    claim = await idempotency_claim(request, idempotency_key)
    return stored_response(await grants.apply(
        context, actor, claim, person_id=data.person, program_code=data.program,
        amount=data.amount, reason=data.reason))


@get("/api/grants/{grant_id:str}", guards=[ANY_ROLE],
     responses=responses(200, GrantOut, 401, 404))
async def get_grant(context: Context, actor: Caller, grant_id: FromPath[str]) -> GrantOut:
    return await grants.get_grant(context, actor, grant_id)


@post("/api/grants/{grant_id:str}/approvals", status_code=200, guards=[ADMIN],
      responses=responses(200, GrantOut, 400, 401, 403, 404, 409))
async def approve(context: Context, actor: Caller, request: AuthenticatedRequest,
                  grant_id: FromPath[str], data: JSONBody[ApprovalNote | None] = None,
                  idempotency_key: IdempotencyKeyHeader = None) -> Response[Any]:
    """Approve; the last approval needed reserves the amount from the programme's budget
    and the fund's available cash (409 when either is short)."""
    claim = await idempotency_claim(request, idempotency_key)
    return stored_response(await grants.approve(context, actor, grant_id, claim,
                                                (data or ApprovalNote()).note))


@post("/api/grants/{grant_id:str}/rejection", status_code=200, guards=[ADMIN],
      responses=responses(200, GrantOut, 400, 401, 403, 404, 409))
async def reject(context: Context, actor: Caller, request: AuthenticatedRequest,
                 grant_id: FromPath[str], data: JSONBody[Reason],
                 idempotency_key: IdempotencyKeyHeader = None) -> Response[Any]:
    claim = await idempotency_claim(request, idempotency_key)
    return stored_response(await grants.reject(context, actor, grant_id, claim, data.reason))


@post("/api/grants/{grant_id:str}/cancellation", status_code=200, guards=[ADMIN],
      responses=responses(200, GrantOut, 400, 401, 403, 404, 409))
async def cancel(context: Context, actor: Caller, request: AuthenticatedRequest,
                 grant_id: FromPath[str], data: JSONBody[Reason],
                 idempotency_key: IdempotencyKeyHeader = None) -> Response[Any]:
    """Cancel an approved, unpaid grant: budget and cash are released."""
    claim = await idempotency_claim(request, idempotency_key)
    return stored_response(await grants.cancel(context, actor, grant_id, claim, data.reason))


@post("/api/grants/{grant_id:str}/disbursement", status_code=200, guards=[ADMIN],
      responses=responses(200, GrantOut, 400, 401, 403, 404, 409, 422))
async def pay(context: Context, actor: Caller, request: AuthenticatedRequest,
              grant_id: FromPath[str], data: JSONBody[GrantPaymentRequest],
              idempotency_key: MoneyMovingKeyHeader) -> Response[Any]:
    """Pay the grant (Dr 5000 / Cr 1000), recording how and to whom."""
    claim = await idempotency_claim(request, idempotency_key)
    return stored_response(await grants.pay(context, actor, grant_id, claim,
                                            date_text=data.date, method=data.method,
                                            reference=data.reference, payee=data.payee))


ROUTES = [create_program, list_programs, apply, get_grant, approve, reject, cancel, pay]
