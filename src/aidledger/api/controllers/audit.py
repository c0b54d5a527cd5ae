"""Verifying the books, and the audit trail."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import get, post
from litestar.params import FromQuery, JSONBody, QueryParameter

from aidledger.api.auth import ADMIN_OR_AUDITOR
from aidledger.api.openapi import responses
from aidledger.api.parameters import Context
from aidledger.contract.audit import (
    AuditEventPage,
    CheckpointCheckOut,
    CheckpointIn,
    CheckpointOut,
    VerifyOut,
)
from aidledger.services import audit_events, checkpoints
from aidledger.services.pagination import DEFAULT_LIMIT
from aidledger.services.verification import verify_fund


@get("/api/audit/verify", guards=[ADMIN_OR_AUDITOR],
     responses=responses(200, VerifyOut, 400, 401, 403, 404))
async def verify(context: Context, fund: FromQuery[str]) -> VerifyOut:
    """Recompute the fund's hash chain and balances from the stored lines."""
    return await verify_fund(context, fund)


@get("/api/audit/events", guards=[ADMIN_OR_AUDITOR],
     responses=responses(200, AuditEventPage, 400, 401, 403, 422))
async def list_events(
    context: Context,
    subject_kind: FromQuery[str | None] = None,
    subject_id: FromQuery[str | None] = None,
    fund: FromQuery[str | None] = None,
    date_from: Annotated[str | None, QueryParameter(name="from")] = None,
    date_to: Annotated[str | None, QueryParameter(name="to")] = None,
    limit: FromQuery[int] = DEFAULT_LIMIT,
    cursor: FromQuery[str | None] = None,
) -> AuditEventPage:
    """Every recorded state change, oldest first: who, when, what, before and after;
    `from` and `to` are days (UTC), both included."""
    return await audit_events.list_events(context, subject_kind=subject_kind, subject_id=subject_id,
                                   fund_reference=fund, date_from=date_from, date_to=date_to,
                                   limit=limit, cursor=cursor)


@get("/api/audit/checkpoint", guards=[ADMIN_OR_AUDITOR],
     responses=responses(200, CheckpointOut, 400, 401, 403, 404))
async def checkpoint(context: Context, fund: FromQuery[str]) -> CheckpointOut:
    """The fund's chain head now, signed with the service's checkpoint key (Ed25519). Keep
    it outside the service: checked later, it shows whether the books up to it changed."""
    return await checkpoints.take_checkpoint(context, fund)


@post("/api/audit/verify-checkpoint", guards=[ADMIN_OR_AUDITOR], status_code=200,
      responses=responses(200, CheckpointCheckOut, 400, 401, 403))
async def verify_checkpoint(context: Context, data: JSONBody[CheckpointIn]) -> CheckpointCheckOut:
    """Does a checkpoint taken earlier still hold: signed by this service's key, and the
    chain today, recomputed from the start, still reaching that entry with that hash."""
    return await checkpoints.check_checkpoint(context, msgspec.structs.asdict(data))


ROUTES = [verify, list_events, checkpoint, verify_checkpoint]
