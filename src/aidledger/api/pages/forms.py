"""Reading a page's form, and the idempotency claim it makes: each money-moving form is
rendered with a fresh key, so a double click (or a resent form) posts once."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from litestar import Request

from aidledger.domain.errors import InvalidInput
from aidledger.services.context import Actor
from aidledger.services.idempotency import IdempotencyClaim

from .session import context_of

KEY_FIELD = "idempotency_key"
_NOT_PART_OF_THE_REQUEST = {KEY_FIELD, "_csrf_token"}


def new_key() -> str:
    return f"page-{uuid.uuid4()}"


async def form_of(request: Request[Any, Any, Any]) -> dict[str, str]:
    form = await request.form()
    return {name: value for name, value in form.items() if isinstance(value, str)}


def text(form: dict[str, str], name: str) -> str:
    value = form.get(name, "").strip()
    if not value:
        raise InvalidInput.field(name, "required")
    return value


def claim_of(request: Request[Any, Any, Any], actor: Actor,
             form: dict[str, str]) -> IdempotencyClaim:
    key = form.get(KEY_FIELD, "")
    if not key.startswith("page-") or len(key) > 64:
        raise InvalidInput.field(KEY_FIELD, "the form's own key; reload the page")
    fields = {name: value for name, value in form.items()
              if name not in _NOT_PART_OF_THE_REQUEST}
    fingerprint = hashlib.sha256(
        f"{request.method} {request.url.path}\n{json.dumps(fields, sort_keys=True)}".encode()
    ).hexdigest()
    return IdempotencyClaim(actor.username, key, fingerprint,
                            context_of(request).reply_seal_key)
