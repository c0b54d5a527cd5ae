"""The ledger's entry checks once per statement, not once per entry (PostgreSQL).

A batch appends a thousand entries in two statements (their lines, then the entries);
row triggers would still check and apply them one by one, a dozen queries each. Now one
trigger per INSERT on journal_entry, over the statement's transition table (`added`),
checks every entry the statement added and applies them together, with the same rules
as before:

- every entry balances, has 2 to 1,000 lines, moves at most the entry limit, and names
  only accounts of its own fund;
- each fund's new entries continue its chain exactly: seqs last_seq + 1, + 2, ... in
  order, each prev_hash the hash before it (the fund's head for the first);
- then the heads move to each fund's last new entry, balances and day totals take the
  lines, and every entry gets its audit event.

The head still moves only from inside this trigger (pg_trigger_depth() >= 2), now by as
many entries as the statement added. A single posting is one statement of one entry, so
it is checked exactly as before. Lines are still checked one by one as they are
inserted (only for an entry not yet in the books): an index probe each.

Each lookup of an entry's lines or a line's account is by key (LATERAL, or a subquery on
the primary key), and the function plans without sequential scans, so no plan grows
with history (migration 0006): a plan made while the tables were small would otherwise
scan them whole for ever after. SQLite has no statement triggers; its row triggers are
unchanged.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T18:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Ledger entry checks and effects once per statement"

MAX_LINES = 1000
MAX_ENTRY_TOTAL = 10**15

POSTGRES = [
    "DROP TRIGGER journal_entry_checks ON journal_entry",
    "DROP TRIGGER journal_entry_effects ON journal_entry",
    f"""
    CREATE FUNCTION journal_entries_appended() RETURNS trigger LANGUAGE plpgsql
    -- Its queries are planned once per session, maybe while the tables are still small:
    -- without sequential scans the plan is by key however large the books grow.
    SET enable_seqscan = off AS $$
    BEGIN
        IF EXISTS (
            SELECT 1 FROM added AS e CROSS JOIN LATERAL (
                SELECT count(*) AS lines, coalesce(sum(line.debit), 0) AS debits,
                       coalesce(sum(line.credit), 0) AS credits
                FROM journal_line AS line WHERE line.entry_id = e.id) AS total
            WHERE total.lines < 2 OR total.debits <> total.credits
        ) THEN
            RAISE EXCEPTION 'ledger: entry does not balance';
        END IF;
        IF EXISTS (
            SELECT 1 FROM added AS e CROSS JOIN LATERAL (
                SELECT count(*) AS lines, coalesce(sum(line.debit), 0) AS debits
                FROM journal_line AS line WHERE line.entry_id = e.id) AS total
            WHERE total.lines > {MAX_LINES} OR total.debits > {MAX_ENTRY_TOTAL}
        ) THEN
            RAISE EXCEPTION 'ledger limit: the entry moves more than one entry may';
        END IF;
        IF EXISTS (
            SELECT 1 FROM added AS e CROSS JOIN LATERAL (
                SELECT 1 FROM journal_line AS line WHERE line.entry_id = e.id
                AND (SELECT account.fund_id FROM account
                     WHERE account.id = line.account_id) <> e.fund_id) AS stray
        ) THEN
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
                WHERE journal_line.entry_id = e.id) AS line
            GROUP BY line.account_id
        ) AS movement
        WHERE account.id = movement.account_id;
        INSERT INTO account_day (account_id, day, debit, credit)
            SELECT line.account_id, e.entry_date, sum(line.debit), sum(line.credit)
            FROM added AS e CROSS JOIN LATERAL (
                SELECT account_id, debit, credit FROM journal_line
                WHERE journal_line.entry_id = e.id) AS line
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
    """
    CREATE TRIGGER journal_entries_appended AFTER INSERT ON journal_entry
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION journal_entries_appended()
    """,
    """
    CREATE OR REPLACE FUNCTION fund_chain_moves_forward() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        -- At depth 2 the update comes from journal_entries_appended, the only code that
        -- may move the head, forward by the entries it has just checked; a statement
        -- typed at a SQL prompt runs this at depth 1.
        IF (NEW.last_seq, NEW.last_hash) IS DISTINCT FROM (OLD.last_seq, OLD.last_hash) AND (
            NEW.last_seq <= OLD.last_seq OR pg_trigger_depth() < 2
        ) THEN
            RAISE EXCEPTION 'ledger: the chain head only moves to a new entry';
        END IF;
        RETURN NEW;
    END $$
    """,
    "DROP FUNCTION journal_entry_checks()",
    "DROP FUNCTION journal_entry_effects()",
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
