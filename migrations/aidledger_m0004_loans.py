"""Loans, approvals, and cash that approvals have promised.

`approval` is shared by everything that needs a second pair of eyes (loans now, grants
next). `fund.reserved` is what full approvals promised and payments have not yet paid
out; from here on the database refuses both a reservation beyond the cash and a cash
movement below the reservations. A loan's schedule (fixed at disbursement) and its
repayments are append-only; its status changes, each leaving an audit event.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T21:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Loans, approvals and reservations"

TABLES = [
    """
    CREATE TABLE approval (
        subject_kind TEXT NOT NULL,
        subject_id TEXT NOT NULL,
        approver TEXT NOT NULL,
        at TIMESTAMPTZ NOT NULL,
        note TEXT,
        PRIMARY KEY (subject_kind, subject_id, approver)
    )
    """,
    """
    CREATE TABLE loan (
        id TEXT PRIMARY KEY,
        person_id TEXT NOT NULL REFERENCES person(id),
        product_code TEXT NOT NULL REFERENCES loan_product(code),
        fund_id TEXT NOT NULL REFERENCES fund(id),
        currency TEXT NOT NULL,
        amount BIGINT NOT NULL CHECK (amount > 0),
        installments INTEGER NOT NULL CHECK (installments > 0),
        purpose TEXT NOT NULL,
        applied_on DATE NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending_approval', 'rejected', 'approved',
                                               'cancelled', 'active', 'closed', 'written_off')),
        status_reason TEXT,
        decision TEXT,
        approvals_needed INTEGER NOT NULL CHECK (approvals_needed IN (1, 2)),
        terms TEXT NOT NULL,
        reserved BIGINT NOT NULL DEFAULT 0 CHECK (reserved >= 0),
        disbursed_on DATE,
        disbursement_entry_id TEXT UNIQUE REFERENCES journal_entry(id),
        written_off_on DATE,
        closed_on DATE,
        created_by TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL
    )
    """,
    "CREATE INDEX loan_person ON loan (person_id)",
    """
    CREATE TABLE loan_installment (
        loan_id TEXT NOT NULL REFERENCES loan(id),
        number INTEGER NOT NULL,
        due_date DATE NOT NULL,
        principal BIGINT NOT NULL CHECK (principal >= 0),
        interest BIGINT NOT NULL CHECK (interest >= 0),
        PRIMARY KEY (loan_id, number)
    )
    """,
    """
    CREATE TABLE loan_repayment (
        loan_id TEXT NOT NULL REFERENCES loan(id),
        seq INTEGER NOT NULL,
        paid_on DATE NOT NULL,
        amount BIGINT NOT NULL CHECK (amount > 0),
        recovery INTEGER NOT NULL CHECK (recovery IN (0, 1)),
        entry_id TEXT NOT NULL UNIQUE REFERENCES journal_entry(id),
        created_by TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (loan_id, seq)
    )
    """,
]
APPEND_ONLY = ("approval", "loan_installment", "loan_repayment")

SQLITE = [
    *TABLES,
    *[
        f"""
        CREATE TRIGGER {table}_append_only_{verb.lower()} BEFORE {verb} ON {table}
        BEGIN SELECT RAISE(ABORT, 'ledger: {table} is append-only'); END
        """
        for table in APPEND_ONLY
        for verb in ("UPDATE", "DELETE")
    ],
    """
    CREATE TRIGGER fund_reservations_covered BEFORE UPDATE OF reserved ON fund
    WHEN NEW.reserved > OLD.reserved AND NEW.reserved > (
        SELECT balance FROM account WHERE fund_id = NEW.id AND code = '1000')
    BEGIN SELECT RAISE(ABORT, 'ledger: reservations may not exceed the cash'); END
    """,
    """
    CREATE TRIGGER cash_covers_reservations BEFORE UPDATE OF balance ON account
    WHEN NEW.code = '1000' AND NEW.balance < OLD.balance AND NEW.balance < (
        SELECT reserved FROM fund WHERE id = NEW.fund_id)
    BEGIN SELECT RAISE(ABORT, 'ledger: cash may not fall below what approvals reserved'); END
    """,
]

POSTGRES = [
    *TABLES,
    *[
        f"""
        CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()
        """
        for table in APPEND_ONLY
    ],
    """
    CREATE FUNCTION fund_reservations_covered() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.reserved > OLD.reserved AND NEW.reserved > (
            SELECT balance FROM account WHERE fund_id = NEW.id AND code = '1000') THEN
            RAISE EXCEPTION 'ledger: reservations may not exceed the cash';
        END IF;
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER fund_reservations_covered BEFORE UPDATE OF reserved ON fund
    FOR EACH ROW EXECUTE FUNCTION fund_reservations_covered()
    """,
    """
    CREATE FUNCTION cash_covers_reservations() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.code = '1000' AND NEW.balance < OLD.balance AND NEW.balance < (
            SELECT reserved FROM fund WHERE id = NEW.fund_id) THEN
            RAISE EXCEPTION 'ledger: cash may not fall below what approvals reserved';
        END IF;
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER cash_covers_reservations BEFORE UPDATE OF balance ON account
    FOR EACH ROW EXECUTE FUNCTION cash_covers_reservations()
    """,
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="aidledger", description=DESCRIPTION)

    async def create_schema() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in POSTGRES if engine.engine_type == "postgres" else SQLITE:
            await engine.run_ddl(statement)

    manager.add_raw(create_schema)
    return manager
