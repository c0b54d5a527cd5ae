"""Loan products: the terms a fund offers, and the checks that make them coherent."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from aidledger.domain.errors import FieldError, RuleViolation
from aidledger.domain.money import format_minor, money_text, parse_amount, parse_rate_percent
from aidledger.domain.schedule import (
    Amortization,
    DayCount,
    Frequency,
    InterestMethod,
    InterestPeriod,
    LoanTerms,
    PeriodUnit,
    terms_errors,
)


@dataclass(frozen=True, slots=True)
class LatePenalty:
    amount: int  # minor units, charged once per instalment
    after_days: int  # when the instalment is more than this many days overdue


@dataclass(frozen=True, slots=True)
class LoanProduct:
    code: str
    name: str
    fund: str  # fund code
    currency: str
    interest_method: InterestMethod
    amortization: Amortization
    interest_period: InterestPeriod
    annual_rate_percent: Decimal
    repayment_every: Frequency
    installments: int
    min_installments: int
    max_installments: int
    day_count: DayCount
    installment_multiple_of: int | None
    grace_on_principal: int
    grace_on_interest_payment: int
    min_amount: int
    max_amount: int
    late_penalty: LatePenalty | None
    eligibility_policy: str | None

    def loan_terms(self, principal: int, installments: int | None = None) -> LoanTerms:
        return LoanTerms(
            principal=principal, annual_rate=self.annual_rate_percent / 100,
            interest_method=self.interest_method, amortization=self.amortization,
            interest_period=self.interest_period, frequency=self.repayment_every,
            installments=installments or self.installments, day_count=self.day_count,
            installment_multiple_of=self.installment_multiple_of,
            grace_on_principal=self.grace_on_principal,
            grace_on_interest_payment=self.grace_on_interest_payment,
        )

    def require_offerable(self, principal: int, installments: int) -> None:
        """A loan of this amount over this many instalments is within the product (422)."""
        errors = []
        if not self.min_amount <= principal <= self.max_amount:
            errors.append(FieldError("amount", f"must be from "
                                     f"{money_text(self.min_amount, self.currency)} to "
                                     f"{money_text(self.max_amount, self.currency)}"))
        if not self.min_installments <= installments <= self.max_installments:
            errors.append(FieldError("installments", f"must be from {self.min_installments} "
                                                     f"to {self.max_installments}"))
        if errors:
            raise RuleViolation("The loan is outside what the product offers.", errors)


def product_errors(product: LoanProduct) -> list[FieldError]:
    """Every reason the product is incoherent, as values."""
    errors = [error for error in terms_errors(product.loan_terms(product.min_amount or 1))
              if error.field not in ("amount",)]
    if product.min_amount <= 0:
        errors.append(FieldError("min_amount", "must be greater than zero"))
    if product.max_amount < product.min_amount:
        errors.append(FieldError("max_amount", "must not be below min_amount"))
    if not 1 <= product.min_installments <= product.max_installments:
        errors.append(FieldError("min_installments", "from 1 up to max_installments"))
    if not product.min_installments <= product.installments <= product.max_installments:
        errors.append(FieldError("installments", "between min_installments and max_installments"))
    if product.max_installments > 520:
        errors.append(FieldError("max_installments", "at most 520"))
    for field, grace in (("grace_on_principal", product.grace_on_principal),
                         ("grace_on_interest_payment", product.grace_on_interest_payment)):
        if grace >= product.min_installments:
            errors.append(FieldError(field, "must be less than min_installments"))
    if product.late_penalty is not None:
        if product.late_penalty.amount <= 0:
            errors.append(FieldError("late_penalty.amount", "must be greater than zero"))
        if not 0 <= product.late_penalty.after_days <= 365:
            errors.append(FieldError("late_penalty.after_days", "from 0 to 365"))
    return errors


def product_document(product: LoanProduct) -> dict[str, Any]:
    """As the API shows it; also the copy of its terms a loan keeps."""
    money = product.currency
    return {
        "code": product.code, "name": product.name, "fund": product.fund, "currency": money,
        "interest_method": product.interest_method.value,
        "amortization": product.amortization.value,
        "interest_period": product.interest_period.value,
        "annual_rate_percent": str(product.annual_rate_percent),
        "repayment_every": {"count": product.repayment_every.count,
                            "unit": product.repayment_every.unit.value},
        "installments": product.installments,
        "min_installments": product.min_installments,
        "max_installments": product.max_installments,
        "day_count": product.day_count.value,
        "installment_multiple_of": None if product.installment_multiple_of is None else
        format_minor(product.installment_multiple_of, money),
        "grace_on_principal": product.grace_on_principal,
        "grace_on_interest_payment": product.grace_on_interest_payment,
        "min_amount": format_minor(product.min_amount, money),
        "max_amount": format_minor(product.max_amount, money),
        "late_penalty": None if product.late_penalty is None else {
            "amount": format_minor(product.late_penalty.amount, money),
            "after_days": product.late_penalty.after_days},
        "eligibility_policy": product.eligibility_policy,
    }


def parse_product(document: dict[str, Any], fund_code: str, currency: str) -> LoanProduct:
    """A product from its document (a request, or the stored copy): amounts are decimal
    strings of the fund's currency, the rate a percent string."""
    def amount(field: str, value: Any) -> int:
        return parse_amount(value, currency, field)

    installments = document["installments"]
    penalty = document.get("late_penalty")
    multiple = document.get("installment_multiple_of")
    return LoanProduct(
        code=document["code"], name=document["name"], fund=fund_code, currency=currency,
        interest_method=InterestMethod(document["interest_method"]),
        amortization=Amortization(document["amortization"]),
        interest_period=InterestPeriod(document.get("interest_period") or "same_as_repayment"),
        annual_rate_percent=parse_rate_percent(document["annual_rate_percent"],
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
