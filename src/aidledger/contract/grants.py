"""Grant programmes and emergency grants."""

from __future__ import annotations

from typing import Literal

from msgspec import Struct

from aidledger.contract.common import Amount, Request, Text
from aidledger.contract.loans import ApprovalOut
from aidledger.contract.policies import DecisionOut

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
