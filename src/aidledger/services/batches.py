"""Batches: many postings in one request (a month's settlement file, say), each item with
its own idempotency key, either all or nothing (`atomic`) or each on its own
(`independent`).

Either way a batch is one write transaction, so it costs one commit rather than one per
item. In independent mode each item runs in a savepoint of its own, so a refused item is
undone alone and the others stand. An item whose key already has a stored reply is
answered with that reply and written nowhere again, exactly as a single request with the
key would be; a refused item stores nothing, so it may be sent again with its key.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from aidledger.domain.errors import DomainError, FieldError, RuleViolation
from aidledger.persistence import replies
from aidledger.persistence.database import StorageConflict
from aidledger.persistence.replies import Reply
from aidledger.services.context import ServiceContext
from aidledger.services.idempotency import (
    Document,
    IdempotencyClaim,
    StoredResponse,
    replay,
    response_body,
)

_KEY = "idempotency_key"  # where an item gives its key


class BatchMode(StrEnum):
    ATOMIC = "atomic"
    INDEPENDENT = "independent"


@dataclass(frozen=True, slots=True)
class BatchItem:
    claim: IdempotencyClaim
    # Does the item's work inside the batch's transaction and returns its response.
    operation: Callable[[], Awaitable[Document]]


@dataclass(frozen=True, slots=True)
class ItemOutcome:
    index: int
    response: StoredResponse | None  # what an accepted (or replayed) item answers
    refusal: DomainError | None  # why an item of an independent batch was refused


class BatchRefused(RuleViolation):
    """An atomic batch refused as a whole, naming the first item that was refused and why,
    its fields prefixed with where the item is in the body (`entries[3].lines[0].account`)."""

    def __init__(self, items_field: str, index: int, refusal: DomainError):
        where = f"{items_field}[{index}]"
        super().__init__(
            f"{where} was refused, so nothing in the batch was written: {refusal.detail}",
            [FieldError(f"{where}.{error.field}", error.message) for error in refusal.errors]
            or [FieldError(where, refusal.detail)],
            index=index,
        )
        self.refusal = refusal


async def run_batch(context: ServiceContext, mode: BatchMode, items_field: str,
                    items: Sequence[BatchItem], status: int) -> list[ItemOutcome]:
    """Runs every item in order in one transaction; see the module's description."""
    repeated = _repeated_keys(items)
    if mode is BatchMode.ATOMIC and repeated:
        raise BatchRefused(items_field, min(repeated), repeated[min(repeated)])
    try:
        return await _attempt(context, mode, items_field, items, status, repeated)
    except StorageConflict as conflict:
        if not (conflict.kind == "unique" and conflict.concerns("idempotency")):
            raise
        # A request with one of these keys committed after they were looked up: look
        # again, and its reply is then replayed.
        return await _attempt(context, mode, items_field, items, status, repeated)


async def _attempt(context: ServiceContext, mode: BatchMode, items_field: str,
                   items: Sequence[BatchItem], status: int,
                   repeated: dict[int, DomainError]) -> list[ItemOutcome]:
    database = context.database
    username = items[0].claim.username if items else ""
    earlier = await replies.find_many(database, username,
                                      sorted({item.claim.key for item in items}))
    outcomes: list[ItemOutcome] = []
    stored: list[Reply] = []
    async with database.write():
        for index, item in enumerate(items):
            try:
                if index in repeated:
                    raise repeated[index]
                found = earlier.get(item.claim.key)
                if found is not None:
                    outcomes.append(ItemOutcome(index, replay(item.claim, found, None, _KEY),
                                                None))
                    continue
                if mode is BatchMode.ATOMIC:
                    body = response_body(await item.operation())
                else:
                    async with database.savepoint():
                        body = response_body(await item.operation())
                        # Stored in the item's savepoint: a key taken meanwhile by another
                        # request undoes this item alone (then replayed below).
                        await replies.store(database, item.claim.reply(context.clock, status,
                                                                       body))
            except DomainError as refusal:
                if mode is BatchMode.ATOMIC:
                    raise BatchRefused(items_field, index, refusal) from refusal
                outcomes.append(await _refused(context, item, index, refusal))
                continue
            if mode is BatchMode.ATOMIC:
                stored.append(item.claim.reply(context.clock, status, body))
            outcomes.append(ItemOutcome(index, StoredResponse(status, body, False), None))
        await replies.store_many(database, stored)
    return outcomes


async def _refused(context: ServiceContext, item: BatchItem, index: int,
                   refusal: DomainError) -> ItemOutcome:
    """An item of an independent batch that was refused, unless its key had been used by
    a request that committed meanwhile: then that request's reply is the answer."""
    if isinstance(refusal, StorageConflict) and refusal.concerns("idempotency"):
        found = await replies.find(context.database, item.claim.username, item.claim.key)
        if found is not None:
            try:
                return ItemOutcome(index, replay(item.claim, found, refusal, _KEY), None)
            except DomainError as conflict:
                return ItemOutcome(index, None, conflict)
    return ItemOutcome(index, None, refusal)


def _repeated_keys(items: Sequence[BatchItem]) -> dict[int, DomainError]:
    """Items that use a key an earlier item of the same batch uses, by index."""
    first: dict[str, int] = {}
    repeated: dict[int, DomainError] = {}
    for index, item in enumerate(items):
        if item.claim.key in first:
            repeated[index] = RuleViolation.field(
                _KEY, f"is item {first[item.claim.key]}'s key too: each item "
                                   "of a batch needs a key of its own")
        else:
            first[item.claim.key] = index
    return repeated
