"""Every report by the name the API's path and the `aidledger report` command give it."""

from __future__ import annotations

from aidledger.domain.errors import InvalidInput
from aidledger.reports.audit_package import audit_package_report
from aidledger.reports.beancount import beancount_report
from aidledger.reports.general_ledger import general_ledger_report
from aidledger.reports.grants import grants_report
from aidledger.reports.output import REPORTS, Progress, Rendered, report_format
from aidledger.reports.portfolio import portfolio_report
from aidledger.reports.trial_balance import trial_balance_report
from aidledger.services.context import ServiceContext

# These come in one form only: a Beancount ledger, a zip.
_ONE_FORM = {"beancount": "text", "audit-package": "zip"}


async def render(context: ServiceContext, name: str, *, fund: str, start: str | None = None,
                 end: str | None = None, as_of: str | None = None, output: str | None = None,
                 progress: Progress | None = None) -> Rendered:
    if name in _ONE_FORM and output is not None:
        raise InvalidInput.field("format", f"the {name} report is made as "
                                           f"{_ONE_FORM[name]} only")
    chosen = report_format(output)
    if name == "trial-balance":
        return await trial_balance_report(context, fund, as_of, chosen)
    if name == "general-ledger":
        return await general_ledger_report(context, fund, start, end, chosen, progress)
    if name == "portfolio":
        return await portfolio_report(context, fund, as_of, chosen)
    if name == "grants":
        return await grants_report(context, fund, start, end, chosen)
    if name == "beancount":
        return await beancount_report(context, fund, end, progress)
    if name == "audit-package":
        return await audit_package_report(context, fund, start, end, progress)
    raise InvalidInput.field("report", f"one of {', '.join(REPORTS)}")
