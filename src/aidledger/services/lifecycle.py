"""One state change of something with a status (a loan, a grant): under a lock on its
row, idempotent, audited with the status before and after. Shared so that every kind
of application changes state the same way."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar

from aidledger.domain.errors import NotFound
from aidledger.domain.states import Lifecycle
from aidledger.persistence import applications
from aidledger.persistence.applications import ApplicationTable
from aidledger.persistence.database import Database
from aidledger.services import approvals
from aidledger.services.audit import record_event
from aidledger.services.context import Actor, ServiceContext
from aidledger.services.idempotency import IdempotencyClaim, StoredResponse, run_once
from aidledger.services.validation import require_text


class Application(Protocol):
    """What every application that goes through approval has."""

    @property
    def id(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def fund_id(self) -> str: ...
    @property
    def reserved(self) -> int: ...


Subject = TypeVar("Subject", bound=Application)
Document = Any  # the response struct or document of the subject


@dataclass(frozen=True, slots=True)
class ApprovableKind(Generic[Subject]):
    """What anything that goes through approval (a loan, a grant) tells the shared moves:
    where it is kept and how it is read, its lifecycle, how it is shown, and what else a
    cancellation gives back (a grant's share of its programme's budget)."""

    noun: str
    table: ApplicationTable
    find: Callable[..., Awaitable[Subject | None]]  # (database, id, lock=...) -> record
    lifecycle: Lifecycle[Any]
    document: Callable[[ServiceContext, Subject], Awaitable[Document]]
    on_cancel: Callable[[Database, Subject], Awaitable[None]] | None = None

    async def lock(self, database: Database, subject_id: str) -> Subject:
        found = await self.find(database, subject_id, lock=True)
        if found is None:
            raise NotFound(f"No {self.noun} {subject_id!r}.")
        return found

    async def change(self, context: ServiceContext, actor: Actor, subject_id: str,
                     claim: IdempotencyClaim | None, action: str,
                     change: Callable[[Subject], Awaitable[Document | None]],
                     status: int = 200) -> StoredResponse:
        """`change` does the work on the locked row and may return the response itself;
        otherwise the response is the subject's document after the change (200 unless
        told otherwise)."""
        return await run_once(context.database, context.clock, claim, status,
                              self.operation(context, actor, subject_id, action, change))

    def operation(self, context: ServiceContext, actor: Actor, subject_id: str, action: str,
                  change: Callable[[Subject], Awaitable[Document | None]],
                  ) -> Callable[[], Awaitable[Document]]:
        """The change as one step of a transaction someone else holds (a batch's)."""
        database = context.database

        async def run() -> Document:
            row = await self.lock(database, subject_id)
            result = await change(row)
            after = await self.lock(database, subject_id)
            await record_event(database, context.clock, actor, f"{self.noun}.{action}",
                               (self.noun, subject_id), before={"status": row.status},
                               after={"status": after.status}, fund_id=row.fund_id)
            return result if result is not None else await self.document(context, after)

        return run


async def reject(context: ServiceContext, actor: Actor, kind: ApprovableKind[Subject],
                 subject_id: str, claim: IdempotencyClaim | None, reason: str) -> StoredResponse:
    """An application awaiting approval is turned down, with the reason."""
    reason = require_text(reason, "reason", max_length=500)

    async def change(row: Subject) -> None:
        rejected: StrEnum = kind.lifecycle.to(row.status, "reject")
        await applications.reject(context.database, kind.table, row.id, rejected.value, reason)

    return await kind.change(context, actor, subject_id, claim, "rejected", change)


async def cancel(context: ServiceContext, actor: Actor, kind: ApprovableKind[Subject],
                 subject_id: str, claim: IdempotencyClaim | None, reason: str) -> StoredResponse:
    """An approved application not yet paid out is called off; what its approval reserved
    from the fund's cash is free again."""
    reason = require_text(reason, "reason", max_length=500)
    database = context.database

    async def change(row: Subject) -> None:
        cancelled: StrEnum = kind.lifecycle.to(row.status, "cancel")
        if kind.on_cancel is not None:
            await kind.on_cancel(database, row)
        await approvals.release(database, row.fund_id, row.reserved)
        await applications.cancel(database, kind.table, row.id, cancelled.value, reason)

    return await kind.change(context, actor, subject_id, claim, "cancelled", change)
