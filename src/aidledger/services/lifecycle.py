"""One state change of something with a status (a loan, a grant): under a lock on its
row, idempotent, audited with the status before and after. Shared so that every kind
of application changes state the same way."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from aidledger.domain.errors import NotFound
from aidledger.domain.states import Lifecycle
from aidledger.persistence.database import Database
from aidledger.services import approvals
from aidledger.services.audit import record_event
from aidledger.services.context import Actor, ServiceContext
from aidledger.services.idempotency import IdempotencyClaim, StoredResponse, run_once
from aidledger.services.validation import require_text

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


@dataclass(frozen=True, slots=True)
class ApprovableKind:
    """What anything that goes through approval (a loan, a grant) tells the shared moves:
    where it is kept, its lifecycle, how it is shown, and what else a cancellation
    gives back (a grant's share of its programme's budget)."""

    noun: str
    table: str
    lifecycle: Lifecycle[Any]
    document: Callable[[ServiceContext, Row], Awaitable[Row]]
    on_cancel: Callable[[Database, Row], Awaitable[None]] | None = None

    async def change(self, context: ServiceContext, actor: Actor, subject_id: str,
                     claim: IdempotencyClaim | None, action: str,
                     change: Callable[[Row], Awaitable[Row | None]],
                     status: int = 200) -> StoredResponse:
        """`change_state` for this kind: 200 with its document, unless told otherwise."""
        async def document(row: Row) -> Row:
            return await self.document(context, row)

        return await change_state(context, actor, claim, table=self.table, kind=self.noun,
                                  subject_id=subject_id, action=action, status=status,
                                  change=change, document=document)


async def reject(context: ServiceContext, actor: Actor, kind: ApprovableKind,
                 subject_id: str, claim: IdempotencyClaim | None, reason: str) -> StoredResponse:
    """An application awaiting approval is turned down, with the reason."""
    reason = require_text(reason, "reason", max_length=500)

    async def change(row: Row) -> None:
        rejected: StrEnum = kind.lifecycle.to(row["status"], "reject")
        await context.database.execute(
            f"UPDATE {kind.table} SET status = {{}}, status_reason = {{}} WHERE id = {{}}",
            rejected.value, reason, row["id"])

    return await kind.change(context, actor, subject_id, claim, "rejected", change)


async def cancel(context: ServiceContext, actor: Actor, kind: ApprovableKind,
                 subject_id: str, claim: IdempotencyClaim | None, reason: str) -> StoredResponse:
    """An approved application not yet paid out is called off; what its approval reserved
    from the fund's cash is free again."""
    reason = require_text(reason, "reason", max_length=500)
    database = context.database

    async def change(row: Row) -> None:
        cancelled: StrEnum = kind.lifecycle.to(row["status"], "cancel")
        if kind.on_cancel is not None:
            await kind.on_cancel(database, row)
        await approvals.release(database, row["fund_id"], row["reserved"])
        await database.execute(
            f"UPDATE {kind.table} SET status = {{}}, status_reason = {{}}, reserved = 0 "
            "WHERE id = {}", cancelled.value, reason, row["id"])

    return await kind.change(context, actor, subject_id, claim, "cancelled", change)
