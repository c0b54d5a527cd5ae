"""Appending an entry to a fund's chain: the one path every posting takes, manual or not.

Every posting to a fund queues on its chain head, so the head is held for as short a time
as possible. This process remembers each fund's head as it last saw it and numbers,
chains and checks (cash) the entry against that; the database appends it in one
statement only if the head is still exactly that, and otherwise answers with the head as
it is. Another process posting to the fund costs one extra statement, never a wrong or
lost entry: the triggers check the entry either way. While two processes keep posting
to one fund, each takes the head's lock before it chains instead (`_appended`).

A manual journal entry is nothing but its entry, so on PostgreSQL it is one statement
and no transaction at all (`post_entry`), and manual entries that arrive together go in
together (group commit); postings that change other rows too (loans, grants,
contributions) append inside their own transaction (`append_entry`); a batch appends
its entries with one statement inside its transaction (`append_entries`).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from aidledger.domain.errors import Conflict, DomainError, FieldError, RuleViolation
from aidledger.domain.ledger import (
    Entry,
    EntryDraft,
    cash_movement,
    entry_document,
    require_balanced,
    require_cash_available,
    seal,
)
from aidledger.persistence import journal
from aidledger.persistence.database import StorageConflict, StorageLimit
from aidledger.persistence.journal import ChainHead
from aidledger.persistence.replies import Reply
from aidledger.services.context import Actor, FundRef, PostingQueue, ServiceContext
from aidledger.services.idempotency import (
    IdempotencyClaim,
    StoredResponse,
    answer_once,
    response_body,
)


async def append_entry(
    context: ServiceContext,
    actor: Actor,
    fund: FundRef,
    draft: EntryDraft,
) -> Entry:
    """Call inside `database.write()`. Checks accounts and cash, numbers and chains the
    entry, and stores it. A payment of approved money releases its reservation first
    (`approvals.release`), so that it may spend it."""
    appending = await _Appending.prepare(context, actor, fund, draft)
    return await appending.settle(*await _remembered_head(context, fund))


async def post_entry(
    context: ServiceContext,
    actor: Actor,
    fund: FundRef,
    draft: EntryDraft,
    claim: IdempotencyClaim | None,
) -> StoredResponse:
    """Posts an entry that changes nothing else, storing the response under `claim`'s key
    with it.

    Group commit: postings to a fund that arrive while this process is appending to it
    wait in the fund's queue, and the fund's appender takes everything queued meanwhile
    together, lines, entries and replies in one statement under one lock of the head
    (PostgreSQL), and answers each after it has committed. Alone, a posting is that one
    statement with a single entry, as before."""
    waiting = _Waiting(await _Appending.prepare(context, actor, fund, draft), claim,
                       asyncio.get_running_loop().create_future())
    queue = context.posting_queues[fund.id]
    queue.waiting.append(waiting)
    if queue.appender is None:
        # An appender of its own, so that no request waits for others' groups after its own.
        queue.appender = asyncio.create_task(_append_queued(context, fund, queue))
    answer = waiting.answer
    return await answer_once(context.database, claim, lambda: answer)


MAX_GROUP = 200  # postings one statement takes from a fund's queue


async def _append_queued(context: ServiceContext, fund: FundRef, queue: PostingQueue) -> None:
    try:
        while queue.waiting:
            group = queue.waiting[:MAX_GROUP]
            del queue.waiting[:MAX_GROUP]
            await _append_group(context, fund, group, queue)
    finally:
        queue.appender = None


@dataclass(frozen=True, slots=True)
class _Waiting:
    appending: _Appending
    claim: IdempotencyClaim | None
    answer: asyncio.Future[StoredResponse]

    def reply(self, context: ServiceContext, entry: Entry) -> tuple[str, Reply | None]:
        body = response_body(entry_document(entry, reversed_by=None))
        return body, None if self.claim is None else self.claim.reply(context.clock, 201, body)


async def _append_group(context: ServiceContext, fund: FundRef, group: list[_Waiting],
                        queue: PostingQueue) -> None:
    """Appends the group and answers every posting in it; never raises (each posting's
    request hears its own answer, a failure included)."""
    try:
        if len(group) == 1 and fund.id not in context.shared_funds:
            await _answer_alone(context, fund, group[0])
            return
        try:
            answers = await _append_together(context, fund, group, queue)
        except (StorageConflict, StorageLimit):
            # The database refused what the checks let through (one posting's key already
            # used, say): each goes again on its own and hears its own answer.
            for waiting in group:
                await _answer_alone(context, fund, waiting)
            return
        for waiting, answer in zip(group, answers, strict=True):
            if isinstance(answer, DomainError):
                waiting.answer.set_exception(answer)
            else:
                waiting.answer.set_result(answer)
    except BaseException as failure:
        for waiting in group:
            if not waiting.answer.done():
                waiting.answer.set_exception(failure)
        if not isinstance(failure, Exception):
            raise


async def _answer_alone(context: ServiceContext, fund: FundRef, waiting: _Waiting) -> None:
    try:
        waiting.answer.set_result(await _append_alone(context, fund, waiting))
    except DomainError as refusal:
        waiting.answer.set_exception(refusal)


async def _append_alone(context: ServiceContext, fund: FundRef,
                        waiting: _Waiting) -> StoredResponse:
    bodies: dict[str, str] = {}

    def reply(entry: Entry) -> Reply | None:
        bodies[entry.id], stored = waiting.reply(context, entry)
        return stored

    async def attempt(head: ChainHead, fresh: bool) -> Entry | ChainHead:
        return await waiting.appending.once(head, fresh, reply)

    entry = await _appended(context, fund, attempt)
    return StoredResponse(201, bodies[entry.id], replayed=False)


async def _append_together(context: ServiceContext, fund: FundRef, group: list[_Waiting],
                           queue: PostingQueue) -> list[StoredResponse | DomainError]:
    """The group chained and appended with its replies in one statement
    (`journal.append_group`), see `_appended`. Postings that queued while the head's
    lock was awaited join the group."""

    def gather() -> None:
        taken = queue.waiting[:MAX_GROUP - len(group)]
        del queue.waiting[:len(taken)]
        group.extend(taken)

    async def attempt(head: ChainHead, fresh: bool,
                      ) -> list[StoredResponse | DomainError] | ChainHead:
        return await _append_group_from(context, fund, group, head, fresh)

    return await _appended(context, fund, attempt, gather)


_Outcome = TypeVar("_Outcome")


async def _appended(context: ServiceContext, fund: FundRef,
                    attempt: Callable[[ChainHead, bool], Awaitable[_Outcome | ChainHead]],
                    locked: Callable[[], None] = lambda: None) -> _Outcome:
    """What `attempt` appended from the fund's head: from the head this process
    remembers, in one statement and no transaction, while no other process is seen
    posting to the fund; otherwise in a transaction, from the head locked first.

    Chaining from a remembered head that another process keeps moving wastes a statement
    on every group, and the work of sealing it, so once a head is seen moved the fund's
    next groups wait for the lock instead, and while they wait, this process's postings
    gather into the next group. A locked head that is still the one remembered means the
    other process has stopped: the fund goes back to the cheaper way."""
    remembered = context.chain_heads.get(fund.id)
    if remembered is not None and fund.id not in context.shared_funds:
        outcome = await attempt(remembered, False)
        if not isinstance(outcome, ChainHead):
            return outcome
        if outcome != remembered:  # not just the cash rule asking for a fresh head
            context.shared_funds.add(fund.id)
    async with context.database.write():
        head = await journal.read_chain_head(context.database, fund.id, lock=True)
        locked()
        if head == remembered:
            context.shared_funds.discard(fund.id)
        outcome = await attempt(head, True)
    # The head was locked, so nobody could have moved it.
    assert not isinstance(outcome, ChainHead), "a locked head moved"
    return outcome


async def _append_group_from(context: ServiceContext, fund: FundRef, group: list[_Waiting],
                             head: ChainHead, fresh: bool,
                             ) -> list[StoredResponse | DomainError] | ChainHead:
    """The group's answers, or a fresher head to try again from."""
    chained = _chain([waiting.appending for waiting in group], {fund.id: head},
                     context.clock.now())
    if not fresh and any(isinstance(outcome, Conflict) for outcome in chained.outcomes):
        # A remembered head may be out of date: only the database's word refuses.
        return await journal.read_chain_head(context.database, fund.id)
    answers: list[StoredResponse | DomainError] = []
    stored: list[Reply] = []
    for waiting, outcome in zip(group, chained.outcomes, strict=True):
        if isinstance(outcome, DomainError):
            answers.append(outcome)
            continue
        body, reply = waiting.reply(context, outcome)
        if reply is not None:
            stored.append(reply)
        answers.append(StoredResponse(201, body, replayed=False))
    if not chained.appended:
        return answers  # every one refused (on a fresh head): nothing to append
    moved = await journal.append_group(context.database, fund.id, head,
                                       [(entry, ids) for _, entry, ids in chained.appended],
                                       stored)
    if moved is not None:
        return moved
    context.chain_heads.update(chained.heads)  # as `once` does
    return answers


async def append_entries(context: ServiceContext, actor: Actor,
                         drafts: Sequence[tuple[FundRef, EntryDraft]],
                         ) -> list[Entry | DomainError]:
    """Call inside `database.write()`. Appends many entries at once (a batch), see
    `_append_prepared`; a draft whose accounts are not the fund's is refused alone."""
    prepared: list[_Appending | DomainError] = []
    for fund, draft in drafts:
        try:
            prepared.append(await _Appending.prepare(context, actor, fund, draft))
        except DomainError as refusal:
            prepared.append(refusal)
    appended = iter(await _append_prepared(context, [item for item in prepared
                                                     if isinstance(item, _Appending)]))
    return [item if isinstance(item, DomainError) else next(appended) for item in prepared]


async def _append_prepared(context: ServiceContext,
                           appendings: Sequence[_Appending]) -> list[Entry | DomainError]:
    """Inside a transaction: each fund's head is locked, the entries chained from it
    (`_chain`), and every entry accepted goes in with one statement
    (`journal.append_many`)."""
    heads = {fund_id: await journal.read_chain_head(context.database, fund_id, lock=True)
             for fund_id in sorted({item.fund.id for item in appendings})}  # no deadlock
    chained = _chain(appendings, heads, context.clock.now())
    await journal.append_many(context.database, chained.appended)
    context.chain_heads.update(chained.heads)  # as `once` does: corrected if rolled back
    return chained.outcomes


@dataclass(frozen=True, slots=True)
class _Chained:
    outcomes: list[Entry | DomainError]  # each appending's entry, or why it was refused
    appended: list[tuple[str, Entry, Sequence[int]]]  # (fund id, entry, account ids)
    heads: dict[str, ChainHead]  # each fund's head after them


def _chain(appendings: Sequence[_Appending], heads: dict[str, ChainHead],
           created_at: datetime) -> _Chained:
    """Each entry's cash checked and the entry numbered and chained after the one before,
    from each fund's head in `heads`. An entry refused takes no place in any chain. The
    entries go in together, so they share one moment of creation."""
    heads = dict(heads)
    outcomes: list[Entry | DomainError] = []
    appended: list[tuple[str, Entry, Sequence[int]]] = []
    for appending in appendings:
        fund = appending.fund
        head = heads[fund.id]
        movement = cash_movement(appending.draft.lines)
        try:
            require_cash_available(head.cash, movement, head.reserved, fund.currency)
        except DomainError as refusal:
            outcomes.append(refusal)
            continue
        entry = appending.sealed(head, created_at)
        heads[fund.id] = ChainHead(entry.seq, entry.hash, head.reserved, head.cash + movement)
        appended.append((fund.id, entry, appending.account_ids))
        outcomes.append(entry)
    return _Chained(outcomes, appended, heads)


async def _remembered_head(context: ServiceContext, fund: FundRef) -> tuple[ChainHead, bool]:
    """The head to start from, and whether it was just read (rather than remembered)."""
    head = context.chain_heads.get(fund.id)
    if head is not None:
        return head, False
    return await journal.read_chain_head(context.database, fund.id), True


def _no_reply(entry: Entry) -> Reply | None:
    return None


@dataclass(frozen=True, slots=True)
class _Appending:
    context: ServiceContext
    actor: Actor
    fund: FundRef
    draft: EntryDraft
    account_ids: list[int]

    @classmethod
    async def prepare(cls, context: ServiceContext, actor: Actor, fund: FundRef,
                      draft: EntryDraft) -> _Appending:
        require_balanced(draft.lines, fund.currency)
        account_ids = await _account_ids(context, fund, [line.account for line in draft.lines])
        return cls(context, actor, fund, draft, account_ids)

    def sealed(self, head: ChainHead, created_at: datetime) -> Entry:
        """The entry, numbered and chained as the one after `head`."""
        return seal(Entry(
            id=str(uuid.uuid4()),
            fund=self.fund.code,
            currency=self.fund.currency,
            seq=head.last_seq + 1,
            date=self.draft.date,
            memo=self.draft.memo,
            lines=self.draft.lines,
            created_by=self.actor.username,
            created_at=created_at,
            reverses=self.draft.reverses,
            source=self.draft.source,
            prev_hash=head.last_hash,
        ))

    async def settle(self, head: ChainHead, fresh: bool) -> Entry:
        """Inside a transaction. A head that moved is read again under its lock, so the
        second try cannot meet a moved head. (The head the append statement answers with
        is no substitute: after waiting for another transaction it holds that one's seq
        but the cash from before it, see `journal.read_chain_head`.)"""
        outcome = await self.once(head, fresh, _no_reply)
        if isinstance(outcome, Entry):
            return outcome
        locked = await journal.read_chain_head(self.context.database, self.fund.id, lock=True)
        outcome = await self.once(locked, True, _no_reply)
        assert isinstance(outcome, Entry), "a locked head moved"
        return outcome

    async def once(self, head: ChainHead, fresh: bool,
                   reply: Callable[[Entry], Reply | None]) -> Entry | ChainHead:
        """Appends the entry from `head`, or returns a fresher head to try again from."""
        movement = cash_movement(self.draft.lines)
        try:
            require_cash_available(head.cash, movement, head.reserved, self.fund.currency)
        except Conflict:
            if fresh:
                raise
            # A remembered head may be out of date: only the database's word refuses.
            return await journal.read_chain_head(self.context.database, self.fund.id)
        entry = self.sealed(head, self.context.clock.now())
        moved = await journal.append(self.context.database, self.fund.id, head, entry,
                                     self.account_ids, reply(entry))
        if moved is not None:
            return moved
        # If an enclosing transaction rolls back, this is ahead of the database; the next
        # posting then meets a moved head and corrects it.
        self.context.chain_heads[self.fund.id] = ChainHead(
            entry.seq, entry.hash, head.reserved, head.cash + movement)
        return entry


async def _account_ids(context: ServiceContext, fund: FundRef, codes: list[str]) -> list[int]:
    """The account id of each line, or a 422 naming every line whose account is unknown.
    Accounts are never deleted and their codes never change, so ids are remembered."""
    known = context.known_accounts
    missing = {code for code in codes if (fund.id, code) not in known}
    if missing:
        known.update({(fund.id, code): account_id for code, account_id in
                      (await journal.account_ids(context.database, fund.id, missing)).items()})
    unknown = [
        FieldError(f"lines[{index}].account", f"fund {fund.code!r} has no account {code!r}")
        for index, code in enumerate(codes)
        if (fund.id, code) not in known
    ]
    if unknown:
        raise RuleViolation("The entry names accounts the fund does not have.", unknown)
    return [known[(fund.id, code)] for code in codes]
