"""Loan books: each loan's fixed schedule and its repayments, read together, ready to be
replayed to any date (`domain.loans.LoanBook.position`). Every figure about a loan's
standing (outstanding principal, days past due, arrears) comes from here, for the loan
endpoints, decisions and reports alike."""

from __future__ import annotations

from aidledger.domain.loans import LoanBook, Received
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
    books = {}
    for row, disbursed_on in disbursed:
        product = row.product()
        books[row.id] = LoanBook(
            dues=dues[row.id], disbursed_on=disbursed_on,
            interest_method=product.interest_method, late_penalty=product.late_penalty,
            # Recoveries on a written-off loan are income, not payments against the schedule.
            received=[Received(item.paid_on, item.amount)
                      for item in repayments[row.id] if not item.recovery])
    return books


async def book_of(database: Database, row: LoanRecord,
                  repayments: list[RepaymentRecord] | None = None) -> LoanBook:
    return (await books_of(database, [row], None if repayments is None
                           else {row.id: repayments}))[row.id]
