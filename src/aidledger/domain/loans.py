"""A loan's life: its states, and where it stands given its schedule and repayments.

Nothing about a loan's position is stored but the facts: the schedule fixed at
disbursement and the repayments received. Penalties, arrears, what is outstanding and
what closes the loan are worked out from those and a date, so no background job is
needed and every figure can be recomputed by an auditor.

Repayments are allocated as Apache Fineract's standard strategy does: instalment by
instalment, oldest due first, and within each instalment penalties, fees, interest,
principal; what is left goes ahead into the next instalments; beyond everything owed it
is an overpayment. A repayment that covers the payoff amount on its date closes the loan
(on a declining-balance loan the interest not yet earned is then waived).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from aidledger.domain.errors import RuleViolation
from aidledger.domain.ledger import AccountCode
from aidledger.domain.products import LatePenalty
from aidledger.domain.schedule import InterestMethod
from aidledger.domain.states import Lifecycle, Move


class LoanStatus(StrEnum):
    PENDING_APPROVAL = "pending_approval"
    REJECTED = "rejected"
    APPROVED = "approved"
    CANCELLED = "cancelled"
    ACTIVE = "active"
    CLOSED = "closed"
    WRITTEN_OFF = "written_off"


def _loan_move(past: str, sources: set[LoanStatus],
               target: LoanStatus | None) -> Move[LoanStatus]:
    return Move(past, frozenset(sources), target)


# Every way a loan's state may change, and the reads that need a given state.
LOAN_LIFECYCLE: Lifecycle[LoanStatus] = Lifecycle("loan", {
    # The last approval moves it; an earlier one of two leaves it pending.
    "approve": _loan_move("approved", {LoanStatus.PENDING_APPROVAL}, LoanStatus.APPROVED),
    "reject": _loan_move("rejected", {LoanStatus.PENDING_APPROVAL}, LoanStatus.REJECTED),
    "cancel": _loan_move("cancelled", {LoanStatus.APPROVED}, LoanStatus.CANCELLED),
    "disburse": _loan_move("disbursed", {LoanStatus.APPROVED}, LoanStatus.ACTIVE),
    # After a write-off a repayment is a recovery; the loan stays written off.
    "repay": _loan_move("repaid", {LoanStatus.ACTIVE, LoanStatus.WRITTEN_OFF}, None),
    "close": _loan_move("closed", {LoanStatus.ACTIVE}, LoanStatus.CLOSED),
    "write_off": _loan_move("written off", {LoanStatus.ACTIVE}, LoanStatus.WRITTEN_OFF),
    "pay_off": _loan_move("paid off", {LoanStatus.ACTIVE}, None),
})


@dataclass(frozen=True, slots=True)
class Due:
    """One instalment of the schedule fixed at disbursement."""

    number: int
    due_date: date
    principal: int
    interest: int


@dataclass(frozen=True, slots=True)
class Received:
    paid_on: date
    amount: int


@dataclass(frozen=True, slots=True)
class Allocation:
    """Where one repayment went. A recovery is money received on a written-off loan: all
    of it is income, none of it is allocated to the schedule."""

    penalties: int = 0
    fees: int = 0
    interest: int = 0
    principal: int = 0
    overpayment: int = 0
    recovery: int = 0

    @property
    def total(self) -> int:
        return (self.penalties + self.fees + self.interest + self.principal
                + self.overpayment + self.recovery)

    def credits(self) -> tuple[tuple[AccountCode, int], ...]:
        """The accounts the repayment credits (the debit is cash), zeros included."""
        return ((AccountCode.LOANS_RECEIVABLE, self.principal),
                (AccountCode.INTEREST_INCOME, self.interest),
                (AccountCode.FEE_AND_PENALTY_INCOME, self.penalties + self.fees),
                (AccountCode.BORROWER_OVERPAYMENTS, self.overpayment),
                (AccountCode.RECOVERIES, self.recovery))


@dataclass(slots=True)
class _Progress:
    due: Due
    penalty: int = 0
    paid_penalty: int = 0
    paid_interest: int = 0
    paid_principal: int = 0
    waived_interest: int = 0
    settled_on: date | None = None  # when nothing of it was left to pay

    @property
    def owed_penalty(self) -> int:
        return self.penalty - self.paid_penalty

    @property
    def owed_interest(self) -> int:
        return self.due.interest - self.paid_interest - self.waived_interest

    @property
    def owed_principal(self) -> int:
        return self.due.principal - self.paid_principal

    @property
    def owed(self) -> int:
        # Read for every instalment at every repayment: written out, not via the three above.
        due = self.due
        return (self.penalty - self.paid_penalty + due.interest - self.paid_interest
                - self.waived_interest + due.principal - self.paid_principal)

    @property
    def paid(self) -> int:
        return self.paid_penalty + self.paid_interest + self.paid_principal


@dataclass(frozen=True, slots=True)
class InstallmentPosition:
    number: int
    due_date: date
    principal: int
    interest: int
    penalties: int
    paid: int
    status: str  # "paid" | "overdue" | "partial" | "upcoming"


@dataclass(frozen=True, slots=True)
class Outstanding:
    principal: int
    interest: int
    penalties: int
    fees: int = 0

    @property
    def total(self) -> int:
        return self.principal + self.interest + self.penalties + self.fees


@dataclass(frozen=True, slots=True)
class Position:
    as_of: date
    installments: tuple[InstallmentPosition, ...]
    outstanding: Outstanding
    days_past_due: int
    max_days_past_due_ever: int
    allocations: tuple[Allocation, ...]  # one per repayment, in order
    settled: bool  # nothing is owed any more


@dataclass(frozen=True, slots=True)
class Standing:
    principal_outstanding: int
    days_past_due: int


@dataclass(slots=True)
class LoanBook:
    """The schedule and repayments of one loan, replayed to a date."""

    dues: Sequence[Due]
    disbursed_on: date
    interest_method: InterestMethod
    late_penalty: LatePenalty | None
    received: Sequence[Received] = field(default_factory=tuple)
    # The instalments as the payments in `received` (that very sequence) left them, so that
    # a settlement file's next repayment on the loan is split without replaying the rest.
    _after_received: tuple[Sequence[Received], list[_Progress]] | None = field(
        default=None, repr=False, compare=False)

    def position(self, as_of: date) -> Position:
        progress, allocations = self._replayed(as_of)
        return Position(
            as_of=as_of,
            installments=tuple(_installment(item, as_of) for item in progress),
            outstanding=Outstanding(
                principal=sum(item.owed_principal for item in progress),
                interest=sum(item.owed_interest for item in progress),
                penalties=sum(item.owed_penalty for item in progress)),
            days_past_due=_days_past_due(progress, as_of),
            max_days_past_due_ever=max(
                [_longest_overdue(item, as_of) for item in progress] or [0]),
            allocations=tuple(allocations),
            settled=all(item.owed == 0 for item in progress),
        )

    def standing(self, as_of: date) -> Standing:
        """Just what a portfolio needs of the position, worked out the same way."""
        progress, _ = self._replayed(as_of)
        return Standing(principal_outstanding=sum(item.owed_principal for item in progress),
                        days_past_due=_days_past_due(progress, as_of))

    def receive(self, payment: Received) -> RepaymentEffect:
        """Adds a payment made on or after every one before it, and tells what it does, as
        `position(payment.paid_on)` would: its split is that position's last allocation."""
        if self._after_received is not None and self._after_received[0] is self.received:
            progress = self._after_received[1]
        else:
            progress, _ = self._replayed_payments()
        self._charge_penalties(progress, payment.paid_on)
        split = self._allocate(progress, payment)
        self.received = (*self.received, payment)
        self._after_received = (self.received, progress)
        return RepaymentEffect(
            split, Outstanding(principal=sum(item.owed_principal for item in progress),
                               interest=sum(item.owed_interest for item in progress),
                               penalties=sum(item.owed_penalty for item in progress)),
            settled=all(item.owed == 0 for item in progress))

    def _replayed(self, as_of: date) -> tuple[list[_Progress], list[Allocation]]:
        progress, allocations = self._replayed_payments()
        self._charge_penalties(progress, as_of)
        return progress, allocations

    def _replayed_payments(self) -> tuple[list[_Progress], list[Allocation]]:
        progress = [_Progress(due) for due in self.dues]
        allocations = []
        for payment in sorted(self.received, key=lambda item: item.paid_on):
            self._charge_penalties(progress, payment.paid_on)
            allocations.append(self._allocate(progress, payment))
        return progress, allocations

    def payoff(self, on: date) -> Outstanding:
        """What closes the loan on `on`: penalties charged, principal left, and interest:
        on a declining-balance loan only what has accrued up to `on` (the current
        period's interest pro rata by days); on a flat loan all of it."""
        progress = [_Progress(due) for due in self.dues]
        for payment in sorted(self.received, key=lambda item: item.paid_on):
            if payment.paid_on > on:
                break
            self._charge_penalties(progress, payment.paid_on)
            self._allocate(progress, payment)
        self._charge_penalties(progress, on)
        return self._payoff_from(progress, on)

    def _payoff_from(self, progress: list[_Progress], on: date) -> Outstanding:
        interest = 0
        if self.interest_method is InterestMethod.FLAT:
            interest = sum(item.owed_interest for item in progress)
        else:
            start = self.disbursed_on
            for item in progress:
                if item.due.due_date <= on:
                    interest += item.owed_interest
                elif start < on:
                    span = (item.due.due_date - start).days
                    accrued = round(Decimal(item.due.interest) * (on - start).days / span)
                    interest += max(accrued - item.paid_interest - item.waived_interest, 0)
                start = item.due.due_date
        return Outstanding(principal=sum(item.owed_principal for item in progress),
                           interest=interest,
                           penalties=sum(item.owed_penalty for item in progress))

    def _charge_penalties(self, progress: list[_Progress], on: date) -> None:
        """Once per instalment, when on `on` it has been unpaid more than `after_days`."""
        if self.late_penalty is None:
            return
        grace = timedelta(days=self.late_penalty.after_days)
        for item in progress:
            if item.penalty == 0 and item.owed > 0 and on > item.due.due_date + grace:
                item.penalty = self.late_penalty.amount

    def _allocate(self, progress: list[_Progress], payment: Received) -> Allocation:
        payoff = self._payoff_from(progress, payment.paid_on)
        if payoff.total > 0 and payment.amount >= payoff.total:
            return self._close(progress, payment, payoff)
        left = payment.amount
        penalties = interest = principal = 0
        for item in progress:
            for part in ALLOCATION_ORDER:
                owed = getattr(item, f"owed_{part}")
                taken = min(owed, left)
                if taken:
                    setattr(item, f"paid_{part}", getattr(item, f"paid_{part}") + taken)
                    left -= taken
                    if part == "penalty":
                        penalties += taken
                    elif part == "interest":
                        interest += taken
                    else:
                        principal += taken
            if item.owed == 0 and item.settled_on is None:
                item.settled_on = payment.paid_on
        return Allocation(penalties=penalties, interest=interest, principal=principal,
                          overpayment=left)

    def _close(self, progress: list[_Progress], payment: Received,
               payoff: Outstanding) -> Allocation:
        interest_left = payoff.interest
        for item in progress:
            item.paid_penalty = item.penalty
            item.paid_principal = item.due.principal
            taken = min(item.owed_interest, interest_left)
            item.paid_interest += taken
            interest_left -= taken
            item.waived_interest += item.owed_interest  # interest not earned: not owed
            if item.settled_on is None:
                item.settled_on = payment.paid_on
        return Allocation(penalties=payoff.penalties, interest=payoff.interest,
                          principal=payoff.principal,
                          overpayment=payment.amount - payoff.total)


@dataclass(frozen=True, slots=True)
class RepaymentEffect:
    """What one repayment does to its loan."""

    split: Allocation
    outstanding: Outstanding  # what is left after it
    settled: bool  # it pays the loan off
    recovery: bool = False  # paid after the write-off: income, not a payment on the schedule


def take_repayment(book: LoanBook, written_off: bool, last_paid_on: date | None, on: date,
                   paid: int) -> RepaymentEffect:
    """A repayment of `paid` on `on`, checked against the loan's dates and split; the book
    then holds it (unless it is a recovery, which the schedule never sees). A refusal
    leaves the book as it was."""
    if on < book.disbursed_on:
        raise RuleViolation.field("date", "may not precede the disbursement on "
                                          f"{book.disbursed_on.isoformat()}")
    if last_paid_on is not None and on < last_paid_on:
        # Allocation depends on order: a repayment slipped in before a later one would
        # change what earlier entries already posted.
        raise RuleViolation.field("date", "may not precede the last repayment on "
                                          f"{last_paid_on.isoformat()}")
    if written_off:
        return RepaymentEffect(Allocation(recovery=paid), Outstanding(0, 0, 0), settled=False,
                               recovery=True)
    return book.receive(Received(on, paid))


# Within each instalment, oldest first, a repayment pays these in this order (Fineract's
# standard strategy; fees sit with penalties, none are charged per instalment yet).
ALLOCATION_ORDER = ("penalty", "interest", "principal")


def _installment(item: _Progress, as_of: date) -> InstallmentPosition:
    if item.owed == 0:
        status = "paid"
    elif item.due.due_date < as_of:
        status = "overdue"
    elif item.paid > 0:
        status = "partial"
    else:
        status = "upcoming"
    return InstallmentPosition(item.due.number, item.due.due_date, item.due.principal,
                               item.due.interest, item.penalty, item.paid, status)


def _days_past_due(progress: list[_Progress], as_of: date) -> int:
    """Days since the oldest due date still unpaid; 0 when nothing is overdue."""
    overdue = [item.due.due_date for item in progress
               if item.owed > 0 and item.due.due_date < as_of]
    return (as_of - min(overdue)).days if overdue else 0


def _longest_overdue(item: _Progress, as_of: date) -> int:
    end = item.settled_on if item.settled_on is not None else as_of
    return max((end - item.due.due_date).days, 0)
