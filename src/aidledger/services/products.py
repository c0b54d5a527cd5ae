"""Loan products and quotes."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from aidledger.domain import money
from aidledger.domain.dates import parse_date
from aidledger.domain.errors import InvalidInput, NotFound, RuleViolation
from aidledger.domain.products import LatePenalty, LoanProduct, product_document, product_errors
from aidledger.domain.schedule import (
    Amortization,
    DayCount,
    Frequency,
    InterestMethod,
    InterestPeriod,
    PeriodUnit,
    build_schedule,
    schedule_document,
)
from aidledger.persistence.database import Database
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


def parse_product(document: dict[str, Any], fund_code: str, currency: str) -> LoanProduct:
    """A product from its document (a request, or the stored copy): amounts are decimal
    strings of the fund's currency, the rate a percent string."""
    def amount(field: str, value: Any) -> int:
        return money.parse_amount(value, currency, field)

    installments = document["installments"]
    penalty = document.get("late_penalty")
    multiple = document.get("installment_multiple_of")
    return LoanProduct(
        code=document["code"], name=document["name"], fund=fund_code, currency=currency,
        interest_method=InterestMethod(document["interest_method"]),
        amortization=Amortization(document["amortization"]),
        interest_period=InterestPeriod(document.get("interest_period") or "same_as_repayment"),
        annual_rate_percent=money.parse_rate_percent(document["annual_rate_percent"],
                                                     "annual_rate_percent"),
        repayment_every=Frequency(document["repayment_every"]["count"],
                                  PeriodUnit(document["repayment_every"]["unit"])),
        installments=installments,
        # Absent means "the default number"; an explicit 0 must reach validation as 0.
        min_installments=_given(document.get("min_installments"), installments),
        max_installments=_given(document.get("max_installments"), installments),
        day_count=DayCount(document.get("day_count") or "actual/365"),
        installment_multiple_of=None if multiple is None else amount(
            "installment_multiple_of", multiple),
        grace_on_principal=document.get("grace_on_principal") or 0,
        grace_on_interest_payment=document.get("grace_on_interest_payment") or 0,
        min_amount=amount("min_amount", document["min_amount"]),
        max_amount=amount("max_amount", document["max_amount"]),
        late_penalty=None if penalty is None else LatePenalty(
            amount("late_penalty.amount", penalty["amount"]), penalty["after_days"]),
        eligibility_policy=document.get("eligibility_policy"),
    )


def _given(value: Any, default: int) -> int:
    return default if value is None else int(value)


async def create_product(context: ServiceContext, actor: Actor,
                         request: dict[str, Any]) -> dict[str, Any]:
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
            await context.database.execute(
                "INSERT INTO loan_product (code, name, fund_id, currency, terms, created_at, "
                "created_by) VALUES ({}, {}, {}, {}, {}, {}, {})",
                product.code, product.name, fund.id, fund.currency, json.dumps(document),
                context.clock.now(), actor.username)
            await record_event(context.database, context.clock, actor, "loan_product.created",
                               ("loan_product", product.code), after=document,
                               fund_id=fund.id)
    return document


async def find_product(database: Database, code: str) -> LoanProduct | None:
    row = await database.fetch_one(
        "SELECT p.terms, f.code AS fund_code, p.currency FROM loan_product AS p "
        "JOIN fund AS f ON f.id = p.fund_id WHERE p.code = {}", code)
    if row is None:
        return None
    return parse_product(json.loads(row["terms"]), row["fund_code"], row["currency"])


async def list_products(context: ServiceContext, *, limit: int,
                        cursor: str | None) -> dict[str, Any]:
    require_limit(limit)
    rows = await context.database.fetch(
        "SELECT code, terms FROM loan_product WHERE code > {} ORDER BY code LIMIT {}",
        decode_code_cursor(cursor), limit + 1)
    page, next_cursor = split_page(rows, limit, lambda row: encode_code_cursor(row["code"]))
    return {"items": [json.loads(row["terms"]) for row in page], "next_cursor": next_cursor}


async def quote(context: ServiceContext, code: str, *, amount: str, installments: int | None,
                disbursement_date: str, first_due_date: str | None) -> dict[str, Any]:
    product = await find_product(context.database, code)
    if product is None:
        raise NotFound(f"No loan product {code!r}.")
    principal = money.parse_amount(amount, product.currency, "amount")
    count = product.installments if installments is None else installments
    product.require_offerable(principal, count)
    disbursed = parse_date(disbursement_date, "disbursement_date")
    first_due = None if first_due_date is None else parse_date(first_due_date, "first_due_date")
    require_first_due_after(disbursed, first_due)
    schedule = build_schedule(product.loan_terms(principal, count), disbursed, first_due)
    return schedule_document(schedule, product.currency)


def require_first_due_after(disbursed: date, first_due: date | None) -> None:
    if first_due is not None and first_due <= disbursed:
        raise RuleViolation.field("first_due_date", "must fall after the disbursement date")
