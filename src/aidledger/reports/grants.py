"""Emergency grants paid in a period: by programme, by category, and one by one."""

from __future__ import annotations

from collections.abc import Sequence

from aidledger.contract.reports import (
    CategoryTotalOut,
    GrantsReportOut,
    PaidGrantOut,
    ProgramTotalOut,
    ReportFormat,
    TotalOut,
)
from aidledger.domain.dates import Period, report_period
from aidledger.domain.money import format_minor
from aidledger.persistence.grants import PaidGrantRecord, paid_in_fund
from aidledger.reports.basis import Printed, in_format, read_basis
from aidledger.reports.listing import Column, listing, short_id
from aidledger.reports.output import Rendered
from aidledger.services.context import ServiceContext

NAME = "grants"
COLUMNS = ("id", "person", "program", "category", "amount", "paid_on", "method")
_LISTED = (Column("Grant"), Column("Person"), Column("Programme"), Column("Category"),
           Column("Amount", right=True), Column("Paid on"), Column("Method"))


def grants_document(fund: str, currency: str, period: Period,
                    paid: Sequence[PaidGrantRecord]) -> GrantsReportOut:
    def text(amount: int) -> str:
        return format_minor(amount, currency)

    programs: dict[tuple[str, str], list[int]] = {}
    categories: dict[str, list[int]] = {}
    for grant in paid:
        programs.setdefault((grant.program_code, grant.category), []).append(grant.amount)
        categories.setdefault(grant.category, []).append(grant.amount)
    return GrantsReportOut(
        fund=fund, currency=currency, from_=period.start.isoformat(),
        to=period.end.isoformat(),
        by_program=[ProgramTotalOut(program=program, category=category, count=len(amounts),
                                    amount=text(sum(amounts)))
                    for (program, category), amounts in sorted(programs.items())],
        by_category=[CategoryTotalOut(category=category, count=len(amounts),
                                      amount=text(sum(amounts)))
                     for category, amounts in sorted(categories.items())],
        total=TotalOut(count=len(paid), amount=text(sum(grant.amount for grant in paid))),
        grants=[PaidGrantOut(id=grant.id, person=grant.person_id, program=grant.program_code,
                             category=grant.category, amount=text(grant.amount),
                             paid_on=grant.paid_on.isoformat(), method=grant.payment_method)
                for grant in paid])


def rows(document: GrantsReportOut) -> list[Sequence[object]]:
    return [(grant.id, grant.person, grant.program, grant.category, grant.amount,
             grant.paid_on, grant.method) for grant in document.grants]


async def grants_report(context: ServiceContext, fund_reference: str, start: str | None,
                        end: str | None, output: ReportFormat) -> Rendered:
    period = report_period(context.clock.today(), start, end)
    async with context.database.snapshot():
        basis = await read_basis(context, fund_reference)
        paid = await paid_in_fund(context.database, basis.fund.id, period.start, period.end)
    document = grants_document(basis.fund.code, basis.fund.currency, period, paid)
    listed = [(short_id(row[0]), short_id(row[1]), *row[2:]) for row in rows(document)]
    return await in_format(context, basis, NAME, period.end, output, document, COLUMNS,
                           rows(document),
                           Printed("grants.html", "Emergency grants paid",
                                   f"{period.start.isoformat()} to {period.end.isoformat()}",
                                   {"grants_listing": listing(_LISTED, listed)}))
