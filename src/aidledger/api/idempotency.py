"""Idempotency-Key header handling and replayable responses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
from litestar import Request, Response

from aidledger.services.context import Actor, ServiceContext
from aidledger.services.idempotency import IdempotencyClaim, StoredResponse, claim_for

HEADER = "Idempotency-Key"


async def idempotency_claim(request: Request[Actor, Any, Any],
                            key: str | None) -> IdempotencyClaim | None:
    """The claim the key makes; money-moving handlers declare the header required
    (`MoneyMovingKeyHeader`), so for them the key is never None here."""
    if key is None:
        return None
    # The body as the request read it (StrictRequest, which has parsed it already).
    body = await request.json() if (await request.body()).strip() else None
    return _claim(request, HEADER, key, f"{request.method} {request.url.path}", body)


def item_claims(request: Request[Actor, Any, Any], items_field: str,
                items: Sequence[msgspec.Struct]) -> list[IdempotencyClaim]:
    """Each item of a batch claims its own `idempotency_key`; an item's fingerprint is
    the item without its key, so the same item sent again in another batch replays."""
    where = f"{request.method} {request.url.path}#item"
    claims = []
    for index, item in enumerate(items):
        document = msgspec.to_builtins(item)
        key = document.pop("idempotency_key")
        claims.append(_claim(request, f"{items_field}[{index}].idempotency_key", key, where,
                             document))
    return claims


def _claim(request: Request[Actor, Any, Any], field: str, key: str, where: str,
           document: Any) -> IdempotencyClaim:
    context: ServiceContext = request.app.state.context
    return claim_for(request.user.username, field, key, where, document,
                     context.reply_seal_key)


def stored_response(stored: StoredResponse) -> Response[Any]:
    headers = {"Idempotent-Replayed": "true"} if stored.replayed else None
    return Response(stored.body.encode(), status_code=stored.status,
                    media_type="application/json", headers=headers)
