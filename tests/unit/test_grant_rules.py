import pytest

from aidledger.domain.errors import Conflict
from aidledger.domain.grants import (
    GRANT_LIFECYCLE,
    GrantStatus,
    require_within_budget,
    require_within_cap,
)


def test_the_cap_counts_what_was_received_in_the_year() -> None:
    require_within_cap(received=300_000, amount=200_000, cap=500_000, currency="HKD")
    with pytest.raises(Conflict, match=r"cap of 5000\.00 in 365 days \(3000\.00 already"):
        require_within_cap(received=300_000, amount=200_001, cap=500_000, currency="HKD")


def test_a_budget_if_there_is_one() -> None:
    require_within_budget(committed=9_800, amount=200, budget=10_000, currency="JPY")
    require_within_budget(committed=10**9, amount=10**9, budget=None, currency="JPY")
    with pytest.raises(Conflict, match="budget has 200 left"):
        require_within_budget(committed=9_800, amount=201, budget=10_000, currency="JPY")


def test_grant_states() -> None:
    assert GRANT_LIFECYCLE.to("approved", "pay") is GrantStatus.PAID
    with pytest.raises(Conflict, match="A grant that is paid cannot be cancelled"):
        GRANT_LIFECYCLE.to(GrantStatus.PAID, "cancel")
    moves = {action: (set(move.sources), move.target)
             for action, move in GRANT_LIFECYCLE.moves.items()}
    assert moves == {
        "approve": ({GrantStatus.PENDING_APPROVAL}, GrantStatus.APPROVED),
        "reject": ({GrantStatus.PENDING_APPROVAL}, GrantStatus.REJECTED),
        "cancel": ({GrantStatus.APPROVED}, GrantStatus.CANCELLED),
        "pay": ({GrantStatus.APPROVED}, GrantStatus.PAID),
    }
