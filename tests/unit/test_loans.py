"""Loan positions from a schedule and repayments, worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from aidledger.domain.errors import Conflict
from aidledger.domain.loans import LOAN_LIFECYCLE, Due, LoanBook, LoanStatus, Received
from aidledger.domain.products import LatePenalty
from aidledger.domain.schedule import InterestMethod

# 3 monthly instalments on 3,000.00 at 12 %: principal 1,000.00 each for simplicity.
DUES = (Due(1, date(2026, 2, 1), 100_000, 3_000), Due(2, date(2026, 3, 1), 100_000, 2_000),
        Due(3, date(2026, 4, 1), 100_000, 1_000))


PENALTY = LatePenalty(5_000, 5)  # HKD 50.00 once an instalment is more than 5 days late


def _book(*received: Received,
          method: InterestMethod = InterestMethod.DECLINING_BALANCE) -> LoanBook:
    return LoanBook(DUES, date(2026, 1, 1), method, PENALTY, received)


def test_on_time_payments_settle_instalments_in_order() -> None:
    position = _book(Received(date(2026, 2, 1), 103_000),
                     Received(date(2026, 3, 1), 102_000)).position(date(2026, 3, 2))
    assert [item.status for item in position.installments] == ["paid", "paid", "upcoming"]
    assert position.outstanding.principal == 100_000
    assert position.outstanding.interest == 1_000
    assert position.days_past_due == 0
    assert position.allocations[0].interest == 3_000
    assert position.allocations[0].principal == 100_000


def test_partial_payment_goes_to_interest_before_principal() -> None:
    position = _book(Received(date(2026, 1, 20), 50_000)).position(date(2026, 1, 25))
    (allocation,) = position.allocations
    assert (allocation.interest, allocation.principal) == (3_000, 47_000)
    assert position.installments[0].status == "partial"
    assert position.installments[0].paid == 50_000


def test_arrears_and_a_late_penalty_charged_once() -> None:
    late = _book().position(date(2026, 2, 6))
    assert late.days_past_due == 5
    assert late.installments[0].status == "overdue"
    assert late.outstanding.penalties == 0  # not yet more than 5 days overdue
    later = _book().position(date(2026, 3, 20))
    assert later.days_past_due == 47  # from the oldest unpaid due date
    assert [item.penalties for item in later.installments] == [5_000, 5_000, 0]
    assert later.outstanding.penalties == 10_000


def test_a_late_repayment_pays_the_penalty_first() -> None:
    position = _book(Received(date(2026, 2, 10), 108_000)).position(date(2026, 2, 10))
    (allocation,) = position.allocations
    assert (allocation.penalties, allocation.interest, allocation.principal) == (
        5_000, 3_000, 100_000)
    assert position.installments[0].status == "paid"
    assert position.max_days_past_due_ever == 9


def test_paying_ahead_flows_into_the_next_instalments() -> None:
    position = _book(Received(date(2026, 2, 1), 150_000)).position(date(2026, 2, 2))
    (allocation,) = position.allocations
    assert (allocation.interest, allocation.principal) == (5_000, 145_000)
    assert [item.status for item in position.installments] == ["paid", "partial", "upcoming"]


def test_payoff_charges_interest_only_up_to_its_date_on_declining_balance() -> None:
    book = _book(Received(date(2026, 2, 1), 103_000))
    payoff = book.payoff(date(2026, 2, 15))
    # 2,000.00 x 14/28 days of the second period accrued; the third period not at all.
    assert (payoff.principal, payoff.interest, payoff.penalties) == (200_000, 1_000, 0)
    closed = _book(Received(date(2026, 2, 1), 103_000),
                   Received(date(2026, 2, 15), 201_000)).position(date(2026, 2, 16))
    assert closed.settled
    assert closed.outstanding.total == 0
    assert closed.allocations[1].overpayment == 0
    assert closed.allocations[1].interest == 1_000


def test_a_flat_payoff_includes_all_the_interest() -> None:
    book = _book(method=InterestMethod.FLAT)
    assert book.payoff(date(2026, 1, 15)).interest == 6_000


def test_an_overpayment_beyond_everything_owed() -> None:
    position = _book(Received(date(2026, 4, 1), 400_000)).position(date(2026, 4, 1))
    (allocation,) = position.allocations
    # Due on 2026-04-01: all interest (6,000.00), penalties for instalments 1 and 2.
    assert allocation.penalties == 10_000 and allocation.interest == 6_000
    assert allocation.principal == 300_000
    assert allocation.overpayment == 400_000 - 316_000
    assert position.settled


def test_status_rules_refuse_with_a_conflict() -> None:
    assert LOAN_LIFECYCLE.to(LoanStatus.APPROVED, "disburse") is LoanStatus.ACTIVE
    with pytest.raises(Conflict, match="A loan that is active cannot be disbursed") as refused:
        LOAN_LIFECYCLE.to(LoanStatus.ACTIVE, "disburse")
    assert refused.value.errors[0].field == "status"
    with pytest.raises(Conflict, match="closed cannot be written off"):
        LOAN_LIFECYCLE.allow(LoanStatus.CLOSED, "write_off")


def test_the_loan_lifecycle_table() -> None:
    """Which state each move leaves from and goes to, all of it (API.md "Microloans")."""
    moves = {action: (set(move.sources), move.target)
             for action, move in LOAN_LIFECYCLE.moves.items()}
    assert moves == {
        "approve": ({LoanStatus.PENDING_APPROVAL}, LoanStatus.APPROVED),
        "reject": ({LoanStatus.PENDING_APPROVAL}, LoanStatus.REJECTED),
        "cancel": ({LoanStatus.APPROVED}, LoanStatus.CANCELLED),
        "disburse": ({LoanStatus.APPROVED}, LoanStatus.ACTIVE),
        "repay": ({LoanStatus.ACTIVE, LoanStatus.WRITTEN_OFF}, None),
        "close": ({LoanStatus.ACTIVE}, LoanStatus.CLOSED),
        "write_off": ({LoanStatus.ACTIVE}, LoanStatus.WRITTEN_OFF),
        "pay_off": ({LoanStatus.ACTIVE}, None),
    }
    with pytest.raises(ValueError, match="leaves its state"):
        LOAN_LIFECYCLE.target("repay")


@pytest.mark.parametrize("method", list(InterestMethod))
def test_receiving_payments_one_by_one_tells_what_replaying_them_all_tells(
        method: InterestMethod) -> None:
    """`receive` splits a payment from the book as the payments before it left it (a
    settlement file's repayments on one loan); the oracle replays every payment again."""
    payments = [Received(date(2026, 1, 20), 40_000), Received(date(2026, 2, 20), 30_000),
                Received(date(2026, 2, 20), 1), Received(date(2026, 3, 25), 120_000),
                Received(date(2026, 4, 30), 500_000)]  # the last pays off, and more
    book = _book(method=method)
    for count, payment in enumerate(payments, start=1):
        effect = book.receive(payment)
        replayed = _book(*payments[:count], method=method).position(payment.paid_on)
        assert effect.split == replayed.allocations[-1]
        assert effect.outstanding == replayed.outstanding
        assert effect.settled is replayed.settled
        assert book.position(payment.paid_on) == replayed
    assert effect.settled and effect.split.overpayment > 0
    # Penalties were charged on the way (the second instalment was paid late).
    assert sum(allocation.penalties for allocation in
               _book(*payments, method=method).position(date(2026, 5, 1)).allocations) > 0
