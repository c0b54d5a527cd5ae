"""Loan products. A product is never edited (there is no way to): a loan keeps a copy of
its terms anyway, so a product's terms are what its loans were promised."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T20:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Loan products"

PRODUCT = """
CREATE TABLE loan_product (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    fund_id TEXT NOT NULL REFERENCES fund(id),
    currency TEXT NOT NULL,
    terms TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    created_by TEXT NOT NULL
)
"""

SQLITE = [
    PRODUCT,
    *[
        f"""
        CREATE TRIGGER loan_product_append_only_{verb.lower()} BEFORE {verb} ON loan_product
        BEGIN SELECT RAISE(ABORT, 'ledger: loan_product is append-only'); END
        """
        for verb in ("UPDATE", "DELETE")
    ],
]

POSTGRES = [
    PRODUCT,
    """
    CREATE TRIGGER loan_product_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON loan_product
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()
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
