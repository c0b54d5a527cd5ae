"""Appending an entry to a fund's chain: the one path every posting takes, manual or not.

Postings to one fund queue on its chain head, so the head is locked as late as possible:
the lines go in first (they need no lock), then the head is read under lock, the entry
numbered, chained and inserted, and the transaction commits.
"""

from __future__ import annotations

import uuid

from aidledger.domain.errors import FieldError, RuleViolation
from aidledger.domain.ledger import (
    Entry,
    EntryDraft,
    cash_movement,
    require_balanced,
    require_cash_available,
    seal,
)
from aidledger.persistence import journal
from aidledger.services.context import Actor, FundRef, ServiceContext


async def append_entry(
    context: ServiceContext,
    actor: Actor,
    fund: FundRef,
    draft: EntryDraft,
    *,
    releases_reservation: int = 0,
) -> Entry:
    """Call inside `database.write()`. Checks accounts and cash, numbers and chains the
    entry, and stores it. `releases_reservation` is what this payment was reserved for,
    so it may spend it."""
    require_balanced(draft.lines)
    account_ids = await _account_ids(context, fund, [line.account for line in draft.lines])
    entry_id = str(uuid.uuid4())
    await journal.insert_lines(context.database, entry_id, draft.lines, account_ids)
    head = await journal.lock_chain_head(context.database, fund.id)
    require_cash_available(head.cash, cash_movement(draft.lines),
                           head.reserved - releases_reservation)
    entry = seal(
        Entry(
            id=entry_id,
            fund=fund.code,
            currency=fund.currency,
            seq=head.last_seq + 1,
            date=draft.date,
            memo=draft.memo,
            lines=draft.lines,
            created_by=actor.username,
            created_at=context.clock.now(),
            reverses=draft.reverses,
            source=draft.source,
            prev_hash=head.last_hash,
        )
    )
    await journal.insert_entry(context.database, fund.id, entry)
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
