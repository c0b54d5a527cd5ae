"""Loan products and quotes."""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec

from aidledger.contract.loans import LoanProductList, LoanProductOut, ScheduleOut
from aidledger.domain import money
from aidledger.domain.dates import parse_date
from aidledger.domain.errors import InvalidInput, NotFound, RuleViolation
from aidledger.domain.products import parse_product, product_document, product_errors
from aidledger.domain.schedule import build_schedule, schedule_document
from aidledger.persistence import products as store
from aidledger.services.audit import record_event
from aidledger.services.context import Actor, ServiceContext
from aidledger.services.funds import fund_in_body
from aidledger.services.pagination import (
    decode_code_cursor,
    encode_code_cursor,
    require_limit,
    split_page,
)
from aidledger.services.validation import require_code, require_text, taken_means_conflict

DEFAULT_ELIGIBILITY_POLICY = "loan-eligibility"


async def create_product(context: ServiceContext, actor: Actor,
                         request: dict[str, Any]) -> LoanProductOut:
    require_code(request["code"], "code")
    request["name"] = require_text(request["name"], "name")
    fund = await fund_in_body(context, request["fund"], "fund")
    policy_id = request.get("eligibility_policy")
    if policy_id is None and context.policies.get(DEFAULT_ELIGIBILITY_POLICY) is not None:
        # Stored explicitly, so the product says which policy decides for it.
        policy_id = request["eligibility_policy"] = DEFAULT_ELIGIBILITY_POLICY
    if policy_id is not None:
        policy = context.policies.get(policy_id)
        if policy is None or policy.applies_to != "loan_application":
            raise RuleViolation.field("eligibility_policy",
                                      f"no loan_application policy {policy_id!r}")
    product = parse_product(request, fund.code, fund.currency)
    errors = product_errors(product)
    if errors:
        raise InvalidInput("The product's terms do not fit together.", errors)
    document = product_document(product)
    with taken_means_conflict("code", f"A loan product {product.code!r} already exists."):
        async with context.database.write():
            await store.insert_product(context.database, product, fund.id,
                                       context.clock.now(), actor.username)
            await record_event(context.database, context.clock, actor, "loan_product.created",
                               ("loan_product", product.code), after=document,
                               fund_id=fund.id)
    return msgspec.convert(document, LoanProductOut)


async def list_products(context: ServiceContext, *, limit: int,
                        cursor: str | None) -> LoanProductList:
    require_limit(limit)
    terms = await store.product_terms_after(context.database, decode_code_cursor(cursor),
                                            limit + 1)
    page, next_cursor = split_page(terms, limit, lambda item: encode_code_cursor(item["code"]))
    return LoanProductList(items=[msgspec.convert(item, LoanProductOut) for item in page],
                           next_cursor=next_cursor)


async def quote(context: ServiceContext, code: str, *, amount: str, installments: int | None,
                disbursement_date: str, first_due_date: str | None) -> ScheduleOut:
    product = await store.find_product(context.database, code)
    if product is None:
        raise NotFound(f"No loan product {code!r}.")
    principal = money.parse_amount(amount, product.currency, "amount")
    count = product.installments if installments is None else installments
    product.require_offerable(principal, count)
    disbursed = parse_date(disbursement_date, "disbursement_date")
    first_due = None if first_due_date is None else parse_date(first_due_date, "first_due_date")
    require_first_due_after(disbursed, first_due)
    schedule = build_schedule(product.loan_terms(principal, count), disbursed, first_due)
    return msgspec.convert(schedule_document(schedule, product.currency), ScheduleOut)


def require_first_due_after(disbursed: date, first_due: date | None) -> None:
    if first_due is not None and first_due <= disbursed:
        raise RuleViolation.field("first_due_date", "must fall after the disbursement date")
