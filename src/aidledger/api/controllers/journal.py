"""Manual journal entries, reversals and reading the journal."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from aidledger.api.auth import ADMIN, ADMIN_OR_AUDITOR
from aidledger.api.idempotency import idempotency_claim, stored_response
from aidledger.api.openapi import responses
from aidledger.api.parameters import (
    AuthenticatedRequest,
    Caller,
    Context,
    MoneyMovingKeyHeader,
)
from aidledger.contract.ledger import (
    JournalEntryCreate,
    JournalEntryOut,
    JournalPage,
    ReversalCreate,
)
from aidledger.services import ledger
from aidledger.services.pagination import DEFAULT_LIMIT


@post("/api/journal", guards=[ADMIN],
      responses=responses(201, JournalEntryOut, 400, 401, 403, 409, 422))
async def post_entry(context: Context, actor: Caller, request: AuthenticatedRequest,
                     data: JSONBody[JournalEntryCreate],
                     idempotency_key: MoneyMovingKeyHeader) -> Response[Any]:
    """Post a balanced entry."""
    claim = await idempotency_claim(request, idempotency_key)
    lines = [ledger.LineRequest(line.account, line.debit, line.credit, line.memo)
             for line in data.lines]
    return stored_response(await ledger.post_journal_entry(
        context, actor, claim, fund_reference=data.fund, date_text=data.date, memo=data.memo,
        lines=lines))


@get("/api/journal", guards=[ADMIN_OR_AUDITOR],
     responses=responses(200, JournalPage, 400, 401, 403, 422))
async def list_entries(
    context: Context,
    fund: FromQuery[str | None] = None,
    account: FromQuery[str | None] = None,
    date_from: Annotated[str | None, QueryParameter(name="from")] = None,
    date_to: Annotated[str | None, QueryParameter(name="to")] = None,
    limit: FromQuery[int] = DEFAULT_LIMIT,
    cursor: FromQuery[str | None] = None,
) -> JournalPage:
    """Entries in posting order, filtered by fund, account and date range."""
    return await ledger.list_journal(context, fund_reference=fund, account=account,
                                     date_from=date_from, date_to=date_to, limit=limit,
                                     cursor=cursor)


@get("/api/journal/{entry_id:str}", guards=[ADMIN_OR_AUDITOR],
     responses=responses(200, JournalEntryOut, 401, 403, 404))
async def get_entry(context: Context, entry_id: FromPath[str]) -> JournalEntryOut:
    return await ledger.get_entry(context, entry_id)


@post("/api/journal/{entry_id:str}/reversal", guards=[ADMIN],
      responses=responses(201, JournalEntryOut, 400, 401, 403, 404, 409, 422))
async def reverse_entry(context: Context, actor: Caller, request: AuthenticatedRequest,
                        entry_id: FromPath[str], idempotency_key: MoneyMovingKeyHeader,
                        data: JSONBody[ReversalCreate | None] = None) -> Response[Any]:
    """Post the mirror image of an entry. An entry is reversed at most once."""
    claim = await idempotency_claim(request, idempotency_key)
    body = data or ReversalCreate()
    return stored_response(await ledger.reverse_entry(
        context, actor, entry_id, claim, date_text=body.date, memo=body.memo))


ROUTES = [post_entry, list_entries, get_entry, reverse_entry]
