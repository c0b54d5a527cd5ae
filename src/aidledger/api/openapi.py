"""What the OpenAPI schema says each route answers, success and errors alike."""

from __future__ import annotations

import re
from typing import Any

from litestar import Litestar
from litestar.openapi.datastructures import ResponseSpec

from aidledger.contract.common import Problem

_MEANING = {
    400: "Malformed input (the field is named in `errors`)",
    401: "Missing, malformed, expired or wrongly signed token",
    403: "The caller's role may not do this",
    404: "No such resource",
    409: "Conflicts with the current state (duplicate, already done, insufficient funds)",
    422: "Well-formed but breaks a rule (unbalanced, unknown reference, future date)",
    503: "Not ready, or a system library it needs is missing (pango for PDF)",
}


def responses(status: int, model: Any, *errors: int,
              media_type: str = "application/json") -> dict[int, ResponseSpec]:
    documented = {status: ResponseSpec(data_container=model, description="Success",
                                      media_type=media_type, generate_examples=False)}
    for code in errors:
        documented[code] = ResponseSpec(data_container=Problem, description=_MEANING[code],
                                        media_type="application/problem+json",
                                        generate_examples=False)
    return documented


def document_public_paths(app: Litestar, public_paths: list[str]) -> None:
    """Marks the operations anyone may call as needing no token. Litestar reads a handler's
    `security=[]` as "not set" and lets the global bearer requirement apply, so the
    generated (and cached) schema is corrected here, from the same patterns the
    authentication middleware lets through."""
    patterns = [re.compile(pattern) for pattern in public_paths]
    for path, item in (app.openapi_schema.paths or {}).items():
        if not any(pattern.match(path) for pattern in patterns):
            continue
        for method in ("get", "post", "put", "patch", "delete"):
            operation = getattr(item, method, None)
            if operation is not None:
                operation.security = []
