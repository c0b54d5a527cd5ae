"""What verification holds the books against, beyond the hash chain.

- An account's code, name, type and fund never change, and accounts are never deleted:
  entries are hashed with account codes, so a changed type (asset to expense, say) would
  silently change what every balance means. Each account's creation is an audit event
  (append-only), which `verify` compares the account with; accounts made before this
  migration get that event now.
- A stored idempotent reply carries a seal: an HMAC under a key kept outside the database,
  so a reply edited in the database is refused rather than replayed.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T07:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Immutable chart of accounts, account creation events, sealed replies"

_BACKFILL = """
INSERT INTO audit_event (at, actor, action, subject_kind, subject_id, fund_id, after_state)
SELECT account.created_at, 'migration 0009', 'account.created', 'account',
       fund.code || '/' || account.code, account.fund_id, {document}
FROM account JOIN fund ON fund.id = account.fund_id
WHERE NOT EXISTS (
    SELECT 1 FROM audit_event AS event
    WHERE event.action = 'account.created' AND event.fund_id = account.fund_id
      AND event.subject_id = fund.code || '/' || account.code)
ORDER BY account.id
"""

SQLITE = [
    """
    CREATE TRIGGER account_chart_fixed BEFORE UPDATE OF code, name, type, fund_id ON account
    WHEN NEW.code IS NOT OLD.code OR NEW.name IS NOT OLD.name OR NEW.type IS NOT OLD.type
      OR NEW.fund_id IS NOT OLD.fund_id
    BEGIN SELECT RAISE(ABORT, 'ledger: an account''s code, name, type and fund never change');
    END
    """,
    """
    CREATE TRIGGER account_never_deleted BEFORE DELETE ON account
    BEGIN SELECT RAISE(ABORT, 'ledger: accounts are never deleted'); END
    """,
    _BACKFILL.format(document="json_object('code', account.code, 'name', account.name, "
                              "'type', account.type)"),
    "ALTER TABLE idempotency_key ADD COLUMN seal TEXT",
]

POSTGRES = [
    """
    CREATE FUNCTION account_chart_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'ledger: accounts are never deleted';
        END IF;
        IF (NEW.code, NEW.name, NEW.type, NEW.fund_id)
           IS DISTINCT FROM (OLD.code, OLD.name, OLD.type, OLD.fund_id) THEN
            RAISE EXCEPTION 'ledger: an account''s code, name, type and fund never change';
        END IF;
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER account_chart_fixed BEFORE UPDATE OF code, name, type, fund_id OR DELETE
    ON account FOR EACH ROW EXECUTE FUNCTION account_chart_fixed()
    """,
    _BACKFILL.format(document="json_build_object('code', account.code, 'name', account.name, "
                              "'type', account.type)::text"),
    "ALTER TABLE idempotency_key ADD COLUMN seal TEXT",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="aidledger", description=DESCRIPTION)

    async def apply() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in POSTGRES if engine.engine_type == "postgres" else SQLITE:
            await engine.run_ddl(statement)

    manager.add_raw(apply)
    return manager
