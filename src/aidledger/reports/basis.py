"""What every report reads first: the fund and its chain head, in the same snapshot as the
figures, so that a report names exactly the books it was made from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import msgspec

from aidledger.contract.reports import ReportFormat
from aidledger.domain.dates import timestamp
from aidledger.domain.errors import NotFound
from aidledger.persistence import funds, journal
from aidledger.persistence.funds import FundRecord
from aidledger.persistence.journal import ChainHead
from aidledger.reports.output import Rendered, json_report, once
from aidledger.reports.pdf import Heading, render_pdf
from aidledger.reports.tables import csv_text
from aidledger.services.context import ServiceContext
from aidledger.services.funds import fund_in_path


@dataclass(frozen=True, slots=True)
class Basis:
    fund: FundRecord
    head: ChainHead
    generated_at: datetime

    def heading(self, title: str, period: str) -> Heading:
        return Heading(title=title, fund=self.fund.code, fund_name=self.fund.name,
                       currency=self.fund.currency, period=period,
                       generated_at=timestamp(self.generated_at),
                       head_seq=self.head.last_seq, head_hash=self.head.last_hash)


async def read_basis(context: ServiceContext, fund_reference: str) -> Basis:
    """The fund (404 when unknown) and its head; call it inside the report's snapshot."""
    known = await fund_in_path(context, fund_reference)
    fund = await funds.find_fund(context.database, known.id)
    if fund is None:
        raise NotFound(f"No fund {fund_reference!r}.")
    head = await journal.read_chain_head(context.database, fund.id)
    return Basis(fund, head, context.clock.now())


@dataclass(frozen=True, slots=True)
class Printed:
    """How a report looks as PDF: its template, title, period and what the template reads
    beside the document."""

    template: str
    title: str
    period: str
    values: dict[str, Any]


async def in_format(context: ServiceContext, basis: Basis, name: str, day: date,
                    output: ReportFormat, document: msgspec.Struct, columns: Sequence[str],
                    rows: list[Sequence[object]], printed: Printed) -> Rendered:
    """A report small enough to hold whole, in the format asked for."""
    fund = basis.fund.code
    if output == "json":
        return json_report(name, fund, day, document)
    if output == "csv":
        return Rendered(name, fund, day, "csv", once(csv_text([columns, *rows])))
    pdf = await render_pdf(context.reports_path, printed.template,
                           basis.heading(printed.title, printed.period),
                           {"report": document, **printed.values})
    return Rendered(name, fund, day, "pdf", once(pdf))
