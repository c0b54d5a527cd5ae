"""What every report reads first: the fund and its chain head, in the same snapshot as the
figures, so that a report names exactly the books it was made from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aidledger.domain.dates import timestamp
from aidledger.domain.errors import NotFound
from aidledger.persistence import funds, journal
from aidledger.persistence.funds import FundRecord
from aidledger.persistence.journal import ChainHead
from aidledger.reports.pdf import Heading
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
