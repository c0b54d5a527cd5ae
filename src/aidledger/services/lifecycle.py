"""One state change of something with a status (a loan, a grant): under a lock on its
row, idempotent, audited with the status before and after. Shared so that every kind
of application changes state the same way."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aidledger.domain.errors import NotFound
from aidledger.persistence.database import Database
from aidledger.services.audit import record_event
from aidledger.services.context import Actor, ServiceContext
from aidledger.services.idempotency import IdempotencyClaim, StoredResponse, run_once

Row = dict[str, Any]


async def lock_row(database: Database, table: str, subject_id: str, noun: str) -> Row:
    row = await database.fetch_one(
        f"SELECT * FROM {table} AS subject WHERE subject.id = {{}}"
        + database.lock_clause("subject"), subject_id)
    if row is None:
        raise NotFound(f"No {noun} {subject_id!r}.")
    return row


async def change_state(
    context: ServiceContext, actor: Actor, claim: IdempotencyClaim | None, *,
    table: str, kind: str, subject_id: str, action: str, status: int,
    change: Callable[[Row], Awaitable[Row | None]],
    document: Callable[[Row], Awaitable[Row]],
) -> StoredResponse:
    """`change` does the work on the locked row and may return the response itself;
    otherwise the response is the subject's document after the change."""
    database = context.database

    async def run() -> Row:
        row = await lock_row(database, table, subject_id, kind)
        result = await change(row)
        after = await lock_row(database, table, subject_id, kind)
        await record_event(database, context.clock, actor, f"{kind}.{action}",
                           (kind, subject_id), before={"status": row["status"]},
                           after={"status": after["status"]}, fund_id=row["fund_id"])
        return result if result is not None else await document(after)

    return await run_once(database, context.clock, claim, status, run)
