"""Verifying the books, and the audit trail."""

from __future__ import annotations

from typing import Any

from litestar import get
from litestar.params import FromQuery

from aidledger.api.auth import ADMIN_OR_AUDITOR
from aidledger.api.openapi import responses
from aidledger.api.parameters import Context
from aidledger.api.schemas import AuditEventPage, VerifyOut
from aidledger.services import audit
from aidledger.services.pagination import DEFAULT_LIMIT
from aidledger.services.verification import verify_fund


@get("/api/audit/verify", guards=[ADMIN_OR_AUDITOR],
     responses=responses(200, VerifyOut, 400, 401, 403, 404))
async def verify(context: Context, fund: FromQuery[str]) -> dict[str, Any]:
    """Recompute the fund's hash chain and balances from the stored lines."""
    return await verify_fund(context, fund)


@get("/api/audit/events", guards=[ADMIN_OR_AUDITOR],
     responses=responses(200, AuditEventPage, 400, 401, 403))
async def list_events(
    context: Context,
    subject_kind: FromQuery[str | None] = None,
    subject_id: FromQuery[str | None] = None,
    limit: FromQuery[int] = DEFAULT_LIMIT,
    cursor: FromQuery[str | None] = None,
) -> dict[str, Any]:
    """Every recorded state change, oldest first: who, when, what, before and after."""
    return await audit.list_events(context, subject_kind=subject_kind, subject_id=subject_id,
                                   limit=limit, cursor=cursor)


ROUTES = [verify, list_events]
