"""The trial balance report: every account's net balance at the end of a day."""

from __future__ import annotations

from collections.abc import Sequence

from aidledger.contract.ledger import TrialBalanceOut
from aidledger.contract.reports import ReportFormat
from aidledger.reports.basis import Printed, in_format, read_basis
from aidledger.reports.output import Rendered
from aidledger.services import ledger
from aidledger.services.context import ServiceContext
from aidledger.services.validation import business_date

NAME = "trial-balance"
COLUMNS = ("account", "name", "type", "debit", "credit")


def rows(document: TrialBalanceOut) -> list[Sequence[object]]:
    """The CSV's rows after its header: one per account, then the totals."""
    found: list[Sequence[object]] = [
        (line.account, line.name, line.type, line.debit, line.credit)
        for line in document.lines]
    found.append(("TOTAL", "", "", document.total_debit, document.total_credit))
    return found


async def trial_balance_report(context: ServiceContext, fund_reference: str,
                               as_of_text: str | None, output: ReportFormat) -> Rendered:
    as_of = business_date(context.clock.today(), as_of_text, "as_of")
    async with context.database.snapshot():
        basis = await read_basis(context, fund_reference)
        document = await ledger.trial_balance(context, basis.fund.id, as_of.isoformat())
    return await in_format(context, basis, NAME, as_of, output, document, COLUMNS,
                           rows(document), Printed("trial-balance.html", "Trial balance",
                                                   f"as of {as_of.isoformat()}", {}))
