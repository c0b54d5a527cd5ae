"""Use cases: one database transaction each, idempotent where money moves, audited."""
