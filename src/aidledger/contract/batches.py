"""Batches of journal entries and of loan repayments: up to 1,000 items, each with its own
idempotency key, all or nothing (`atomic`) or each on its own (`independent`)."""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import Meta, Struct

from aidledger.contract.common import Amount, Problem, Request, Text
from aidledger.contract.ledger import JournalEntryOut, JournalLineIn
from aidledger.contract.loans import RepaymentOut
from aidledger.domain.ledger import MAX_LINES

BatchModeName = Annotated[Literal["atomic", "independent"], Meta(
    description="atomic: every item or none (422 naming the first refused item); "
                "independent: each item on its own, with its own result")]
ItemKey = Annotated[str, Meta(
    max_length=255, description="The item's Idempotency-Key: 1-255 visible ASCII characters; "
                                "sent again, the item is answered with its first result")]
MAX_ITEMS = 1000


class JournalBatchEntry(Request):
    idempotency_key: ItemKey
    fund: Text
    date: Text
    memo: Text
    lines: Annotated[list[JournalLineIn], Meta(max_length=MAX_LINES)]


class JournalBatchCreate(Request):
    mode: BatchModeName
    entries: Annotated[list[JournalBatchEntry], Meta(min_length=1, max_length=MAX_ITEMS)]


class RepaymentBatchItem(Request):
    idempotency_key: ItemKey
    loan: Text
    amount: Amount
    date: Text
    reference: Annotated[str, Meta(max_length=200, description=(
        "The payment's own reference (a bank or wallet transaction id), kept in the "
        "entry's memo"))] | None = None


class RepaymentBatchCreate(Request):
    mode: BatchModeName
    repayments: Annotated[list[RepaymentBatchItem], Meta(min_length=1, max_length=MAX_ITEMS)]
    fund: Annotated[str, Meta(max_length=1000, description=(
        "If given, every loan must be one of this fund's (a settlement file is a fund's)"
    ))] | None = None


class JournalBatchResult(Struct):
    index: int
    status: int
    replayed: bool
    entry: JournalEntryOut | None
    problem: Problem | None


class JournalBatchOut(Struct):
    mode: BatchModeName
    results: list[JournalBatchResult]


class RepaymentBatchResult(Struct):
    index: int
    status: int
    replayed: bool
    repayment: RepaymentOut | None
    problem: Problem | None


class RepaymentBatchOut(Struct):
    mode: BatchModeName
    results: list[RepaymentBatchResult]
