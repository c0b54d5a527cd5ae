"""The reports auditors export. `format` picks JSON (the documented shape), CSV or PDF;
every report is sent as a stream, so a large general ledger starts arriving at once."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import get
from litestar.params import FromQuery, QueryParameter
from litestar.response import Stream

from aidledger.api.auth import ADMIN_OR_AUDITOR
from aidledger.api.openapi import responses
from aidledger.api.parameters import READ_FROM_HEADER, Reads
from aidledger.contract.ledger import TrialBalanceOut
from aidledger.contract.reports import GeneralLedgerOut, GrantsReportOut, PortfolioOut
from aidledger.reports.audit_package import audit_package_report
from aidledger.reports.beancount import beancount_report
from aidledger.reports.general_ledger import general_ledger_report
from aidledger.reports.grants import grants_report
from aidledger.reports.output import Rendered, report_format
from aidledger.reports.portfolio import portfolio_report
from aidledger.reports.trial_balance import trial_balance_report
from aidledger.services.reading import Reading

From = Annotated[str | None, QueryParameter(name="from")]
Format = Annotated[str | None, QueryParameter(
    description="json (default), csv or pdf")]


def _sent(rendered: Rendered, reading: Reading) -> Stream:
    headers = {READ_FROM_HEADER: reading.source.value}
    if rendered.extension != "json":
        headers["Content-Disposition"] = f'attachment; filename="{rendered.filename}"'
    return Stream(rendered.chunks, media_type=rendered.media_type, headers=headers)


@get("/api/reports/trial-balance", guards=[ADMIN_OR_AUDITOR],
     responses=responses(200, TrialBalanceOut, 400, 401, 403, 404, 422, 503))
async def trial_balance(reading: Reads, fund: FromQuery[str],
                        as_of: FromQuery[str | None] = None, format: Format = None) -> Stream:
    """Every account's net balance at the end of `as_of` (default today); CSV ends with a
    TOTAL row."""
    return _sent(await trial_balance_report(reading.context, fund, as_of,
                                            report_format(format)), reading)


@get("/api/reports/general-ledger", guards=[ADMIN_OR_AUDITOR],
     responses=responses(200, GeneralLedgerOut, 400, 401, 403, 404, 422, 503))
async def general_ledger(reading: Reads, fund: FromQuery[str], date_from: From = None,
                         to: FromQuery[str | None] = None, format: Format = None) -> Stream:
    """Every entry dated in [from, to] in seq order, with the opening balances; CSV has one
    row per line; PDF only up to 5,000 lines."""
    return _sent(await general_ledger_report(reading.context, fund, date_from, to,
                                             report_format(format)), reading)


@get("/api/reports/portfolio", guards=[ADMIN_OR_AUDITOR],
     responses=responses(200, PortfolioOut, 400, 401, 403, 404, 422, 503))
async def portfolio(reading: Reads, fund: FromQuery[str], as_of: FromQuery[str | None] = None,
                    format: Format = None) -> Stream:
    """Gross portfolio, portfolio at risk (SEEP), aging and write-offs on `as_of`."""
    return _sent(await portfolio_report(reading.context, fund, as_of, report_format(format)),
                 reading)


@get("/api/reports/grants", guards=[ADMIN_OR_AUDITOR],
     responses=responses(200, GrantsReportOut, 400, 401, 403, 404, 422, 503))
async def grants(reading: Reads, fund: FromQuery[str], date_from: From = None,
                 to: FromQuery[str | None] = None, format: Format = None) -> Stream:
    """Grants paid in [from, to], by programme, by category and one by one."""
    return _sent(await grants_report(reading.context, fund, date_from, to,
                                     report_format(format)), reading)


@get("/api/reports/beancount", guards=[ADMIN_OR_AUDITOR],
     responses=responses(200, str, 400, 401, 403, 404, 422, media_type="text/plain"))
async def beancount(reading: Reads, fund: FromQuery[str],
                    to: FromQuery[str | None] = None) -> Stream:
    """The books up to `to` as a Beancount ledger that bean-check accepts."""
    return _sent(await beancount_report(reading.context, fund, to), reading)


@get("/api/reports/audit-package", guards=[ADMIN_OR_AUDITOR],
     responses=responses(200, bytes, 400, 401, 403, 404, 422, media_type="application/zip"))
async def audit_package(reading: Reads, fund: FromQuery[str], date_from: From = None,
                        to: FromQuery[str | None] = None) -> Stream:
    """A zip of every report of the period, the verify result, a signed checkpoint, a
    manifest of sha256 digests and a script that recomputes the hash chain."""
    return _sent(await audit_package_report(reading.context, fund, date_from, to), reading)


ROUTES: list[Any] = [trial_balance, general_ledger, portfolio, grants, beancount, audit_package]
