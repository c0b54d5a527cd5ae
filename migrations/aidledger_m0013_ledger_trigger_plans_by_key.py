"""The ledger's statement trigger (PostgreSQL) with work per entry that does not grow
with the books, and one pass where it made three.

- Its balance and day-total updates joined the new entries to their lines by hashing
  every line in the books (a plan chosen while the tables were small, and kept: plpgsql
  plans once per session): a batch of 100 entries spent 1.4 ms there at first and
  18.7 ms after 30,000 entries, and batches of 100 fell from 3,522 to 2,272 entries/s
  over three rounds of 10,000. Each entry's lines are now read by its key in a subquery
  the planner may not turn into a join, and no plan may hash or merge.
- The three checks of the new entries' lines (balanced, within the limits, accounts of
  the entry's own fund) are one pass over the lines, raising the same errors in the same
  order.

SQLite: unchanged (no statement triggers; its row triggers look up by key).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Ledger statement trigger: plans by key, one pass for the line checks"

MAX_LINES = 1000
MAX_ENTRY_TOTAL = 10**15

POSTGRES = [
    f"""
    CREATE OR REPLACE FUNCTION journal_entries_appended() RETURNS trigger LANGUAGE plpgsql
    -- Its queries are planned once per session, maybe while the tables are still small,
    -- and a plan made then stays. So that every plan goes from the new entries to their
    -- lines and accounts by key however large the books grow: each entry's lines are a
    -- LATERAL subquery that OFFSET 0 keeps from being turned into a join over all lines,
    -- and neither sequential scans nor hash or merge joins are used. JIT never pays for
    -- statements this small (it took 90 ms of one).
    SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off
    SET jit = off AS $$
    DECLARE
        unbalanced BOOLEAN;
        too_large BOOLEAN;
        stray BOOLEAN;
    BEGIN
        -- One pass over the new entries' lines for the three checks, raised in the order
        -- the three passes raised them before.
        SELECT coalesce(bool_or(total.lines < 2 OR total.debits <> total.credits), false),
               coalesce(bool_or(total.lines > {MAX_LINES} OR total.debits > {MAX_ENTRY_TOTAL}),
                        false),
               coalesce(bool_or(total.stray), false)
        INTO unbalanced, too_large, stray
        FROM added AS e CROSS JOIN LATERAL (
            SELECT count(*) AS lines, coalesce(sum(line.debit), 0) AS debits,
                   coalesce(sum(line.credit), 0) AS credits,
                   bool_or(account.fund_id <> e.fund_id) AS stray
            FROM journal_line AS line LEFT JOIN account ON account.id = line.account_id
            WHERE line.entry_id = e.id OFFSET 0) AS total;
        IF unbalanced THEN
            RAISE EXCEPTION 'ledger: entry does not balance';
        END IF;
        IF too_large THEN
            RAISE EXCEPTION 'ledger limit: the entry moves more than one entry may';
        END IF;
        IF stray THEN
            RAISE EXCEPTION 'ledger: a line names an account of another fund';
        END IF;
        -- Lock the heads (in one order, so two writers never wait on each other) so that
        -- writers who skipped the application's lock still queue here.
        PERFORM 1 FROM fund WHERE id IN (SELECT fund_id FROM added) ORDER BY id FOR UPDATE;
        IF EXISTS (
            SELECT 1 FROM (
                SELECT e.fund_id, e.seq, e.prev_hash,
                       row_number() OVER chain AS position,
                       lag(e.hash) OVER chain AS hash_before
                FROM added AS e WINDOW chain AS (PARTITION BY e.fund_id ORDER BY e.seq)
            ) AS link JOIN fund ON fund.id = link.fund_id
            WHERE link.seq <> fund.last_seq + link.position
               OR link.prev_hash <> coalesce(link.hash_before, fund.last_hash)
        ) THEN
            RAISE EXCEPTION 'ledger: seq or prev_hash does not continue the chain';
        END IF;
        UPDATE fund SET last_seq = head.seq, last_hash = head.hash
        FROM (SELECT DISTINCT ON (fund_id) fund_id, seq, hash FROM added
              ORDER BY fund_id, seq DESC) AS head
        WHERE fund.id = head.fund_id;
        UPDATE account SET balance = account.balance + movement.amount
        FROM (
            SELECT line.account_id, sum(line.debit) - sum(line.credit) AS amount
            FROM added AS e CROSS JOIN LATERAL (
                SELECT account_id, debit, credit FROM journal_line
                WHERE journal_line.entry_id = e.id OFFSET 0) AS line
            GROUP BY line.account_id
        ) AS movement
        WHERE account.id = movement.account_id;
        INSERT INTO account_day (account_id, day, debit, credit)
            SELECT line.account_id, e.entry_date, sum(line.debit), sum(line.credit)
            FROM added AS e CROSS JOIN LATERAL (
                SELECT account_id, debit, credit FROM journal_line
                WHERE journal_line.entry_id = e.id OFFSET 0) AS line
            GROUP BY line.account_id, e.entry_date ORDER BY line.account_id, e.entry_date
            ON CONFLICT (account_id, day) DO UPDATE
            SET debit = account_day.debit + EXCLUDED.debit,
                credit = account_day.credit + EXCLUDED.credit;
        INSERT INTO audit_event (at, actor, action, subject_kind, subject_id, fund_id,
                                 after_state)
            SELECT created_at, created_by, 'journal_entry.posted', 'journal_entry', id,
                   fund_id, json_build_object('seq', seq, 'hash', hash)::text
            FROM added ORDER BY fund_id, seq;
        RETURN NULL;
    END $$
    """,
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="aidledger", description=DESCRIPTION)

    async def per_statement() -> None:
        engine = engine_finder()
        assert engine is not None
        if engine.engine_type == "postgres":
            for statement in POSTGRES:
                await engine.run_ddl(statement)

    manager.add_raw(per_statement)
    return manager
