"""Idempotency-Key header handling and replayable responses."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

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
    if not _VISIBLE_ASCII.fullmatch(key):
        raise InvalidInput.field(HEADER, "1-255 visible ASCII characters")
    # Key order and spacing do not make a different request; the values do. The body as
    # the request read it (StrictRequest, which has parsed it already for the handler).
    body = await request.body()
    canonical_body = (json.dumps(await request.json(), sort_keys=True) if body.strip()
                      else "")
    fingerprint = hashlib.sha256(
        f"{request.method} {request.url.path}\n{canonical_body}".encode()
    ).hexdigest()
    context: ServiceContext = request.app.state.context
    return IdempotencyClaim(request.user.username, key, fingerprint, context.reply_seal_key)


def stored_response(stored: StoredResponse) -> Response[Any]:
    headers = {"Idempotent-Replayed": "true"} if stored.replayed else None
    return Response(stored.body.encode(), status_code=stored.status,
                    media_type="application/json", headers=headers)
