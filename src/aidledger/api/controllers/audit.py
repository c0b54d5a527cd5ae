"""Verifying the books."""

from __future__ import annotations

from typing import Any

from litestar import get

from aidledger.api.auth import ADMIN_OR_AUDITOR
from aidledger.api.openapi import responses
from aidledger.api.schemas import VerifyOut
from aidledger.services.context import ServiceContext
from aidledger.services.verification import verify_fund


@get("/api/audit/verify", guards=[ADMIN_OR_AUDITOR],
     responses=responses(200, VerifyOut, 400, 401, 403, 404))
async def verify(context: ServiceContext, fund: str) -> dict[str, Any]:
    """Recompute the fund's hash chain and balances from the stored lines."""
    return await verify_fund(context, fund)


ROUTES = [verify]
