"""Limits on amounts, and money columns that hold whole numbers only (both engines).

Before this, nothing bounded what an account could accumulate: twenty entries of 500
lines of 10 trillion each were accepted, and on SQLite the running balances silently
turned into floating point (SQLite stores an integer sum that overflows 64 bits as a
REAL), after which no balance, trial balance or verification of the fund could be read.
On PostgreSQL the same overflow was an unhandled `bigint out of range`.

The numbers are the domain's (`aidledger.domain.ledger`), repeated here because a
migration states the schema as it was on the day it was written:

- a line's amount: at most 10^15 minor units (`money.MAX_MINOR_UNITS`);
- an entry: at most 1,000 lines, moving at most 10^15 minor units in all;
- an account's balance: between -10^17 and 10^17 minor units.

So no sum the ledger keeps can pass a signed 64-bit integer (9.2 x 10^18). SQLite cannot
add a CHECK to an existing table without rebuilding it, so there triggers refuse any
money value that is not an integer (`typeof`) or is out of range; PostgreSQL gets CHECK
constraints, and its type already refuses non-integers and overflow.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T05:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Amount limits; integer-only money columns on SQLite"

MAX_LINE = 10**15
MAX_ENTRY_TOTAL = 10**15
MAX_LINES = 1000
MAX_BALANCE = 10**17

# Every column that holds money or a running count, by table.
INTEGER_COLUMNS = {
    "fund": ("last_seq", "reserved"),
    "account": ("balance",),
    "account_day": ("debit", "credit"),
    "journal_line": ("debit", "credit"),
    "contribution": ("amount",),
    "loan": ("amount", "reserved"),
    "loan_installment": ("principal", "interest"),
    "loan_repayment": ("amount",),
    "grant_program": ("max_per_person", "budget", "committed"),
    "emergency_grant": ("amount", "reserved"),
}


def _sqlite_integer_guards() -> list[str]:
    statements = []
    for table, columns in INTEGER_COLUMNS.items():
        not_integer = " OR ".join(
            f"(NEW.{column} IS NOT NULL AND typeof(NEW.{column}) <> 'integer')"
            for column in columns)
        for verb in ("INSERT", "UPDATE"):
            statements.append(f"""
            CREATE TRIGGER {table}_whole_numbers_{verb.lower()} BEFORE {verb} ON {table}
            WHEN {not_integer}
            BEGIN
                SELECT RAISE(ABORT, 'ledger limit: {table} holds whole minor units only');
            END
            """)
    return statements


SQLITE = [
    *_sqlite_integer_guards(),
    f"""
    CREATE TRIGGER journal_line_within_limit BEFORE INSERT ON journal_line
    WHEN NEW.debit > {MAX_LINE} OR NEW.credit > {MAX_LINE}
    BEGIN SELECT RAISE(ABORT, 'ledger limit: a line amount is over the limit'); END
    """,
    f"""
    CREATE TRIGGER journal_entry_within_limit BEFORE INSERT ON journal_entry
    WHEN (SELECT count(*) FROM journal_line WHERE entry_id = NEW.id) > {MAX_LINES}
      OR (SELECT sum(debit) FROM journal_line WHERE entry_id = NEW.id) > {MAX_ENTRY_TOTAL}
    BEGIN SELECT RAISE(ABORT, 'ledger limit: the entry moves more than one entry may'); END
    """,
    f"""
    CREATE TRIGGER account_balance_within_limit BEFORE UPDATE OF balance ON account
    WHEN NEW.balance NOT BETWEEN -{MAX_BALANCE} AND {MAX_BALANCE}
    BEGIN SELECT RAISE(ABORT, 'ledger limit: an account balance would pass the limit'); END
    """,
]

POSTGRES = [
    f"""
    ALTER TABLE journal_line ADD CONSTRAINT line_amount_within_limit
    CHECK (debit <= {MAX_LINE} AND credit <= {MAX_LINE})
    """,
    f"""
    ALTER TABLE account ADD CONSTRAINT account_balance_within_limit
    CHECK (balance BETWEEN -{MAX_BALANCE} AND {MAX_BALANCE})
    """,
    # Migration 0006's function, plus the entry's size.
    f"""
    CREATE OR REPLACE FUNCTION journal_entry_checks() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        line_count BIGINT;
        debits NUMERIC;
        difference NUMERIC;
        other_fund BOOLEAN;
        head RECORD;
    BEGIN
        SELECT count(*), coalesce(sum(line.debit), 0),
               coalesce(sum(line.debit) - sum(line.credit), 0),
               coalesce(bool_or((SELECT account.fund_id FROM account
                                 WHERE account.id = line.account_id) <> NEW.fund_id), false)
        INTO line_count, debits, difference, other_fund
        FROM journal_line AS line WHERE line.entry_id = NEW.id;
        IF line_count < 2 OR difference <> 0 THEN
            RAISE EXCEPTION 'ledger: entry does not balance';
        END IF;
        IF line_count > {MAX_LINES} OR debits > {MAX_ENTRY_TOTAL} THEN
            RAISE EXCEPTION 'ledger limit: the entry moves more than one entry may';
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
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="aidledger", description=DESCRIPTION)

    async def add_limits() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in POSTGRES if engine.engine_type == "postgres" else SQLITE:
            await engine.run_ddl(statement)

    manager.add_raw(add_limits)
    return manager
