"""The loan portfolio on a date: gross portfolio, portfolio at risk, aging, write-offs.

Every loan's standing comes from `services.loan_books`, the same books the loan endpoints
replay, so a report never disagrees with what a loan itself says."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from aidledger.contract.reports import (
    AgingOut,
    ParOut,
    PortfolioLoanOut,
    PortfolioOut,
    ReportFormat,
    WrittenOffOut,
)
from aidledger.domain.money import format_minor
from aidledger.domain.portfolio import LoanStanding, portfolio
from aidledger.reports.basis import Printed, in_format, read_basis
from aidledger.reports.listing import Column, listing, short_id
from aidledger.reports.output import Rendered
from aidledger.services.context import ServiceContext
from aidledger.services.loan_books import fund_books
from aidledger.services.validation import business_date

NAME = "portfolio"
COLUMNS = ("loan", "person", "product", "disbursed_on", "principal_outstanding",
           "days_past_due", "bucket")
_LISTED = (Column("Loan"), Column("Person"), Column("Product"), Column("Disbursed"),
           Column("Principal\noutstanding", right=True), Column("Days\npast due", right=True),
           Column("Bucket"))


async def standings(context: ServiceContext, fund_id: str, as_of: date) -> list[LoanStanding]:
    """Every loan of the fund still on the books on `as_of`: active or written off by
    then, not closed by then."""
    found = []
    for row, book in await fund_books(context.database, fund_id, as_of):
        if row.closed_on is not None and row.closed_on <= as_of:
            continue
        standing = book.standing(as_of)
        written_off = row.written_off_on is not None and row.written_off_on <= as_of
        assert row.disbursed_on is not None  # fund_books holds disbursed loans only
        found.append(LoanStanding(
            loan=row.id, person=row.person_id, product=row.product_code,
            disbursed_on=row.disbursed_on,
            principal_outstanding=standing.principal_outstanding,
            days_past_due=0 if written_off else standing.days_past_due,
            written_off=written_off))
    return found


def portfolio_document(fund: str, currency: str, as_of: date,
                       loans: Sequence[LoanStanding]) -> PortfolioOut:
    figures = portfolio(loans)

    def text(amount: int) -> str:
        return format_minor(amount, currency)

    return PortfolioOut(
        fund=fund, currency=currency, as_of=as_of.isoformat(),
        gross_portfolio=text(figures.gross_portfolio), active_loans=len(figures.active),
        par=ParOut(par1=figures.par[1], par30=figures.par[30], par90=figures.par[90]),
        aging=[AgingOut(bucket=line.bucket,
                        loans=line.loans, principal_outstanding=text(line.principal_outstanding))
               for line in figures.aging],
        written_off=WrittenOffOut(count=figures.written_off_count,
                                  principal=text(figures.written_off_principal)),
        loans=[PortfolioLoanOut(
            loan=item.loan, person=item.person, product=item.product,
            disbursed_on=item.disbursed_on.isoformat(),
            principal_outstanding=text(item.principal_outstanding),
            days_past_due=item.days_past_due,
            bucket=item.bucket)
            for item in figures.active])


def rows(document: PortfolioOut) -> list[Sequence[object]]:
    return [(loan.loan, loan.person, loan.product, loan.disbursed_on,
             loan.principal_outstanding, loan.days_past_due, loan.bucket)
            for loan in document.loans]


async def portfolio_report(context: ServiceContext, fund_reference: str,
                           as_of_text: str | None, output: ReportFormat) -> Rendered:
    as_of = business_date(context.clock.today(), as_of_text, "as_of")
    async with context.database.snapshot():
        basis = await read_basis(context, fund_reference)
        loans = await standings(context, basis.fund.id, as_of)
    document = portfolio_document(basis.fund.code, basis.fund.currency, as_of, loans)
    listed = [(short_id(row[0]), short_id(row[1]), *row[2:]) for row in rows(document)]
    return await in_format(context, basis, NAME, as_of, output, document, COLUMNS,
                           rows(document), Printed("portfolio.html", "Loan portfolio",
                                                   f"as of {as_of.isoformat()}",
                                                   {"loans_listing": listing(_LISTED, listed)}))
