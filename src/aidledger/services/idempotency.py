"""Idempotency keys: a retried money-moving request never moves money twice.

The key is looked up first, before any rule about the current state is checked (a replay
of a reversal must not meet "already reversed"), and stored in the same transaction as
what the request wrote, with the response it got. Two requests racing with one key may
both do the work, but only one can commit the key: the other's whole transaction rolls
back and it answers with the winner's response.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aidledger.domain.errors import Conflict, FieldError
from aidledger.persistence.database import Database, StorageConflict
from aidledger.services.context import Clock


@dataclass(frozen=True, slots=True)
class IdempotencyClaim:
    username: str
    key: str
    fingerprint: str  # of the request (method, path, body): same key, other body is a 409


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status: int
    body: str
    replayed: bool


async def run_once(
    database: Database,
    clock: Clock,
    claim: IdempotencyClaim | None,
    status: int,
    operation: Callable[[], Awaitable[dict[str, Any]]],
) -> StoredResponse:
    """Runs `operation` in one write transaction, or replays the response it gave before."""
    try:
        async with database.write():
            if claim is not None:
                earlier = await _earlier_response(database, claim)
                if earlier is not None:
                    return earlier
            body = json.dumps(await operation(), ensure_ascii=False)
            if claim is not None:
                await database.execute(
                    "INSERT INTO idempotency_key (username, key, fingerprint, status_code, body, "
                    "created_at) VALUES ({}, {}, {}, {}, {}, {})",
                    claim.username, claim.key, claim.fingerprint, status, body, clock.now(),
                )
    except StorageConflict as conflict:
        key_taken = conflict.kind == "unique" and conflict.concerns("idempotency_key")
        if claim is None or not key_taken:
            raise
        earlier = await _earlier_response(database, claim)
        if earlier is None:
            raise
        return earlier
    return StoredResponse(status, body, replayed=False)


async def _earlier_response(database: Database, claim: IdempotencyClaim) -> StoredResponse | None:
    row = await database.fetch_one(
        "SELECT fingerprint, status_code, body FROM idempotency_key "
        "WHERE username = {} AND key = {}",
        claim.username, claim.key,
    )
    if row is None:
        return None
    if row["fingerprint"] != claim.fingerprint:
        raise Conflict(
            "This Idempotency-Key was already used with a different request.",
            [FieldError("Idempotency-Key", "already used with a different request body")],
        )
    return StoredResponse(row["status_code"], row["body"], replayed=True)
