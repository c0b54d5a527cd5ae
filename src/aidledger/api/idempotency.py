"""Idempotency-Key header handling and replayable responses."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from typing import Any

import msgspec
from litestar import Request, Response

from aidledger.domain.errors import InvalidInput
from aidledger.services.context import Actor, ServiceContext
from aidledger.services.idempotency import IdempotencyClaim, StoredResponse

HEADER = "Idempotency-Key"
_VISIBLE_ASCII = re.compile(r"^[\x21-\x7e]{1,255}$")


async def idempotency_claim(request: Request[Actor, Any, Any],
                            key: str | None) -> IdempotencyClaim | None:
    """The claim the key makes; money-moving handlers declare the header required
    (`MoneyMovingKeyHeader`), so for them the key is never None here."""
    if key is None:
        return None
    # Key order and spacing do not make a different request; the values do. The body as
    # the request read it (StrictRequest, which has parsed it already for the handler).
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
    if not _VISIBLE_ASCII.fullmatch(key):
        raise InvalidInput.field(field, "1-255 visible ASCII characters")
    canonical_body = "" if document is None else json.dumps(document, sort_keys=True)
    fingerprint = hashlib.sha256(f"{where}\n{canonical_body}".encode()).hexdigest()
    context: ServiceContext = request.app.state.context
    return IdempotencyClaim(request.user.username, key, fingerprint, context.reply_seal_key)


def stored_response(stored: StoredResponse) -> Response[Any]:
    headers = {"Idempotent-Replayed": "true"} if stored.replayed else None
    return Response(stored.body.encode(), status_code=stored.status,
                    media_type="application/json", headers=headers)
