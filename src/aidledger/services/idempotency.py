"""Idempotency keys: a retried money-moving request never moves money twice.

The key is stored in the same transaction (or the same statement) as what the request
wrote, with the response it got. It is not looked up first: a request is simply tried,
and when it is refused for any reason, including the key being taken, an earlier
response to the same key wins. So a replay of a reversal answers with the reversal, not
with "already reversed", and the common case (a new key) costs no extra query. Two
requests racing with one key may both do the work, but only one can commit the key: the
other's writes roll back with it and it answers with the winner's response.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import msgspec

from aidledger.domain.errors import Conflict, DomainError, FieldError, InvalidInput
from aidledger.persistence import replies
from aidledger.persistence.database import Database
from aidledger.services.context import Clock


def reply_seal(seal_key: bytes, username: str, key: str, fingerprint: str, status: int,
               body: str) -> str:
    """An HMAC over everything a replay hands back, under a key the database never sees:
    a reply edited in the database no longer matches its seal and is not replayed."""
    message = "\n".join((username, key, fingerprint, str(status), body)).encode()
    return hmac.new(seal_key, message, hashlib.sha256).hexdigest()


def seal_holds(seal_key: bytes, reply: replies.Reply) -> bool:
    expected = reply_seal(seal_key, reply.username, reply.key, reply.fingerprint,
                          reply.status, reply.body)
    return reply.seal is not None and hmac.compare_digest(expected, reply.seal)


@dataclass(frozen=True, slots=True)
class IdempotencyClaim:
    username: str
    key: str
    fingerprint: str  # of the request (method, path, body): same key, other body is a 409
    seal_key: bytes

    def reply(self, clock: Clock, status: int, body: str) -> replies.Reply:
        return replies.Reply(self.username, self.key, self.fingerprint, status, body,
                             clock.now(), reply_seal(self.seal_key, self.username, self.key,
                                                     self.fingerprint, status, body))


_VISIBLE_ASCII = re.compile(r"^[\x21-\x7e]{1,255}$")


def claim_for(username: str, field: str, key: str, where: str, document: Any,
              seal_key: bytes) -> IdempotencyClaim:
    """The claim a request (`where`: its method and path) with `document` as its body makes
    with `key`, given in `field`. Key order and spacing do not make another request; the
    values do."""
    if not _VISIBLE_ASCII.fullmatch(key):
        raise InvalidInput.field(field, "1-255 visible ASCII characters")
    canonical_body = "" if document is None else json.dumps(document, sort_keys=True)
    fingerprint = hashlib.sha256(f"{where}\n{canonical_body}".encode()).hexdigest()
    return IdempotencyClaim(username, key, fingerprint, seal_key)


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status: int
    body: str
    replayed: bool


Document = dict[str, Any] | msgspec.Struct  # a response: its struct (or a plain document)


def response_body(document: Document) -> str:
    return msgspec.json.encode(document).decode()


async def run_once(
    database: Database,
    clock: Clock,
    claim: IdempotencyClaim | None,
    status: int,
    operation: Callable[[], Awaitable[Document]],
) -> StoredResponse:
    """Runs `operation` in one write transaction that also stores the key and response,
    or replays the response an earlier request with the key got."""

    async def in_transaction() -> StoredResponse:
        async with database.write():
            body = response_body(await operation())
            if claim is not None:
                await replies.store(database, claim.reply(clock, status, body))
        return StoredResponse(status, body, replayed=False)

    return await answer_once(database, claim, in_transaction)


async def answer_once(
    database: Database,
    claim: IdempotencyClaim | None,
    attempt: Callable[[], Awaitable[StoredResponse]],
) -> StoredResponse:
    """`attempt` stores the key with what it writes; if it is refused, the response an
    earlier request with this key got is the answer instead."""
    try:
        return await attempt()
    except DomainError as refusal:
        if claim is None:
            raise
        earlier = await replies.find(database, claim.username, claim.key)
        if earlier is None:
            raise
        return replay(claim, earlier, refusal)


def replay(claim: IdempotencyClaim, earlier: replies.Reply, refusal: DomainError | None = None,
           key_field: str = "Idempotency-Key") -> StoredResponse:
    """The response an earlier request with the claim's key got, if it was this request.
    `key_field` is where the key was given (a batch item's `idempotency_key`)."""
    if earlier.fingerprint != claim.fingerprint:
        raise Conflict(
            "This Idempotency-Key was already used with a different request.",
            [FieldError(key_field, "already used with a different request body")],
        ) from refusal
    if not seal_holds(claim.seal_key, earlier):
        # Nothing is written twice either way; the caller learns the reply is suspect.
        raise Conflict(
            "The response stored for this Idempotency-Key fails its integrity check, "
            "so it is not replayed; an administrator should run 'aidledger verify'.",
            [FieldError(key_field, "its stored response was altered")],
        ) from refusal
    return StoredResponse(earlier.status, earlier.body, replayed=True)
