"""Handler parameter kinds, declared explicitly (Litestar 3 drops inferred ones)."""

from __future__ import annotations

from typing import Annotated, Any, TypeAlias

from litestar import Request
from litestar.di import NamedDependency
from litestar.params import HeaderParameter

from aidledger.services.context import Actor, ServiceContext

Context: TypeAlias = NamedDependency[ServiceContext]
Caller: TypeAlias = NamedDependency[Actor]
AuthenticatedRequest: TypeAlias = Request[Actor, Any, Any]
IdempotencyKeyHeader: TypeAlias = Annotated[
    str | None,
    HeaderParameter(name="Idempotency-Key", required=False,
                    description="Required on money-moving POSTs: 1-255 visible ASCII "
                                "characters; a replay returns the first response."),
]
