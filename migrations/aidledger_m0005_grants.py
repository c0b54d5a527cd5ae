"""Emergency grant programmes and grants.

A programme's `committed` (approved and paid grants) is kept beside its budget and the
database refuses to let it pass the budget; a person may have only one pending
application per programme (a partial unique index).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T22:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Emergency grant programmes and grants"

STATEMENTS = [
    """
    CREATE TABLE grant_program (
        code TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        fund_id TEXT NOT NULL REFERENCES fund(id),
        currency TEXT NOT NULL,
        category TEXT NOT NULL CHECK (category IN ('medical', 'funeral', 'housing', 'food',
                                                   'education', 'other')),
        max_per_person BIGINT NOT NULL CHECK (max_per_person > 0),
        budget BIGINT CHECK (budget IS NULL OR budget > 0),
        committed BIGINT NOT NULL DEFAULT 0,
        eligibility_policy TEXT,
        created_at TIMESTAMPTZ NOT NULL,
        created_by TEXT NOT NULL,
        CONSTRAINT committed_within_budget CHECK (
            committed >= 0 AND (budget IS NULL OR committed <= budget))
    )
    """,
    """
    CREATE TABLE emergency_grant (
        id TEXT PRIMARY KEY,
        person_id TEXT NOT NULL REFERENCES person(id),
        program_code TEXT NOT NULL REFERENCES grant_program(code),
        fund_id TEXT NOT NULL REFERENCES fund(id),
        currency TEXT NOT NULL,
        amount BIGINT NOT NULL CHECK (amount > 0),
        reason TEXT NOT NULL,
        applied_on DATE NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending_approval', 'rejected', 'approved',
                                               'cancelled', 'paid')),
        status_reason TEXT,
        decision TEXT,
        approvals_needed INTEGER NOT NULL CHECK (approvals_needed IN (1, 2)),
        reserved BIGINT NOT NULL DEFAULT 0 CHECK (reserved >= 0),
        paid_on DATE,
        payment_method TEXT CHECK (payment_method IS NULL OR payment_method IN (
            'cash', 'bank_transfer', 'mobile_wallet', 'paid_to_provider')),
        payment_reference TEXT,
        payee TEXT,
        entry_id TEXT UNIQUE REFERENCES journal_entry(id),
        created_by TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL
    )
    """,
    "CREATE INDEX emergency_grant_person ON emergency_grant (person_id, program_code)",
    """
    CREATE UNIQUE INDEX emergency_grant_one_pending_person
    ON emergency_grant (person_id, program_code) WHERE status = 'pending_approval'
    """,
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="aidledger", description=DESCRIPTION)

    async def create_schema() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(create_schema)
    return manager
