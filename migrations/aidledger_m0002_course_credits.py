"""Course completions and the credits they earned.

Each award keeps the rule, policy version and policy file sha256 that granted it, so an
auditor can trace every credit; both tables are append-only, like the journal.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T19:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Course completions and credit awards"

TABLES = [
    """
    CREATE TABLE course_completion (
        id TEXT PRIMARY KEY,
        person_id TEXT NOT NULL REFERENCES person(id),
        course TEXT NOT NULL,
        completed_on DATE NOT NULL,
        score INTEGER CHECK (score IS NULL OR (score >= 0 AND score <= 100)),
        decision TEXT NOT NULL,
        recorded_at TIMESTAMPTZ NOT NULL,
        recorded_by TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE credit_award (
        id {identity},
        completion_id TEXT NOT NULL REFERENCES course_completion(id),
        person_id TEXT NOT NULL REFERENCES person(id),
        course TEXT NOT NULL,
        rule TEXT NOT NULL,
        credits INTEGER NOT NULL CHECK (credits >= 0),
        awarded_on DATE NOT NULL,
        policy TEXT NOT NULL,
        policy_version INTEGER NOT NULL,
        policy_sha256 TEXT NOT NULL
    )
    """,
    "CREATE INDEX credit_award_person ON credit_award (person_id, course, awarded_on)",
    "CREATE INDEX course_completion_person ON course_completion (person_id)",
]

SQLITE = [
    *[table.format(identity="INTEGER PRIMARY KEY") for table in TABLES],
    *[
        f"""
        CREATE TRIGGER {table}_append_only_{verb.lower()} BEFORE {verb} ON {table}
        BEGIN SELECT RAISE(ABORT, 'ledger: {table} is append-only'); END
        """
        for table in ("course_completion", "credit_award")
        for verb in ("UPDATE", "DELETE")
    ],
]

POSTGRES = [
    *[table.format(identity="BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY")
      for table in TABLES],
    *[
        f"""
        CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()
        """
        for table in ("course_completion", "credit_award")
    ],
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
