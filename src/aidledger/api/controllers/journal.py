"""Manual journal entries, reversals and reading the journal."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from aidledger.api.auth import ADMIN, ADMIN_OR_AUDITOR
from aidledger.api.batches import batch_response
from aidledger.api.idempotency import idempotency_claim, item_claims, stored_response
from aidledger.api.openapi import responses
from aidledger.api.parameters import (
    READ_FROM_HEADER,
    AuthenticatedRequest,
    Caller,
    Context,
    MoneyMovingKeyHeader,
    Reads,
)
from aidledger.contract.batches import (
    JournalBatchCreate,
    JournalBatchEntry,
    JournalBatchOut,
    JournalBatchResult,
)
from aidledger.contract.ledger import (
    JournalEntryCreate,
    JournalEntryOut,
    JournalPage,
    ReversalCreate,
)
from aidledger.services import ledger
from aidledger.services.batches import BatchMode
from aidledger.services.pagination import DEFAULT_LIMIT


@post("/api/journal", guards=[ADMIN],
      responses=responses(201, JournalEntryOut, 400, 401, 403, 409, 422))
async def post_entry(context: Context, actor: Caller, request: AuthenticatedRequest,
                     data: JSONBody[JournalEntryCreate],
                     idempotency_key: MoneyMovingKeyHeader) -> Response[Any]:
    """Post a balanced entry."""
    claim = await idempotency_claim(request, idempotency_key)
    return stored_response(await ledger.post_journal_entry(context, actor, claim,
                                                           _entry_request(data)))


def _entry_request(data: JournalEntryCreate | JournalBatchEntry) -> ledger.EntryRequest:
    return ledger.EntryRequest(
        fund=data.fund, date=data.date, memo=data.memo,
        lines=[ledger.LineRequest(line.account, line.debit, line.credit, line.memo)
               for line in data.lines])


@post("/api/journal/batch", guards=[ADMIN],
      responses={**responses(201, JournalBatchOut, 400, 401, 403, 409, 422),
                 **responses(200, JournalBatchOut)})
async def post_batch(context: Context, actor: Caller, request: AuthenticatedRequest,
                     data: JSONBody[JournalBatchCreate]) -> Response[Any]:
    """Post up to 1,000 entries in one transaction, in the order given, to one fund or
    several. Each entry carries its own `idempotency_key` (no Idempotency-Key header:
    sending the batch again replays each entry already posted).

    `atomic`: every entry or none; 201 with every entry's result, or 422 naming the first
    refused entry (`errors[].field` such as `entries[3].lines[0].account`, and `index`).
    `independent`: 200 with a result per entry in order: 201 and the entry, or the
    problem (4xx) it was refused with; a refused entry writes nothing."""
    mode = BatchMode(data.mode)
    claims = item_claims(request, "entries", data.entries)
    outcomes = await ledger.post_journal_batch(
        context, actor, mode,
        [(claim, _entry_request(entry)) for claim, entry in zip(claims, data.entries,
                                                                strict=True)])
    return batch_response(mode, outcomes, "entry", JournalBatchOut, JournalBatchResult)


@get("/api/journal", guards=[ADMIN_OR_AUDITOR],
     responses=responses(200, JournalPage, 400, 401, 403, 422))
async def list_entries(
    reading: Reads,
    fund: FromQuery[str | None] = None,
    account: FromQuery[str | None] = None,
    date_from: Annotated[str | None, QueryParameter(name="from")] = None,
    date_to: Annotated[str | None, QueryParameter(name="to")] = None,
    limit: FromQuery[int] = DEFAULT_LIMIT,
    cursor: FromQuery[str | None] = None,
) -> Response[JournalPage]:
    """Entries in posting order, filtered by fund, account and date range."""
    page = await ledger.list_journal(reading.context, fund_reference=fund, account=account,
                                     date_from=date_from, date_to=date_to, limit=limit,
                                     cursor=cursor)
    return Response(page, headers={READ_FROM_HEADER: reading.source.value})


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


ROUTES = [post_entry, post_batch, list_entries, get_entry, reverse_entry]
