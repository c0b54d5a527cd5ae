"""A fund's head read under its lock is the head as the transaction it waited for left it,
cash included: what a batch's cash checks, an approval's reservation and a contended
group of postings are chained and checked against (PostgreSQL; SQLite has a single
writer, so nothing waits there)."""

from __future__ import annotations

import asyncio
import os
import uuid
from datetime import UTC, datetime

import pytest

from aidledger.bootstrap import open_services
from aidledger.domain.ledger import Entry, EntryDraft, Line, seal
from aidledger.persistence import journal
from aidledger.persistence.database import Database, connect
from aidledger.services.context import Actor, FundRef, Role
from aidledger.services.posting import append_entry
from aidledger.settings import load_settings
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


def test_an_entry_that_waited_for_the_head_is_checked_against_the_cash_committed_meanwhile(
        api: Api) -> None:
    """A posting inside a transaction (a grant's payment, say) chained from a head this
    process remembers, while another transaction adds cash and holds the head: its cash
    check is made on the cash that transaction left, so spending the gift is no refusal."""
    code = api.new_fund(contribution="10.00")
    ((fund_id,),) = raw_sql(f"SELECT id FROM fund WHERE code = '{code}'")[0]
    actor = Actor("t-admin", Role.ADMIN, None)
    fund = FundRef(fund_id, code, "HKD")

    def spend(amount: int) -> EntryDraft:
        return EntryDraft(date=datetime.fromisoformat(today()).date(), memo="spend",
                          lines=(Line("5000", amount, 0), Line("1000", 0, amount)))

    async def run() -> Entry:
        giver = connect(database_url())
        await giver.start()
        try:
            async with open_services(load_settings(dict(os.environ))) as context:
                async with context.database.write():  # remembered from here: 9.00 of cash
                    await append_entry(context, actor, fund, spend(100))
                appended = asyncio.Event()

                async def give() -> None:
                    async with giver.write():
                        await _gift(giver, fund_id, code, 5000)
                        appended.set()
                        await asyncio.sleep(0.3)  # the spending waits for the head meanwhile

                async def spend_the_gift() -> Entry:
                    await appended.wait()
                    async with context.database.write():
                        return await append_entry(context, actor, fund, spend(3000))

                _, entry = await asyncio.gather(give(), spend_the_gift())
                return entry
        finally:
            await giver.close()

    entry = asyncio.run(run())  # before the fix: 409, checked against 9.00
    assert entry.seq == 4
    assert api.balances(code)["1000"] == "29.00"
    assert api.verify(code)["ok"] is True
