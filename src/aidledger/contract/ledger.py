"""Funds, accounts, contributions, journal entries, trial balances."""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta, Struct

from aidledger.contract.common import AccountTypeName, Amount, Request, Text
from aidledger.domain.ledger import MAX_LINES


class FundCreate(Request):
    code: Text
    name: Text
    currency: Text
    contact: Text | None = None


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


class FundOut(Struct):
    id: str
    code: str
    name: str
    currency: str
    contact: str | None
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
