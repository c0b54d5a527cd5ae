"""Loan books: each loan's fixed schedule and its repayments, read together, ready to be
replayed to any date (`domain.loans.LoanBook.position`). Every figure about a loan's
standing (outstanding principal, days past due, arrears) comes from here, for the loan
endpoints, decisions and reports alike."""

from __future__ import annotations

from datetime import date

from aidledger.domain.loans import Due, LoanBook, Received
from aidledger.domain.products import LoanProduct
from aidledger.persistence import loans
from aidledger.persistence.database import Database
from aidledger.persistence.loans import LoanRecord, RepaymentRecord


async def books_of(database: Database, rows: list[LoanRecord],
                   repayments: dict[str, list[RepaymentRecord]] | None = None,
                   ) -> dict[str, LoanBook]:
    """The book of every disbursed loan among `rows`, in two queries (one if the caller
    already has the repayments)."""
    disbursed = [(row, row.disbursed_on) for row in rows if row.disbursed_on is not None]
    if not disbursed:
        return {}
    ids = [row.id for row, _ in disbursed]
    dues = await loans.dues_of(database, ids)
    if repayments is None:
        repayments = await loans.repayments_of(database, ids)
    return {row.id: _book(row, disbursed_on, dues[row.id], repayments[row.id])
            for row, disbursed_on in disbursed}


async def fund_books(database: Database, fund_id: str,
                     as_of: date) -> list[tuple[LoanRecord, LoanBook]]:
    """Every loan of the fund disbursed by `as_of`, with its book as known on that date
    (repayments after it left out), in three queries whatever the number of loans."""
    rows = await loans.disbursed_in_fund(database, fund_id, as_of)
    dues = await loans.dues_in_fund(database, fund_id)
    repayments = await loans.repayments_in_fund(database, fund_id, as_of)
    # Loans on the same terms share one parsed copy of them (persistence.loans), so their
    # product is read once: thousands of loans come from a handful of products.
    products: dict[int, LoanProduct] = {}

    def product_of(row: LoanRecord) -> LoanProduct:
        key = id(row.terms)  # the rows, and so their terms, live as long as this call
        if key not in products:
            products[key] = row.product()
        return products[key]

    return [(row, _book(row, disbursed_on, dues.get(row.id, []), repayments.get(row.id, []),
                        product_of(row)))
            for row in rows if (disbursed_on := row.disbursed_on) is not None]


def _book(row: LoanRecord, disbursed_on: date, dues: list[Due],
          repayments: list[RepaymentRecord], product: LoanProduct | None = None) -> LoanBook:
    product = product or row.product()
    return LoanBook(
        dues=dues, disbursed_on=disbursed_on,
        interest_method=product.interest_method, late_penalty=product.late_penalty,
        # Recoveries on a written-off loan are income, not payments against the schedule.
        received=[Received(item.paid_on, item.amount) for item in repayments
                  if not item.recovery])


async def book_of(database: Database, row: LoanRecord,
                  repayments: list[RepaymentRecord] | None = None) -> LoanBook:
    return (await books_of(database, [row], None if repayments is None
                           else {row.id: repayments}))[row.id]
