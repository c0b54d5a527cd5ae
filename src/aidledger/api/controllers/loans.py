"""Loan products and quotes (applications, approvals and repayments follow)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import get, post
from litestar.params import FromPath, JSONBody

from aidledger.api.auth import ADMIN, ANY_ROLE
from aidledger.api.openapi import responses
from aidledger.api.parameters import Caller, Context
from aidledger.api.schemas import (
    LoanProductCreate,
    LoanProductList,
    LoanProductOut,
    QuoteRequest,
    ScheduleOut,
)
from aidledger.services import products


@post("/api/loan-products", guards=[ADMIN],
      responses=responses(201, LoanProductOut, 400, 401, 403, 409, 422))
async def create_product(context: Context, actor: Caller,
                         data: JSONBody[LoanProductCreate]) -> dict[str, Any]:
    """Define a loan product. Products are never edited: loans keep their terms."""
    return await products.create_product(context, actor, msgspec.to_builtins(data))


@get("/api/loan-products", guards=[ANY_ROLE], responses=responses(200, LoanProductList, 401))
async def list_products(context: Context) -> dict[str, Any]:
    return await products.list_products(context)


@post("/api/loan-products/{code:str}/quote", status_code=200, guards=[ANY_ROLE],
      responses=responses(200, ScheduleOut, 400, 401, 404, 422))
async def quote(context: Context, code: FromPath[str],
                data: JSONBody[QuoteRequest]) -> dict[str, Any]:
    """The schedule and true cost (APR) a loan would have. Stores nothing."""
    return await products.quote(context, code, amount=data.amount,
                                installments=data.installments,
                                disbursement_date=data.disbursement_date,
                                first_due_date=data.first_due_date)


ROUTES = [create_product, list_products, quote]
