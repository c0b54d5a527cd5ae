"""What the auditors' reports return as JSON (API.md "Reports (auditors export)")."""

from __future__ import annotations

from typing import Literal

import msgspec
from msgspec import Struct

from aidledger.contract.common import Amount
from aidledger.contract.ledger import JournalEntryOut
from aidledger.domain.portfolio import BucketName

ReportFormat = Literal["json", "csv", "pdf"]
AgingBucketName = BucketName


class OpeningBalanceOut(Struct):
    account: str
    balance: Amount  # on the account's normal side, as the accounts list shows it


class GeneralLedgerOut(Struct):
    """Sent as a stream: the header first, then the entries as they are read."""

    fund: str
    currency: str
    from_: str = msgspec.field(name="from")
    to: str
    opening: list[OpeningBalanceOut]
    entries: list[JournalEntryOut]


class ParOut(Struct):
    par1: str
    par30: str
    par90: str


class AgingOut(Struct):
    bucket: AgingBucketName
    loans: int
    principal_outstanding: Amount


class WrittenOffOut(Struct):
    count: int
    principal: Amount


class PortfolioLoanOut(Struct):
    loan: str
    person: str
    product: str
    disbursed_on: str
    principal_outstanding: Amount
    days_past_due: int
    bucket: AgingBucketName


class PortfolioOut(Struct):
    fund: str
    currency: str
    as_of: str
    gross_portfolio: Amount
    active_loans: int
    par: ParOut
    aging: list[AgingOut]
    written_off: WrittenOffOut
    loans: list[PortfolioLoanOut]


class ProgramTotalOut(Struct):
    program: str
    category: str
    count: int
    amount: Amount


class CategoryTotalOut(Struct):
    category: str
    count: int
    amount: Amount


class TotalOut(Struct):
    count: int
    amount: Amount


class PaidGrantOut(Struct):
    id: str
    person: str
    program: str
    category: str
    amount: Amount
    paid_on: str
    method: str


class GrantsReportOut(Struct):
    fund: str
    currency: str
    from_: str = msgspec.field(name="from")
    to: str
    by_program: list[ProgramTotalOut]
    by_category: list[CategoryTotalOut]
    total: TotalOut
    grants: list[PaidGrantOut]
