"""The ledger's statement trigger reads the lines of the entries it appends by key, not every
line in the books (PostgreSQL plans it once per session and keeps the plan, so a plan
that scans history would slow every posting as the books grow).

An entry is appended by hand in a transaction that is rolled back, on a connection whose
nested plans auto_explain reports to it, after the fund has some history."""


from __future__ import annotations

import asyncio
import re
import uuid
from typing import Any

import asyncpg
import pytest

from tests.support import Api, database_url, today

pytestmark = pytest.mark.postgres_only

HISTORY = 300  # entries in the fund before the one watched, two lines each


def _history(api: Api, fund: str) -> None:
    entries = [{"idempotency_key": f"history-{uuid.uuid4().hex}", "fund": fund,
                "date": today(), "memo": "history",
                "lines": [{"account": "5000", "debit": "1.00"},
                          {"account": "1000", "credit": "1.00"}]}
               for _ in range(HISTORY)]
    posted = api.post("/api/journal/batch", {"mode": "atomic", "entries": entries}, key=None)
    assert posted.status_code == 201, posted.text


async def _plans_of_one_append(fund_code: str) -> list[str]:
    connection = await asyncpg.connect(database_url())
    plans: list[str] = []
    connection.add_log_listener(lambda _, message: plans.append(message.message))
    try:
        for setting in ("LOAD 'auto_explain'", "SET auto_explain.log_min_duration = 0",
                        "SET auto_explain.log_analyze = on",
                        "SET auto_explain.log_nested_statements = on",
                        "SET client_min_messages = log",
                        # The planner pushed towards joining whole tables, as statistics
                        # from when the tables were small push it: the trigger's own
                        # settings must still keep its plans by key.
                        "SET enable_nestloop = off"):
            await connection.execute(setting)
        transaction = connection.transaction()
        await transaction.start()
        try:
            fund: Any = await connection.fetchrow(
                "SELECT id, last_seq, last_hash FROM fund WHERE code = $1", fund_code)
            accounts = dict(await connection.fetch(
                "SELECT code, id FROM account WHERE fund_id = $1 AND code IN ('1000', '5000')",
                fund["id"]))
            plans.clear()  # only the append is watched
            # Lines and entry in one statement, as the line trigger wants (migration 0014).
            await connection.execute(
                "WITH line AS (INSERT INTO journal_line (entry_id, line_no, account_id, debit, "
                "credit, memo) VALUES ($1, 0, $2, 100, 0, NULL), ($1, 1, $3, 0, 100, NULL)) "
                "INSERT INTO journal_entry (id, fund_id, seq, entry_date, memo, created_by, "
                "created_at, prev_hash, hash) VALUES ($1, $4, $5, CURRENT_DATE, 'watched', "
                "'t-admin', now(), $6, $7)",
                str(uuid.uuid4()), accounts["5000"], accounts["1000"], fund["id"],
                fund["last_seq"] + 1, fund["last_hash"], "0" * 64)
            await asyncio.sleep(0)  # the log messages are delivered to the listener
        finally:
            await transaction.rollback()
    finally:
        await connection.close()
    return plans


def test_the_statement_trigger_reads_lines_by_key_however_long_the_history(api: Api) -> None:
    fund = api.new_fund(contribution="10000.00")
    _history(api, fund)
    before = api.balances(fund)
    plans = asyncio.run(_plans_of_one_append(fund))
    trigger = [plan for plan in plans if "journal_line" in plan and "added" in plan]
    assert len(trigger) >= 3, plans  # the checks, the balances and the day totals
    for plan in trigger:
        assert "Hash Join" not in plan and "Merge Join" not in plan, plan
        # Every scan of journal_line reads the new entry's two lines, not the history's.
        read = [int(rows) for rows in re.findall(
            r"on journal_line[^\n]*actual time=[^ ]+ rows=(\d+)", plan)]
        assert read and max(read) <= 2, plan
    assert api.balances(fund) == before  # rolled back: nothing was written
