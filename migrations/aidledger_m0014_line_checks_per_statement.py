"""A journal line's references checked once per statement, not once per line (PostgreSQL).

Appending 1,000 entries cost PostgreSQL about 157 ms, and 73 ms of it went on checks
PostgreSQL makes one row at a time: the row trigger that keeps lines to new entries
(23 ms), the foreign keys of each line to its account (19 ms) and, at commit, to its entry
(22 ms), and of each entry to its fund (9 ms). One statement trigger over the statement's
new lines (`added_lines`) now makes the row trigger's check and the line-to-entry one
together, in 8 to 12 ms, and the other two were already made elsewhere:

- A line comes in the same statement as its entry, and every line of that entry is one
  the statement added. An entry of an earlier statement already has its lines (the entry
  trigger refuses one with fewer than two), so no line can join it later, and a line whose
  entry is missing when its statement ends is refused there rather than at commit. The
  application already appends lines and entry in one statement; a batch does now too.
- A line names an account that exists, and the account keeps its id: the entry trigger
  adds every line to its account's day total, whose foreign key (one row per account and
  day, not per line) checks the account and, from then on, holds its id. The entry
  trigger also holds every line's account to the entry's fund, and an account's fund
  must exist (its own foreign key), so the entry's fund is held too.

Entries and lines stay append-only and accounts are never deleted, so what the foreign
keys guarded on the referenced side cannot happen. SQLite keeps its foreign keys and row
triggers: there, lines may still come in a statement before their entry's.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Journal line references checked once per statement"

POSTGRES = [
    "ALTER TABLE journal_line DROP CONSTRAINT journal_line_account_id_fkey",
    "ALTER TABLE journal_line DROP CONSTRAINT journal_line_entry_id_fkey",
    "ALTER TABLE journal_entry DROP CONSTRAINT journal_entry_fund_id_fkey",
    "DROP TRIGGER journal_line_only_with_new_entry ON journal_line",
    "DROP FUNCTION journal_line_only_with_new_entry()",
    """
    CREATE FUNCTION journal_lines_appended() RETURNS trigger LANGUAGE plpgsql
    -- By key however large the books grow, as journal_entries_appended (migration 0013).
    SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off
    SET jit = off AS $$
    BEGIN
        IF EXISTS (
            SELECT 1 FROM (SELECT entry_id, count(*) AS lines FROM added_lines
                           GROUP BY entry_id) AS touched
            LEFT JOIN journal_entry AS entry ON entry.id = touched.entry_id
            WHERE entry.id IS NULL
               OR touched.lines <> (SELECT count(*) FROM journal_line AS line
                                    WHERE line.entry_id = touched.entry_id OFFSET 0)
        ) THEN
            RAISE EXCEPTION 'ledger: lines may only be added together with a new entry, '
                            'in the statement that adds it';
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER journal_lines_appended AFTER INSERT ON journal_line
    REFERENCING NEW TABLE AS added_lines
    FOR EACH STATEMENT EXECUTE FUNCTION journal_lines_appended()
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
