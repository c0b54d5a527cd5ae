"""Ledger foundation: funds, accounts, append-only hash-chained entries, users, people, audit.

Written as SQL rather than generated, because what matters here is what Piccolo's
auto-migrations cannot express: CHECK constraints, deferred foreign keys and the
triggers that make the database itself refuse an unbalanced, edited or deleted entry.

How an entry is written (both engines): its lines first, then the entry row. Inserting
the entry is the moment the database checks that its lines balance, belong to the
entry's fund and continue the fund's chain (seq and prev_hash); after it, the database
itself advances the chain head, the running balances, the per-day movements and the
audit trail, so no code path can forget them. Lines left without an entry fail the
deferred foreign key at commit.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T18:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Ledger foundation"

GENESIS = "0" * 64

COMMON_TABLES = [
    f"""
    CREATE TABLE fund (
        id TEXT PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        currency TEXT NOT NULL CHECK (length(currency) = 3),
        created_at TIMESTAMPTZ NOT NULL,
        created_by TEXT NOT NULL,
        last_seq BIGINT NOT NULL DEFAULT 0 CHECK (last_seq >= 0),
        last_hash TEXT NOT NULL DEFAULT '{GENESIS}',
        reserved BIGINT NOT NULL DEFAULT 0 CHECK (reserved >= 0)
    )
    """,
    """
    CREATE TABLE person (
        id TEXT PRIMARY KEY,
        full_name TEXT NOT NULL,
        preferred_language TEXT NOT NULL,
        phone TEXT,
        id_document_hash TEXT UNIQUE,
        id_document_hint TEXT,
        date_of_birth DATE,
        created_at TIMESTAMPTZ NOT NULL,
        created_by TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE app_user (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('admin', 'borrower', 'auditor')),
        person_id TEXT REFERENCES person(id),
        created_at TIMESTAMPTZ NOT NULL,
        created_by TEXT NOT NULL,
        CHECK (role <> 'borrower' OR person_id IS NOT NULL)
    )
    """,
    """
    CREATE TABLE idempotency_key (
        username TEXT NOT NULL,
        key TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        status_code INTEGER NOT NULL,
        body TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (username, key)
    )
    """,
]

# The ledger's tables, the same on both engines but for how an id counts up.
LEDGER_TABLES = [
    """
    CREATE TABLE account (
        id {identity},
        fund_id TEXT NOT NULL REFERENCES fund(id),
        code TEXT NOT NULL,
        name TEXT NOT NULL,
        type TEXT NOT NULL CHECK (type IN ('asset', 'liability', 'equity', 'income', 'expense')),
        balance BIGINT NOT NULL DEFAULT 0,
        created_at TIMESTAMPTZ NOT NULL,
        UNIQUE (fund_id, code),
        CONSTRAINT cash_not_negative CHECK (code <> '1000' OR balance >= 0)
    )
    """,
    """
    CREATE TABLE journal_entry (
        pk {identity},
        id TEXT NOT NULL UNIQUE,
        fund_id TEXT NOT NULL REFERENCES fund(id),
        seq BIGINT NOT NULL CHECK (seq >= 1),
        entry_date DATE NOT NULL,
        memo TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        reverses TEXT UNIQUE REFERENCES journal_entry(id),
        source_kind TEXT,
        source_id TEXT,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        UNIQUE (fund_id, seq)
    )
    """,
    """
    CREATE TABLE journal_line (
        entry_id TEXT NOT NULL REFERENCES journal_entry(id) DEFERRABLE INITIALLY DEFERRED,
        line_no INTEGER NOT NULL,
        account_id BIGINT NOT NULL REFERENCES account(id),
        debit BIGINT NOT NULL,
        credit BIGINT NOT NULL,
        memo TEXT,
        PRIMARY KEY (entry_id, line_no),
        CONSTRAINT one_side_positive CHECK (
            debit >= 0 AND credit >= 0
            AND ((debit > 0 AND credit = 0) OR (credit > 0 AND debit = 0))
        )
    )
    """,
    "CREATE INDEX journal_line_account ON journal_line (account_id)",
    "CREATE INDEX journal_entry_fund_date ON journal_entry (fund_id, entry_date)",
    """
    CREATE TABLE account_day (
        account_id BIGINT NOT NULL REFERENCES account(id),
        day DATE NOT NULL,
        debit BIGINT NOT NULL,
        credit BIGINT NOT NULL,
        PRIMARY KEY (account_id, day)
    )
    """,
    """
    CREATE TABLE contribution (
        id TEXT PRIMARY KEY,
        fund_id TEXT NOT NULL REFERENCES fund(id),
        donor TEXT NOT NULL,
        amount BIGINT NOT NULL CHECK (amount > 0),
        entry_id TEXT NOT NULL UNIQUE REFERENCES journal_entry(id)
    )
    """,
    """
    CREATE TABLE audit_event (
        id {identity},
        at TIMESTAMPTZ NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        subject_kind TEXT NOT NULL,
        subject_id TEXT NOT NULL,
        fund_id TEXT,
        before_state TEXT,
        after_state TEXT
    )
    """,
    "CREATE INDEX audit_event_subject ON audit_event (subject_kind, subject_id)",
]

SQLITE = [
    *COMMON_TABLES,
    *[table.format(identity="INTEGER PRIMARY KEY") for table in LEDGER_TABLES],
    # Append-only: corrections are reversal entries, never edits.
    *[
        f"""
        CREATE TRIGGER {table}_append_only_{verb.lower()} BEFORE {verb} ON {table}
        BEGIN SELECT RAISE(ABORT, 'ledger: {table} is append-only'); END
        """
        for table in ("journal_entry", "journal_line", "audit_event", "contribution")
        for verb in ("UPDATE", "DELETE")
    ],
    """
    CREATE TRIGGER journal_line_only_with_new_entry BEFORE INSERT ON journal_line
    BEGIN
        SELECT RAISE(ABORT, 'ledger: lines may only be added together with a new entry')
        WHERE EXISTS (SELECT 1 FROM journal_entry WHERE id = NEW.entry_id);
    END
    """,
    """
    CREATE TRIGGER journal_entry_checks BEFORE INSERT ON journal_entry
    BEGIN
        SELECT RAISE(ABORT, 'ledger: entry does not balance')
        WHERE (SELECT count(*) FROM journal_line WHERE entry_id = NEW.id) < 2
           OR (SELECT sum(debit) - sum(credit) FROM journal_line WHERE entry_id = NEW.id) <> 0;
        SELECT RAISE(ABORT, 'ledger: a line names an account of another fund')
        WHERE EXISTS (
            SELECT 1 FROM journal_line AS line JOIN account ON account.id = line.account_id
            WHERE line.entry_id = NEW.id AND account.fund_id <> NEW.fund_id
        );
        SELECT RAISE(ABORT, 'ledger: seq or prev_hash does not continue the chain')
        WHERE NOT EXISTS (
            SELECT 1 FROM fund
            WHERE id = NEW.fund_id AND last_seq + 1 = NEW.seq AND last_hash = NEW.prev_hash
        );
    END
    """,
    """
    CREATE TRIGGER journal_entry_effects AFTER INSERT ON journal_entry
    BEGIN
        UPDATE fund SET last_seq = NEW.seq, last_hash = NEW.hash WHERE id = NEW.fund_id;
        UPDATE account SET balance = balance + (
            SELECT sum(debit - credit) FROM journal_line
            WHERE entry_id = NEW.id AND account_id = account.id
        )
        WHERE id IN (SELECT account_id FROM journal_line WHERE entry_id = NEW.id);
        INSERT INTO account_day (account_id, day, debit, credit)
            SELECT account_id, NEW.entry_date, sum(debit), sum(credit)
            FROM journal_line WHERE entry_id = NEW.id GROUP BY account_id
            ON CONFLICT (account_id, day) DO UPDATE
            SET debit = debit + excluded.debit, credit = credit + excluded.credit;
        INSERT INTO audit_event (at, actor, action, subject_kind, subject_id, fund_id, after_state)
            VALUES (NEW.created_at, NEW.created_by, 'journal_entry.posted', 'journal_entry',
                    NEW.id, NEW.fund_id, json_object('seq', NEW.seq, 'hash', NEW.hash));
    END
    """,
    """
    CREATE TRIGGER fund_chain_moves_forward BEFORE UPDATE OF last_seq, last_hash ON fund
    WHEN NEW.last_seq <> OLD.last_seq + 1
      OR NOT EXISTS (SELECT 1 FROM journal_entry
                     WHERE fund_id = NEW.id AND seq = NEW.last_seq AND hash = NEW.last_hash)
    BEGIN SELECT RAISE(ABORT, 'ledger: the chain head only moves to a new entry'); END
    """,
]

POSTGRES = [
    *COMMON_TABLES,
    *[table.format(identity="BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY")
      for table in LEDGER_TABLES],
    """
    CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'ledger: % is append-only', TG_TABLE_NAME USING ERRCODE = 'P0001';
    END $$
    """,
    *[
        f"""
        CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()
        """
        for table in ("journal_entry", "journal_line", "audit_event", "contribution")
    ],
    """
    CREATE FUNCTION journal_line_only_with_new_entry() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM journal_entry WHERE id = NEW.entry_id) THEN
            RAISE EXCEPTION 'ledger: lines may only be added together with a new entry';
        END IF;
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER journal_line_only_with_new_entry BEFORE INSERT ON journal_line
    FOR EACH ROW EXECUTE FUNCTION journal_line_only_with_new_entry()
    """,
    """
    CREATE FUNCTION journal_entry_checks() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        line_count BIGINT;
        difference BIGINT;
        head RECORD;
    BEGIN
        SELECT count(*), coalesce(sum(debit) - sum(credit), 0) INTO line_count, difference
        FROM journal_line WHERE entry_id = NEW.id;
        IF line_count < 2 OR difference <> 0 THEN
            RAISE EXCEPTION 'ledger: entry does not balance';
        END IF;
        IF EXISTS (
            SELECT 1 FROM journal_line AS line JOIN account ON account.id = line.account_id
            WHERE line.entry_id = NEW.id AND account.fund_id <> NEW.fund_id
        ) THEN
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
    CREATE TRIGGER journal_entry_checks BEFORE INSERT ON journal_entry
    FOR EACH ROW EXECUTE FUNCTION journal_entry_checks()
    """,
    """
    CREATE FUNCTION journal_entry_effects() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE fund SET last_seq = NEW.seq, last_hash = NEW.hash WHERE id = NEW.fund_id;
        UPDATE account SET balance = account.balance + movement.amount
        FROM (
            SELECT account_id, sum(debit - credit) AS amount FROM journal_line
            WHERE entry_id = NEW.id GROUP BY account_id
        ) AS movement
        WHERE account.id = movement.account_id;
        INSERT INTO account_day (account_id, day, debit, credit)
            SELECT account_id, NEW.entry_date, sum(debit), sum(credit)
            FROM journal_line WHERE entry_id = NEW.id GROUP BY account_id
            ON CONFLICT (account_id, day) DO UPDATE
            SET debit = account_day.debit + EXCLUDED.debit,
                credit = account_day.credit + EXCLUDED.credit;
        INSERT INTO audit_event (at, actor, action, subject_kind, subject_id, fund_id, after_state)
            VALUES (NEW.created_at, NEW.created_by, 'journal_entry.posted', 'journal_entry',
                    NEW.id, NEW.fund_id,
                    json_build_object('seq', NEW.seq, 'hash', NEW.hash)::text);
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER journal_entry_effects AFTER INSERT ON journal_entry
    FOR EACH ROW EXECUTE FUNCTION journal_entry_effects()
    """,
    """
    CREATE FUNCTION fund_chain_moves_forward() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF (NEW.last_seq, NEW.last_hash) IS DISTINCT FROM (OLD.last_seq, OLD.last_hash) AND (
            NEW.last_seq <> OLD.last_seq + 1 OR NOT EXISTS (
                SELECT 1 FROM journal_entry
                WHERE fund_id = NEW.id AND seq = NEW.last_seq AND hash = NEW.last_hash)
        ) THEN
            RAISE EXCEPTION 'ledger: the chain head only moves to a new entry';
        END IF;
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER fund_chain_moves_forward BEFORE UPDATE ON fund
    FOR EACH ROW EXECUTE FUNCTION fund_chain_moves_forward()
    """,
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="aidledger", description=DESCRIPTION)

    async def create_schema() -> None:
        engine = engine_finder()
        assert engine is not None
        statements = POSTGRES if engine.engine_type == "postgres" else SQLITE
        for statement in statements:
            await engine.run_ddl(statement)

    manager.add_raw(create_schema)
    return manager
