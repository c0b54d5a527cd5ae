"""Loan products, quotes and schedules, loans and repayments."""

from __future__ import annotations

from typing import Literal

from msgspec import Struct

from aidledger.contract.common import Amount, Request, SmallCount, Text
from aidledger.contract.ledger import JournalEntryOut
from aidledger.contract.policies import DecisionOut

PeriodUnitName = Literal["day", "week", "month"]
DayCountName = Literal["30/360", "actual/365", "actual/364", "actual/360", "actual/actual"]


class RepaymentEvery(Request):
    count: SmallCount
    unit: PeriodUnitName


class LatePenaltyIn(Request):
    amount: Amount
    after_days: SmallCount


class LoanProductCreate(Request):
    code: Text
    name: Text
    fund: Text
    interest_method: Literal["declining_balance", "flat"]
    amortization: Literal["equal_installments", "equal_principal"]
    annual_rate_percent: Amount
    repayment_every: RepaymentEvery
    installments: SmallCount
    min_amount: Amount
    max_amount: Amount
    interest_period: Literal["same_as_repayment", "daily"] = "same_as_repayment"
    day_count: DayCountName = "actual/365"
    min_installments: SmallCount | None = None
    max_installments: SmallCount | None = None
    installment_multiple_of: Amount | None = None
    grace_on_principal: SmallCount = 0
    grace_on_interest_payment: SmallCount = 0
    late_penalty: LatePenaltyIn | None = None
    eligibility_policy: Text | None = None


class QuoteRequest(Request):
    amount: Amount
    disbursement_date: Text
    installments: SmallCount | None = None
    first_due_date: Text | None = None


class RepaymentEveryOut(Struct):
    count: int
    unit: PeriodUnitName


class LatePenaltyOut(Struct):
    amount: str
    after_days: int


class LoanProductOut(Struct):
    code: str
    name: str
    fund: str
    currency: str
    interest_method: str
    amortization: str
    interest_period: str
    annual_rate_percent: str
    repayment_every: RepaymentEveryOut
    installments: int
    min_installments: int
    max_installments: int
    day_count: DayCountName
    installment_multiple_of: str | None
    grace_on_principal: int
    grace_on_interest_payment: int
    min_amount: str
    max_amount: str
    late_penalty: LatePenaltyOut | None
    eligibility_policy: str | None


class LoanProductList(Struct):
    items: list[LoanProductOut]
    next_cursor: str | None


class ScheduleRow(Struct, omit_defaults=True):
    # `paid` and `status` appear only on a disbursed loan's schedule, not on a quote.
    number: int
    due_date: str
    principal: str
    interest: str
    fees: str
    penalties: str
    total: str
    balance_after: str
    paid: str | None = None
    status: Literal["paid", "overdue", "partial", "upcoming"] | None = None


class ScheduleTotals(Struct):
    principal: str
    interest: str
    fees: str
    penalties: str
    total: str


class ScheduleOut(Struct):
    currency: str
    disbursement_date: str
    installments: list[ScheduleRow]
    totals: ScheduleTotals
    apr_percent: str
    effective_annual_rate_percent: str


class LoanApplication(Request):
    person: Text
    product: Text
    amount: Amount
    purpose: Text
    installments: SmallCount | None = None
    applied_on: Text | None = None


class ApprovalNote(Request):
    note: Text | None = None


class Reason(Request):
    reason: Text


class DisbursementRequest(Request):
    date: Text


class RepaymentRequest(Request):
    amount: Amount
    date: Text


class WriteOffRequest(Request):
    date: Text
    reason: Text


class ApprovalOut(Struct):
    by: str
    at: str
    note: str | None


class OutstandingOut(Struct):
    principal: str
    interest: str
    penalties: str
    fees: str
    total: str


class LoanOut(Struct):
    id: str
    person: str
    product: str
    currency: str
    amount: str
    installments: int
    purpose: str
    applied_on: str
    status: Literal["pending_approval", "rejected", "approved", "cancelled", "active",
                    "closed", "written_off"]
    status_reason: str | None
    decision: DecisionOut | None
    approvals_needed: int
    approvals: list[ApprovalOut]
    created_by: str
    disbursed_on: str | None
    disbursement_entry_id: str | None
    outstanding: OutstandingOut
    days_past_due: int


class LoanList(Struct):
    items: list[LoanOut]
    next_cursor: str | None


class AllocationOut(Struct):
    penalties: str
    fees: str
    interest: str
    principal: str
    overpayment: str
    recovery: str


class RepaymentOut(Struct):
    currency: str
    allocation: AllocationOut
    entry: JournalEntryOut
    outstanding: OutstandingOut


class PayoffOut(Struct):
    currency: str
    date: str
    principal: str
    interest: str
    penalties: str
    fees: str
    total: str
