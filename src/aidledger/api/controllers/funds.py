"""Funds, their accounts, contributions and trial balance."""

from __future__ import annotations

from typing import Any

from litestar import Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody

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
    AccountCreate,
    AccountList,
    AccountOut,
    ContributionCreate,
    FundCreate,
    FundList,
    FundOut,
    JournalEntryOut,
    TrialBalanceOut,
)
from aidledger.services import funds, ledger
from aidledger.services.pagination import DEFAULT_LIMIT


@post("/api/funds", guards=[ADMIN], responses=responses(201, FundOut, 400, 401, 403, 409))
async def create_fund(context: Context, actor: Caller,
                      data: JSONBody[FundCreate]) -> FundOut:
    """Open a fund in one currency, with the default chart of accounts."""
    return await funds.create_fund(context, actor, code=data.code, name=data.name,
                                   currency=data.currency, contact=data.contact)


@get("/api/funds", guards=[ADMIN_OR_AUDITOR], responses=responses(200, FundList, 400, 401, 403))
async def list_funds(context: Context, limit: FromQuery[int] = DEFAULT_LIMIT,
                     cursor: FromQuery[str | None] = None) -> FundList:
    return await funds.list_funds(context, limit=limit, cursor=cursor)


@get("/api/funds/{fund:str}", guards=[ADMIN_OR_AUDITOR],
     responses=responses(200, FundOut, 401, 403, 404))
async def get_fund(context: Context, fund: FromPath[str]) -> FundOut:
    """A fund by id or code."""
    return await funds.get_fund(context, fund)


@get("/api/funds/{fund:str}/accounts", guards=[ADMIN_OR_AUDITOR],
     responses=responses(200, AccountList, 401, 403, 404))
async def list_accounts(context: Context, fund: FromPath[str]) -> AccountList:
    """Accounts with balances on their normal side."""
    return await funds.list_accounts(context, fund)


@post("/api/funds/{fund:str}/accounts", guards=[ADMIN],
      responses=responses(201, AccountOut, 400, 401, 403, 404, 409))
async def add_account(context: Context, actor: Caller, fund: FromPath[str],
                      data: JSONBody[AccountCreate]) -> AccountOut:
    return await funds.add_account(context, actor, fund, code=data.code, name=data.name,
                                   type=data.type)


@post("/api/funds/{fund:str}/contributions", guards=[ADMIN],
      responses=responses(201, JournalEntryOut, 400, 401, 403, 404, 409, 422))
async def contribute(context: Context, actor: Caller, request: AuthenticatedRequest,
                     fund: FromPath[str], data: JSONBody[ContributionCreate],
                     idempotency_key: MoneyMovingKeyHeader) -> Response[Any]:
    """Record donor money received: cash up, donor contributions up."""
    claim = await idempotency_claim(request, idempotency_key)
    return stored_response(await ledger.contribute(
        context, actor, fund, claim, amount=data.amount, donor=data.donor, date_text=data.date,
        memo=data.memo))


@get("/api/funds/{fund:str}/trial-balance", guards=[ADMIN_OR_AUDITOR],
     responses=responses(200, TrialBalanceOut, 400, 401, 403, 404))
async def trial_balance(context: Context, fund: FromPath[str],
                        as_of: FromQuery[str | None] = None) -> TrialBalanceOut:
    """Every account's net balance at the end of `as_of` (default today)."""
    return await ledger.trial_balance(context, fund, as_of)


ROUTES = [create_fund, list_funds, get_fund, list_accounts, add_account, contribute,
          trial_balance]
