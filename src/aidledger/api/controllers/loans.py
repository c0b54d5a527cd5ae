"""Loan products and quotes; loan applications, approvals, disbursement, repayments."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from aidledger.api.auth import ADMIN, ANY_ROLE
from aidledger.api.batches import batch_response
from aidledger.api.idempotency import idempotency_claim, item_claims, stored_response
from aidledger.api.openapi import responses
from aidledger.api.parameters import (
    AuthenticatedRequest,
    Caller,
    Context,
    IdempotencyKeyHeader,
    MoneyMovingKeyHeader,
)
from aidledger.contract.batches import RepaymentBatchCreate, RepaymentBatchOut, RepaymentBatchResult
from aidledger.contract.loans import (
    ApprovalNote,
    DisbursementRequest,
    LoanApplication,
    LoanList,
    LoanOut,
    LoanProductCreate,
    LoanProductList,
    LoanProductOut,
    PayoffOut,
    QuoteRequest,
    Reason,
    RepaymentOut,
    RepaymentRequest,
    ScheduleOut,
    WriteOffRequest,
)
from aidledger.services import loans, products, repayments
from aidledger.services.batches import BatchMode
from aidledger.services.pagination import DEFAULT_LIMIT


@post("/api/loan-products", guards=[ADMIN],
      responses=responses(201, LoanProductOut, 400, 401, 403, 409, 422))
async def create_product(context: Context, actor: Caller,
                         data: JSONBody[LoanProductCreate]) -> LoanProductOut:
    """Define a loan product. Products are never edited: loans keep their terms."""
    return await products.create_product(context, actor, msgspec.to_builtins(data))


@get("/api/loan-products", guards=[ANY_ROLE], responses=responses(200, LoanProductList, 400, 401))
async def list_products(context: Context, limit: FromQuery[int] = DEFAULT_LIMIT,
                        cursor: FromQuery[str | None] = None) -> LoanProductList:
    return await products.list_products(context, limit=limit, cursor=cursor)


@post("/api/loan-products/{code:str}/quote", status_code=200, guards=[ANY_ROLE],
      responses=responses(200, ScheduleOut, 400, 401, 404, 422))
async def quote(context: Context, code: FromPath[str],
                data: JSONBody[QuoteRequest]) -> ScheduleOut:
    """The schedule and true cost (APR) a loan would have. Stores nothing."""
    return await products.quote(context, code, amount=data.amount,
                                installments=data.installments,
                                disbursement_date=data.disbursement_date,
                                first_due_date=data.first_due_date)


@post("/api/loans", guards=[ADMIN],
      responses=responses(201, LoanOut, 400, 401, 403, 409, 422))
async def apply(context: Context, actor: Caller, request: AuthenticatedRequest,
                data: JSONBody[LoanApplication],
                idempotency_key: IdempotencyKeyHeader = None) -> Response[Any]:
    """Record an application; the product's eligibility policy decides (an ineligible one
    is stored as rejected, with the reasons)."""
    claim = await idempotency_claim(request, idempotency_key)
    return stored_response(await loans.apply(
        context, actor, claim, person_id=data.person, product_code=data.product,
        amount=data.amount, installments=data.installments, purpose=data.purpose,
        applied_on=data.applied_on))


@get("/api/loans", guards=[ANY_ROLE], responses=responses(200, LoanList, 400, 401))
async def list_loans(context: Context, actor: Caller, person: FromQuery[str | None] = None,
                     status: FromQuery[str | None] = None,
                     limit: FromQuery[int] = DEFAULT_LIMIT,
                     cursor: FromQuery[str | None] = None) -> LoanList:
    """Loans, oldest first; a borrower sees only their own."""
    return await loans.list_loans(context, actor, person=person, status=status, limit=limit,
                                  cursor=cursor)


@get("/api/me/loans", guards=[ANY_ROLE], responses=responses(200, LoanList, 401, 403))
async def my_loans(context: Context, actor: Caller) -> LoanList:
    """The calling borrower's loans."""
    return await loans.my_loans(context, actor)


@get("/api/loans/{loan_id:str}", guards=[ANY_ROLE],
     responses=responses(200, LoanOut, 401, 404))
async def get_loan(context: Context, actor: Caller, loan_id: FromPath[str]) -> LoanOut:
    return await loans.get_loan(context, actor, loan_id)


@post("/api/loans/{loan_id:str}/approvals", status_code=200, guards=[ADMIN],
      responses=responses(200, LoanOut, 400, 401, 403, 404, 409))
async def approve(context: Context, actor: Caller, request: AuthenticatedRequest,
                  loan_id: FromPath[str], data: JSONBody[ApprovalNote | None] = None,
                  idempotency_key: IdempotencyKeyHeader = None) -> Response[Any]:
    """Approve (not the admin who recorded it; each admin once). The last approval needed
    reserves the amount from the fund's available cash."""
    claim = await idempotency_claim(request, idempotency_key)
    return stored_response(await loans.approve(context, actor, loan_id, claim,
                                               (data or ApprovalNote()).note))


@post("/api/loans/{loan_id:str}/rejection", status_code=200, guards=[ADMIN],
      responses=responses(200, LoanOut, 400, 401, 403, 404, 409))
async def reject(context: Context, actor: Caller, request: AuthenticatedRequest,
                 loan_id: FromPath[str], data: JSONBody[Reason],
                 idempotency_key: IdempotencyKeyHeader = None) -> Response[Any]:
    claim = await idempotency_claim(request, idempotency_key)
    return stored_response(await loans.reject(context, actor, loan_id, claim, data.reason))


@post("/api/loans/{loan_id:str}/cancellation", status_code=200, guards=[ADMIN],
      responses=responses(200, LoanOut, 400, 401, 403, 404, 409))
async def cancel(context: Context, actor: Caller, request: AuthenticatedRequest,
                 loan_id: FromPath[str], data: JSONBody[Reason],
                 idempotency_key: IdempotencyKeyHeader = None) -> Response[Any]:
    """Cancel an approved loan not yet disbursed; its reservation is released."""
    claim = await idempotency_claim(request, idempotency_key)
    return stored_response(await loans.cancel(context, actor, loan_id, claim, data.reason))


@post("/api/loans/{loan_id:str}/disbursement", status_code=200, guards=[ADMIN],
      responses=responses(200, LoanOut, 400, 401, 403, 404, 409, 422))
async def disburse(context: Context, actor: Caller, request: AuthenticatedRequest,
                   loan_id: FromPath[str], data: JSONBody[DisbursementRequest],
                   idempotency_key: MoneyMovingKeyHeader) -> Response[Any]:
    """Pay the loan out (Dr 1100 loans receivable / Cr 1000 cash); fixes the schedule."""
    claim = await idempotency_claim(request, idempotency_key)
    return stored_response(await loans.disburse(context, actor, loan_id, claim, data.date))


@get("/api/loans/{loan_id:str}/schedule", guards=[ANY_ROLE],
     responses=responses(200, ScheduleOut, 401, 404))
async def schedule(context: Context, actor: Caller, loan_id: FromPath[str]) -> ScheduleOut:
    """The schedule, with what was paid and each instalment's status once disbursed."""
    return await loans.loan_schedule(context, actor, loan_id)


@post("/api/loans/{loan_id:str}/repayments", guards=[ADMIN],
      responses=responses(201, RepaymentOut, 400, 401, 403, 404, 409, 422))
async def repay(context: Context, actor: Caller, request: AuthenticatedRequest,
                loan_id: FromPath[str], data: JSONBody[RepaymentRequest],
                idempotency_key: MoneyMovingKeyHeader) -> Response[Any]:
    """Record a repayment, allocated penalties, fees, interest, principal, instalment by
    instalment; after a write-off it is a recovery (Dr 1000 / Cr 4200)."""
    claim = await idempotency_claim(request, idempotency_key)
    return stored_response(await repayments.repay(
        context, actor, claim, repayments.RepaymentRequest(loan_id, data.amount, data.date)))


@post("/api/loans/repayments/batch", guards=[ADMIN],
      responses={**responses(201, RepaymentBatchOut, 400, 401, 403, 409, 422),
                 **responses(200, RepaymentBatchOut)})
async def repay_batch(context: Context, actor: Caller, request: AuthenticatedRequest,
                      data: JSONBody[RepaymentBatchCreate]) -> Response[Any]:
    """Record up to 1,000 repayments (a settlement file) in one transaction, in the order
    given, each allocated as a single repayment is. Each carries its own
    `idempotency_key` (no Idempotency-Key header: sending the batch again replays each
    repayment already recorded); `reference` goes into the entry's memo.

    `atomic`: every repayment or none; 201 with every result, or 422 naming the first
    refused one (`errors[].field` such as `repayments[3].amount`, and `index`).
    `independent`: 200 with a result per repayment in order: 201 and the repayment, or the
    problem (4xx) it was refused with; a refused repayment writes nothing."""
    mode = BatchMode(data.mode)
    claims = item_claims(request, "repayments", data.repayments)
    outcomes = await repayments.repay_batch(context, actor, mode, data.fund, [
        (claim, repayments.RepaymentRequest(item.loan, item.amount, item.date, item.reference))
        for claim, item in zip(claims, data.repayments, strict=True)])
    return batch_response(mode, outcomes, "repayment", RepaymentBatchOut,
                          RepaymentBatchResult)


@get("/api/loans/{loan_id:str}/payoff", guards=[ANY_ROLE],
     responses=responses(200, PayoffOut, 400, 401, 404, 409, 422))
async def payoff(context: Context, actor: Caller, loan_id: FromPath[str],
                 date: FromQuery[str | None] = None) -> PayoffOut:
    """What closes the loan on that date (default today)."""
    return await loans.payoff(context, actor, loan_id, date)


@post("/api/loans/{loan_id:str}/write-off", status_code=200, guards=[ADMIN],
      responses=responses(200, LoanOut, 400, 401, 403, 404, 409, 422))
async def write_off(context: Context, actor: Caller, request: AuthenticatedRequest,
                    loan_id: FromPath[str], data: JSONBody[WriteOffRequest],
                    idempotency_key: MoneyMovingKeyHeader) -> Response[Any]:
    """Write off the principal left (Dr 5100 / Cr 1100); the admin and reason are kept."""
    claim = await idempotency_claim(request, idempotency_key)
    return stored_response(await loans.write_off(context, actor, loan_id, claim,
                                                 date_text=data.date, reason=data.reason))


ROUTES = [create_product, list_products, quote, apply, repay_batch, list_loans, my_loans,
          get_loan, approve,
          reject, cancel, disburse, schedule, repay, payoff, write_off]
