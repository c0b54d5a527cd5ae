"""Verifying the books from their own content: the hash chain and the running balances.

An auditor's check: every entry's hash is recomputed from its stored lines and fields,
in seq order from the genesis hash, and every account's running balance is compared
with the sum of its lines. The first thing that does not add up is reported.
"""

from __future__ import annotations

from typing import Any

from aidledger.domain.ledger import GENESIS_HASH, chain_fault
from aidledger.persistence import journal
from aidledger.persistence.tables import Fund
from aidledger.services.context import ServiceContext
from aidledger.services.funds import fund_in_path

BATCH = 1000


async def verify_fund(context: ServiceContext, fund_reference: str) -> dict[str, Any]:
    fund = await fund_in_path(context, fund_reference)
    database = context.database
    async with database.snapshot():
        expected_seq, prev_hash = 1, GENESIS_HASH
        while batch := await journal.entries_by_seq(database, fund.id, expected_seq, BATCH):
            for entry in batch:
                fault = chain_fault(entry, expected_seq, prev_hash)
                if fault is not None:
                    return _result(expected_seq - 1, prev_hash, {
                        "seq": fault.seq, "entry_id": fault.entry_id, "reason": fault.reason})
                expected_seq, prev_hash = entry.seq + 1, entry.hash
        checked = expected_seq - 1
        head = await Fund.select(Fund.last_seq, Fund.last_hash).where(
            Fund.id == fund.id).first().run()
        if head is None or (head["last_seq"], head["last_hash"]) != (checked, prev_hash):
            return _result(checked, prev_hash, {
                "seq": None, "entry_id": None,
                "reason": "the fund's chain head does not match its last entry"})
        for account in await journal.recomputed_balances(database, fund.id):
            if account["balance"] != account["from_lines"]:
                return _result(checked, prev_hash, {
                    "seq": None, "entry_id": None,
                    "reason": f"account {account['code']}: running balance {account['balance']} "
                              f"differs from the sum of its lines {account['from_lines']}"})
    return _result(checked, prev_hash, None)


def _result(checked: int, head_hash: str, first_bad: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "ok": first_bad is None,
        "entries_checked": checked,
        "head": {"seq": checked, "hash": head_hash},
        "first_bad": first_bad,
    }
