"""Ledger triggers whose plans cannot grow with history (PostgreSQL).

A session plans each trigger query once and keeps the plan. Planned while the tables
were new and small, two of the first migration's queries went wrong: the entry triggers
joined lines to `account` by scanning the whole account table, and the check that the
chain head moves only to an existing entry looked the entry up through the fund-and-date
index, reading every entry of the fund. Both grow with history, so a server's first
sessions on a new database slowed down posting after posting (measured: 952 appends/s
falling to 458/s within 8,000 entries; autovacuum, whose statistics would make the
sessions plan afresh, is off on some servers). Now:

- each line's account is looked up by its key, and the balance and same-fund checks
  share one pass over the entry's lines;
- the head may move only one step and only from inside the entry trigger (which sets it
  to the entry it has just checked), a rule that needs no query at all.

SQLite plans each statement afresh; its triggers are unchanged.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T23:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Ledger trigger queries that stay flat as history grows"

POSTGRES = [
    """
    CREATE OR REPLACE FUNCTION journal_entry_checks() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        line_count BIGINT;
        difference BIGINT;
        other_fund BOOLEAN;
        head RECORD;
    BEGIN
        SELECT count(*), coalesce(sum(line.debit) - sum(line.credit), 0),
               coalesce(bool_or((SELECT account.fund_id FROM account
                                 WHERE account.id = line.account_id) <> NEW.fund_id), false)
        INTO line_count, difference, other_fund
        FROM journal_line AS line WHERE line.entry_id = NEW.id;
        IF line_count < 2 OR difference <> 0 THEN
            RAISE EXCEPTION 'ledger: entry does not balance';
        END IF;
        IF other_fund THEN
            RAISE EXCEPTION 'ledger: a line names an account of another fund';
        END IF;
        -- Lock the head so two writers that skipped the application's lock still queue here.
        SELECT last_seq, last_hash INTO head FROM fund WHERE id = NEW.fund_id FOR UPDATE;
        IF head.last_seq + 1 <> NEW.seq OR head.last_hash <> NEW.prev_hash THEN
            RAISE EXCEPTION 'ledger: seq or prev_hash does not continue the chain';
        END IF;
        RETURN NEW;
    END $$
    """,
    """
    CREATE OR REPLACE FUNCTION fund_chain_moves_forward() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        -- At depth 2 the update comes from journal_entry_effects, the only code that may
        -- move the head; a statement typed at a SQL prompt runs this at depth 1.
        IF (NEW.last_seq, NEW.last_hash) IS DISTINCT FROM (OLD.last_seq, OLD.last_hash) AND (
            NEW.last_seq <> OLD.last_seq + 1 OR pg_trigger_depth() < 2
        ) THEN
            RAISE EXCEPTION 'ledger: the chain head only moves to a new entry';
        END IF;
        RETURN NEW;
    END $$
    """,
    """
    CREATE OR REPLACE FUNCTION journal_entry_effects() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        movement RECORD;
    BEGIN
        UPDATE fund SET last_seq = NEW.seq, last_hash = NEW.hash WHERE id = NEW.fund_id;
        FOR movement IN
            SELECT account_id, sum(debit) AS debit, sum(credit) AS credit FROM journal_line
            WHERE entry_id = NEW.id GROUP BY account_id
        LOOP
            UPDATE account SET balance = balance + movement.debit - movement.credit
            WHERE id = movement.account_id;
            INSERT INTO account_day (account_id, day, debit, credit)
                VALUES (movement.account_id, NEW.entry_date, movement.debit, movement.credit)
                ON CONFLICT (account_id, day) DO UPDATE
                SET debit = account_day.debit + EXCLUDED.debit,
                    credit = account_day.credit + EXCLUDED.credit;
        END LOOP;
        INSERT INTO audit_event (at, actor, action, subject_kind, subject_id, fund_id, after_state)
            VALUES (NEW.created_at, NEW.created_by, 'journal_entry.posted', 'journal_entry',
                    NEW.id, NEW.fund_id,
                    json_build_object('seq', NEW.seq, 'hash', NEW.hash)::text);
        RETURN NULL;
    END $$
    """,
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="aidledger", description=DESCRIPTION)

    async def replace_functions() -> None:
        engine = engine_finder()
        assert engine is not None
        if engine.engine_type == "postgres":
            for statement in POSTGRES:
                await engine.run_ddl(statement)

    manager.add_raw(replace_functions)
    return manager
