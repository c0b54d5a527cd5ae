"""Appending an entry to a fund's chain: the one path every posting takes, manual or not."""

from __future__ import annotations

import uuid

from aidledger.domain.errors import FieldError, RuleViolation
from aidledger.domain.ledger import (
    CASH_ACCOUNT,
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
    """Call inside `database.write()`. Locks the fund's head, checks accounts and cash,
    numbers and chains the entry, and stores it. `releases_reservation` is what this
    payment was reserved for, so it may spend it."""
    require_balanced(draft.lines)
    head = await journal.lock_chain_head(
        context.database, fund.id, {line.account for line in draft.lines} | {CASH_ACCOUNT}
    )
    unknown = [
        FieldError(f"lines[{index}].account", f"fund {fund.code!r} has no account {line.account!r}")
        for index, line in enumerate(draft.lines)
        if line.account not in head.accounts
    ]
    if unknown:
        raise RuleViolation("The entry names accounts the fund does not have.", unknown)
    require_cash_available(
        head.accounts[CASH_ACCOUNT].balance,
        cash_movement(draft.lines),
        head.reserved - releases_reservation,
    )
    entry = seal(
        Entry(
            id=str(uuid.uuid4()),
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
    await journal.insert_entry(
        context.database, fund.id, entry,
        {code: account.id for code, account in head.accounts.items()},
    )
    return entry
