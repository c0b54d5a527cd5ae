"""Emergency grants: their states, and the two limits an approval must respect."""

from __future__ import annotations

from enum import StrEnum

from aidledger.domain.errors import Conflict, FieldError
from aidledger.domain.money import format_minor
from aidledger.domain.states import Lifecycle, Move


class GrantStatus(StrEnum):
    PENDING_APPROVAL = "pending_approval"
    REJECTED = "rejected"
    APPROVED = "approved"
    CANCELLED = "cancelled"
    PAID = "paid"


def _grant_move(past: str, source: GrantStatus, target: GrantStatus) -> Move[GrantStatus]:
    return Move(past, frozenset({source}), target)


# Every way a grant's state may change.
GRANT_LIFECYCLE: Lifecycle[GrantStatus] = Lifecycle("grant", {
    # The last approval moves it; an earlier one of two leaves it pending.
    "approve": _grant_move("approved", GrantStatus.PENDING_APPROVAL, GrantStatus.APPROVED),
    "reject": _grant_move("rejected", GrantStatus.PENDING_APPROVAL, GrantStatus.REJECTED),
    "cancel": _grant_move("cancelled", GrantStatus.APPROVED, GrantStatus.CANCELLED),
    "pay": _grant_move("paid", GrantStatus.APPROVED, GrantStatus.PAID),
})


def require_within_cap(received: int, amount: int, cap: int, currency: str) -> None:
    """What a person got from a programme in 365 days, with this grant, within its cap."""
    if received + amount > cap:
        raise Conflict(
            "This would take the person past the programme's per-person cap of "
            f"{format_minor(cap, currency)} in 365 days "
            f"({format_minor(received, currency)} already approved or paid).",
            [FieldError("amount", "over the per-person cap")])


def require_within_budget(committed: int, amount: int, budget: int | None,
                          currency: str) -> None:
    """What a programme has committed, with this grant, within its budget (if it has one)."""
    if budget is not None and committed + amount > budget:
        raise Conflict(
            f"The programme's budget has {format_minor(budget - committed, currency)} left.",
            [FieldError("amount", "over the programme's remaining budget")])
