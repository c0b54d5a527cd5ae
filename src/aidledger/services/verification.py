"""Verifying the books from their own content: the hash chain and the running balances.

An auditor's check: every entry's hash is recomputed from its stored lines and fields,
in seq order from the genesis hash; every line must name an account of the entry's fund;
and every value kept beside the lines is worked out again and compared: running balances
and day totals from the lines, the chart of accounts from the record of its creation, the
fund's reservations from the approved loans and grants. The first thing that does not add
up is reported. What it cannot see (books rewritten whole) is what checkpoints are for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec

from aidledger.contract.audit import ChainHeadOut, FirstBadOut, VerifyOut
from aidledger.domain.ledger import GENESIS_HASH, ChainFault, chain_fault
from aidledger.domain.money import money_text
from aidledger.persistence import journal, replies
from aidledger.persistence import verification as stored
from aidledger.persistence.database import Database
from aidledger.services.context import FundRef, ServiceContext
from aidledger.services.funds import fund_in_path
from aidledger.services.idempotency import seal_holds

BATCH = 1000


@dataclass(frozen=True, slots=True)
class ChainWalk:
    checked: int  # entries found sound, from seq 1
    head_hash: str  # the hash of the last of them (the genesis hash when none)
    fault: ChainFault | None  # what is wrong with the entry after them, if anything


async def walk_chain(database: Database, fund_id: str,
                     last_seq: int | None = None) -> ChainWalk:
    """Recomputes the fund's chain from the genesis hash, entry by entry in seq order, up
    to `last_seq` (or to its end), stopping at the first entry that does not continue
    it. Call inside a snapshot, so that the walk sees one state of the books."""
    expected_seq, prev_hash = 1, GENESIS_HASH
    while last_seq is None or expected_seq <= last_seq:
        count = BATCH if last_seq is None else min(BATCH, last_seq - expected_seq + 1)
        batch = await journal.entries_by_seq(database, fund_id, expected_seq, count)
        if not batch:
            break
        for entry in batch:
            fault = chain_fault(entry, expected_seq, prev_hash)
            if fault is not None:
                return ChainWalk(expected_seq - 1, prev_hash, fault)
            expected_seq, prev_hash = entry.seq + 1, entry.hash
    return ChainWalk(expected_seq - 1, prev_hash, None)


async def verify_fund(context: ServiceContext, fund_reference: str) -> VerifyOut:
    fund = await fund_in_path(context, fund_reference)
    database = context.database
    async with database.snapshot():
        walk = await walk_chain(database, fund.id)
        checked, prev_hash = walk.checked, walk.head_hash
        if walk.fault is not None:
            return _result(checked, prev_hash, {
                "seq": walk.fault.seq, "entry_id": walk.fault.entry_id,
                "reason": walk.fault.reason})
        head = await journal.read_chain_head(database, fund.id)
        if (head.last_seq, head.last_hash) != (checked, prev_hash):
            return _result(checked, prev_hash, {
                "seq": None, "entry_id": None,
                "reason": "the fund's chain head does not match its last entry"})
        foreign = await stored.first_line_outside_fund(database, fund.id)
        if foreign is not None:
            return _result(checked, prev_hash, {
                "seq": foreign.seq, "entry_id": foreign.entry_id,
                "reason": f"a line names account {foreign.account} of another fund "
                          f"({foreign.account_fund})"})
        reason = await _derived_value_fault(database, fund)
    return _result(checked, prev_hash, None if reason is None else {
        "seq": None, "entry_id": None, "reason": reason})


async def _derived_value_fault(database: Database, fund: FundRef) -> str | None:
    """The first value kept beside the lines (balances, day totals, the chart, the
    reservations) that disagrees with what it is derived from."""
    currency = fund.currency
    for account in await journal.recomputed_balances(database, fund.id):
        if account.balance != account.from_lines:
            return (f"account {account.code}: running balance (debits less credits) "
                    f"{_amount(account.balance, currency)} differs from the sum of its "
                    f"lines {money_text(account.from_lines, currency)}")
    from_lines = await stored.day_totals_from_lines(database, fund.id)
    kept = await stored.stored_day_totals(database, fund.id)
    for account_day in sorted(from_lines.keys() | kept.keys()):
        if from_lines.get(account_day, (0, 0)) != kept.get(account_day, (0, 0)):
            code, day = account_day
            return (f"account {code}: the movements kept for {day} differ from that day's "
                    "lines, so balances as of earlier dates would be wrong")
    chart, created = (await stored.chart(database, fund.id),
                      await stored.chart_as_created(database, fund.id))
    for code in sorted(chart.keys() | created.keys()):
        if chart.get(code) != created.get(code):
            return (f"account {code}: name and type {chart.get(code)} differ from the record "
                    f"of its creation {created.get(code)}")
    reserved = await stored.reservations(database, fund.id)
    if reserved.first_wrong_subject is not None:
        return f"{reserved.first_wrong_subject}: its reservation does not match its state"
    if reserved.stored != reserved.approved:
        return (f"the fund's reservations {_amount(reserved.stored, currency)} differ from "
                f"the approved, unpaid loans and grants "
                f"{money_text(reserved.approved, currency)}")
    return None


def _amount(value: object, currency: str) -> str:
    """A stored value as money, or as it is when damage made it something else."""
    return money_text(value, currency) if isinstance(value, int) else repr(value)


async def first_altered_reply(context: ServiceContext) -> str | None:
    """The first stored idempotent reply whose seal no longer matches it ("user/key"), or
    None. Such a reply is never replayed; this finds it before anyone retries."""
    after = ("", "")
    while page := await replies.page_after(context.database, after, BATCH):
        for reply in page:
            if not seal_holds(context.reply_seal_key, reply):
                return f"{reply.username}/{reply.key}"
        after = (page[-1].username, page[-1].key)
    return None


def _result(checked: int, head_hash: str, first_bad: dict[str, Any] | None) -> VerifyOut:
    return VerifyOut(ok=first_bad is None, entries_checked=checked,
                     head=ChainHeadOut(seq=checked, hash=head_hash),
                     first_bad=None if first_bad is None else msgspec.convert(first_bad,
                                                                              FirstBadOut))
