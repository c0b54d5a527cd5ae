"""Handler parameter kinds, declared explicitly (Litestar 3 drops inferred ones)."""

from __future__ import annotations

from typing import Annotated, Any, TypeAlias

from litestar import Request
from litestar.di import NamedDependency
from litestar.params import HeaderParameter

from aidledger.services.context import Actor, ServiceContext
from aidledger.services.reading import Reading

Context: TypeAlias = NamedDependency[ServiceContext]
Caller: TypeAlias = NamedDependency[Actor]
# Read-only handlers: the replica when it has caught up with the primary, else the primary.
Reads: TypeAlias = NamedDependency[Reading]
READ_FROM_HEADER = "AidLedger-Read-From"  # which of the two answered
AuthenticatedRequest: TypeAlias = Request[Actor, Any, Any]
IdempotencyKeyHeader: TypeAlias = Annotated[
    str | None,
    HeaderParameter(name="Idempotency-Key", required=False,
                    description="Optional here: 1-255 visible ASCII characters; a replay "
                                "returns the first response."),
]
# Money-moving POSTs: without the header, Litestar answers 400 naming it.
MoneyMovingKeyHeader: TypeAlias = Annotated[
    str,
    HeaderParameter(name="Idempotency-Key", required=True,
                    description="Required: 1-255 visible ASCII characters; a replay "
                                "returns the first response."),
]
