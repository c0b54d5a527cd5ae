"""Things that move through states (loans, grants): one rule for refusing a move."""

from __future__ import annotations

from collections.abc import Collection

from aidledger.domain.errors import Conflict, FieldError


def require_status(noun: str, current: str, allowed: Collection[str], action: str) -> None:
    """A 409 when something in state `current` may not be `action`ed."""
    if current not in allowed:
        raise Conflict(f"A {noun} that is {current} cannot be {action}.",
                       [FieldError("status", f"is {current}")])
