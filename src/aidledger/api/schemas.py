"""Request and response shapes (msgspec). Amounts are strings: a JSON number is refused."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta, Struct

from aidledger.domain.ledger import MAX_LINES

Text = Annotated[str, Meta(max_length=1000)]
Amount = Annotated[str, Meta(max_length=40, description='Decimal string, e.g. "1234.50"')]
AccountTypeName = Literal["asset", "liability", "equity", "income", "expense"]
RoleName = Literal["admin", "borrower", "auditor"]


class Request(Struct, forbid_unknown_fields=True):
    """Unknown fields are refused, so a misspelt field is an error, not silently ignored."""


class TokenRequest(Request):
    username: Text
    password: Text


class UserCreate(Request):
    username: Text
    password: Text
    role: RoleName
    person_id: Text | None = None


class FundCreate(Request):
    code: Text
    name: Text
    currency: Text


class AccountCreate(Request):
    code: Text
    name: Text
    type: AccountTypeName


class ContributionCreate(Request):
    amount: Amount
    donor: Text
    date: Text | None = None
    memo: Text | None = None


class JournalLineIn(Request):
    account: Text
    debit: Amount | None = None
    credit: Amount | None = None
    memo: Text | None = None


class JournalEntryCreate(Request):
    fund: Text
    date: Text
    memo: Text
    lines: Annotated[list[JournalLineIn], Meta(max_length=MAX_LINES)]


class ReversalCreate(Request):
    date: Text | None = None
    memo: Text | None = None


class PersonCreate(Request):
    full_name: Text
    preferred_language: Text
    phone: Text | None = None
    id_document: Text | None = None
    date_of_birth: Text | None = None


# Responses (documentation of what the services return).


class TokenOut(Struct):
    access_token: str
    token_type: Literal["bearer"]
    expires_in: int


class MeOut(Struct):
    username: str
    role: RoleName
    person_id: str | None


class UserOut(MeOut):
    pass


class DisabledUserOut(MeOut):
    disabled_at: str


class FundOut(Struct):
    id: str
    code: str
    name: str
    currency: str
    created_at: str


class FundList(Struct):
    items: list[FundOut]
    next_cursor: str | None


class AccountOut(Struct):
    code: str
    name: str
    type: AccountTypeName
    balance: Amount


class AccountList(Struct):
    currency: str
    items: list[AccountOut]


class LineOut(Struct):
    account: str
    debit: Amount
    credit: Amount
    memo: str | None


class SourceOut(Struct):
    kind: str
    id: str


class JournalEntryOut(Struct):
    id: str
    fund: str
    currency: str
    seq: int
    date: str
    memo: str
    lines: list[LineOut]
    created_by: str
    created_at: str
    reverses: str | None
    reversed_by: str | None
    source: SourceOut | None
    prev_hash: str
    hash: str


class JournalPage(Struct):
    items: list[JournalEntryOut]
    next_cursor: str | None


class TrialBalanceLine(Struct):
    account: str
    name: str
    type: AccountTypeName
    debit: Amount
    credit: Amount


class TrialBalanceOut(Struct):
    fund: str
    currency: str
    as_of: str
    lines: list[TrialBalanceLine]
    total_debit: Amount
    total_credit: Amount


class ChainHeadOut(Struct):
    seq: int
    hash: str


class FirstBadOut(Struct):
    seq: int | None
    entry_id: str | None
    reason: str


class VerifyOut(Struct):
    ok: bool
    entries_checked: int
    head: ChainHeadOut
    first_bad: FirstBadOut | None


class CheckpointOut(Struct):
    fund: str
    seq: int
    hash: str
    at: str
    key_id: str
    signature: str


class CheckpointIn(Struct):
    fund: Text
    seq: int
    hash: Text
    at: Text
    key_id: Text
    signature: Text


class CheckpointCheckOut(Struct):
    ok: bool
    reason: str | None


class PersonOut(Struct):
    id: str
    full_name: str
    preferred_language: str
    phone: str | None
    date_of_birth: str | None
    id_document_last4: str | None
    created_at: str


class FieldErrorOut(Struct):
    field: str
    message: str


class Problem(Struct):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldErrorOut] = msgspec.field(default_factory=list)


class StatusOut(Struct):
    status: str


class AuditEventOut(Struct):
    id: int
    at: str
    actor: str
    action: str
    subject_kind: str
    subject_id: str
    fund: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditEventPage(Struct):
    items: list[AuditEventOut]
    next_cursor: str | None


class CourseCompletionCreate(Request):
    course: Text
    completed_on: Text
    score: int | None = None


class PolicyEvaluation(Request):
    facts: dict[str, Any]
    as_of: Text | None = None


class PolicySummary(Struct):
    id: str
    applies_to: str
    title: str
    effective_from: str | None
    version: int | None
    sha256: str


class PolicyList(Struct):
    items: list[PolicySummary]


class PolicyOut(Struct):
    id: str
    applies_to: str
    title: str
    file: str
    sha256: str
    versions: list[dict[str, Any]]


class ReasonOut(Struct):
    rule: str
    passed: bool
    description: str
    detail: str


class DecisionOut(Struct):
    policy: str
    version: int
    sha256: str
    # Eligibility policies decide eligible or not; approval policies how many approvers.
    outcome: Literal["eligible", "ineligible", "one_approver", "two_approvers"]
    reasons: list[ReasonOut]
    evaluated_at: str


class CourseOut(Struct):
    code: str
    title: str
    credits: int
    passing_score: int
    languages: list[str]


class CourseList(Struct):
    items: list[CourseOut]


class CompletionOut(Struct):
    id: str
    person: str
    course: str
    completed_on: str
    score: int | None
    decision: DecisionOut


class CreditAwarded(Struct):
    rule: str
    credits: int


class CompletionRecorded(Struct):
    completion: CompletionOut
    credits_awarded: list[CreditAwarded]
    total_credits: int


class CreditAwardOut(Struct):
    course: str
    rule: str
    credits: int
    awarded_on: str
    policy: str
    policy_version: int
    policy_sha256: str


class CreditsOut(Struct):
    total: int
    awards: list[CreditAwardOut]


PeriodUnitName = Literal["day", "week", "month"]
DayCountName = Literal["30/360", "actual/365", "actual/364", "actual/360", "actual/actual"]
SmallCount = Annotated[int, Meta(ge=0, le=10_000)]


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


GrantCategory = Literal["medical", "funeral", "housing", "food", "education", "other"]


class GrantProgramCreate(Request):
    code: Text
    name: Text
    fund: Text
    category: GrantCategory
    max_per_person: Amount
    budget: Amount | None = None
    eligibility_policy: Text | None = None


class GrantApplication(Request):
    person: Text
    program: Text
    amount: Amount
    reason: Text


class GrantPaymentRequest(Request):
    date: Text
    method: Literal["cash", "bank_transfer", "mobile_wallet", "paid_to_provider"]
    reference: Text | None = None
    payee: Text | None = None


class GrantProgramOut(Struct):
    code: str
    name: str
    fund: str
    currency: str
    category: GrantCategory
    max_per_person: str
    budget: str | None
    committed: str
    remaining: str | None
    eligibility_policy: str | None


class GrantProgramList(Struct):
    items: list[GrantProgramOut]
    next_cursor: str | None


class PaymentOut(Struct):
    method: str
    reference: str | None
    payee: str | None


class GrantOut(Struct):
    id: str
    person: str
    program: str
    currency: str
    amount: str
    reason: str
    applied_on: str
    status: Literal["pending_approval", "rejected", "approved", "cancelled", "paid"]
    status_reason: str | None
    decision: DecisionOut | None
    approvals_needed: int
    approvals: list[ApprovalOut]
    created_by: str
    paid_on: str | None
    payment: PaymentOut | None
    entry_id: str | None
