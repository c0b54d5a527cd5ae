"""A fund's head read under its lock is the head as the transaction it waited for left it,
cash included: what a batch's cash checks, an approval's reservation and a contended
group of postings are chained and checked against (PostgreSQL; SQLite has a single
writer, so nothing waits there)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest

from aidledger.domain.ledger import Entry, Line, seal
from aidledger.persistence import journal
from aidledger.persistence.database import Database, connect
from tests.support import Api, database_url, raw_sql, today

pytestmark = pytest.mark.postgres_only


async def _gift(database: Database, fund_id: str, code: str, amount: int) -> Entry:
    """Appends a gift (Dr 1000 / Cr 3000) inside the caller's transaction."""
    head = await journal.read_chain_head(database, fund_id, lock=True)
    ids = await journal.account_ids(database, fund_id, {"1000", "3000"})
    entry = seal(Entry(
        id=str(uuid.uuid4()), fund=code, currency="HKD", seq=head.last_seq + 1,
        date=datetime.fromisoformat(today()).date(), memo="gift", created_by="t-admin",
        lines=(Line("1000", amount, 0, ""), Line("3000", 0, amount, "")),
        created_at=datetime.now(UTC), reverses=None, source=None, prev_hash=head.last_hash))
    await journal.append_many(database, [(fund_id, entry, [ids["1000"], ids["3000"]])])
    return entry


def test_a_head_read_after_waiting_for_its_lock_sees_the_cash_committed_meanwhile(
        api: Api) -> None:
    code = api.new_fund(contribution="100.00")
    ((fund_id,),) = raw_sql(f"SELECT id FROM fund WHERE code = '{code}'")[0]

    async def run() -> tuple[Entry, journal.ChainHead]:
        first, second = connect(database_url()), connect(database_url())
        await first.start()
        await second.start()
        try:
            appended = asyncio.Event()
            gift: list[Entry] = []

            async def give() -> None:
                async with first.write():
                    gift.append(await _gift(first, fund_id, code, 2500))
                    appended.set()
                    await asyncio.sleep(0.3)  # the other reader is waiting for the lock

            async def read_locked() -> journal.ChainHead:
                await appended.wait()
                async with second.write():
                    return await journal.read_chain_head(second, fund_id, lock=True)

            _, head = await asyncio.gather(give(), read_locked())
            return gift[0], head
        finally:
            await first.close()
            await second.close()

    gift, head = asyncio.run(run())
    assert (head.last_seq, head.last_hash) == (gift.seq, gift.hash)
    assert head.cash == 10000 + 2500  # read before the fix: 10000, the cash before the gift
    assert api.balances(code)["1000"] == "125.00"
    assert api.verify(code)["ok"] is True
