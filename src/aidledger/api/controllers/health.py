"""Probes for orchestrators: is the process up, can it serve."""

from __future__ import annotations

from typing import Any

from litestar import Response, get

from aidledger.api.openapi import responses
from aidledger.api.parameters import Context
from aidledger.contract.common import StatusOut
from aidledger.services.readiness import readiness


@get("/health", responses=responses(200, StatusOut))
async def health() -> dict[str, str]:
    return {"status": "ok"}


@get("/ready", responses=responses(200, StatusOut, 503))
async def ready(context: Context) -> Response[Any]:
    """200 when the database answers and every migration has been applied."""
    problem = await readiness(context)
    if problem is None:
        return Response({"status": "ready"})
    return Response({"status": "not ready", "detail": problem}, status_code=503)


ROUTES = [health, ready]
