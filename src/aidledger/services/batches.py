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
from typing import TypeVar

from aidledger.domain.errors import DomainError, FieldError, RuleViolation
from aidledger.persistence import replies
from aidledger.persistence.database import StorageConflict, StorageLimit
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
Prepared = TypeVar("Prepared")  # an item checked and ready to be written


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


class RunOneByOne(Exception):
    """Raised by a batch's `apply` (`run_batch_at_once`) that finds its items cannot be
    answered together after all: the batch is rolled back and run item by item."""


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
    repeated = _repeated_keys(items_field, mode, [item.claim for item in items])
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
    earlier = await _earlier_replies(context, [item.claim for item in items])
    outcomes: list[ItemOutcome] = []
    stored: list[Reply] = []
    async with database.write():
        for index, item in enumerate(items):
            try:
                answered = _answered_before(index, item.claim, earlier, repeated)
                if answered is not None:
                    outcomes.append(answered)
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


async def _earlier_replies(context: ServiceContext,
                           claims: Sequence[IdempotencyClaim]) -> dict[str, Reply]:
    username = claims[0].username if claims else ""
    return await replies.find_many(context.database, username,
                                   sorted({claim.key for claim in claims}))


def _answered_before(index: int, claim: IdempotencyClaim, earlier: dict[str, Reply],
                     repeated: dict[int, DomainError]) -> ItemOutcome | None:
    """The answer an item has before it is tried: its key's earlier reply, replayed; None
    for a new item. Raises the item's refusal: a key an earlier item of the batch has, or
    one used before for another request."""
    if index in repeated:
        raise repeated[index]
    found = earlier.get(claim.key)
    return None if found is None else ItemOutcome(index, replay(claim, found, None, _KEY),
                                                  None)


def _repeated_keys(items_field: str, mode: BatchMode,
                   claims: Sequence[IdempotencyClaim]) -> dict[int, DomainError]:
    """Items that use a key an earlier item of the same batch uses, by index; an atomic
    batch with any is refused at once, naming the first."""
    first: dict[str, int] = {}
    repeated: dict[int, DomainError] = {}
    for index, claim in enumerate(claims):
        if claim.key in first:
            repeated[index] = RuleViolation.field(
                _KEY, f"is item {first[claim.key]}'s key too: each item of a batch needs "
                      "a key of its own")
        else:
            first[claim.key] = index
    if mode is BatchMode.ATOMIC and repeated:
        raise BatchRefused(items_field, min(repeated), repeated[min(repeated)])
    return repeated


async def run_batch_at_once(
    context: ServiceContext, mode: BatchMode, items_field: str,
    claims: Sequence[IdempotencyClaim],
    prepare: Callable[[int], Awaitable[Prepared]],
    apply: Callable[[list[Prepared]], Awaitable[list[Document | DomainError]]],
    one_by_one: Callable[[], Sequence[BatchItem]], status: int,
) -> list[ItemOutcome]:
    """A batch whose items can be written together (journal entries: one statement for
    all of them), with the same answers `run_batch` gives. `prepare` checks item `index`
    without writing (a refusal raises); `apply` writes every prepared item in one go
    inside the transaction and answers each with its response or its refusal.

    If the database refuses what the checks let through (an amount beyond the books'
    limits, a key another request took meanwhile), or `apply` raises RunOneByOne, the
    batch is rolled back and run again item by item (`one_by_one`), which finds the item
    and names it."""
    try:
        return await _at_once(context, mode, items_field, claims, prepare, apply, status)
    except (StorageConflict, StorageLimit, RunOneByOne):
        return await run_batch(context, mode, items_field, one_by_one(), status)


async def _at_once(
    context: ServiceContext, mode: BatchMode, items_field: str,
    claims: Sequence[IdempotencyClaim],
    prepare: Callable[[int], Awaitable[Prepared]],
    apply: Callable[[list[Prepared]], Awaitable[list[Document | DomainError]]],
    status: int,
) -> list[ItemOutcome]:
    atomic = mode is BatchMode.ATOMIC
    repeated = _repeated_keys(items_field, mode, claims)
    database = context.database
    earlier = await _earlier_replies(context, claims)
    outcomes: dict[int, ItemOutcome] = {}
    new: list[int] = []
    prepared: list[Prepared] = []
    for index, claim in enumerate(claims):
        try:
            answered = _answered_before(index, claim, earlier, repeated)
            if answered is not None:
                outcomes[index] = answered
                continue
            prepared.append(await prepare(index))
        except DomainError as refusal:
            if atomic:
                raise BatchRefused(items_field, index, refusal) from refusal
            outcomes[index] = ItemOutcome(index, None, refusal)
            continue
        new.append(index)
    async with database.write():
        stored: list[Reply] = []
        for index, result in zip(new, await apply(prepared), strict=True):
            if isinstance(result, DomainError):
                if atomic:
                    raise BatchRefused(items_field, index, result) from result
                outcomes[index] = ItemOutcome(index, None, result)
                continue
            body = response_body(result)
            stored.append(claims[index].reply(context.clock, status, body))
            outcomes[index] = ItemOutcome(index, StoredResponse(status, body, False), None)
        await replies.store_many(database, stored)
    return [outcomes[index] for index in range(len(claims))]
