"""Things that move through states (loans, grants): each kind's lifecycle is a table of
moves, and one rule refuses a move the table does not allow."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from aidledger.domain.errors import Conflict, FieldError

Status = TypeVar("Status", bound=StrEnum)


@dataclass(frozen=True, slots=True)
class Move(Generic[Status]):
    past: str  # what the move is called in a refusal: "a loan ... cannot be written off"
    sources: frozenset[Status]
    target: Status | None  # None: the state does not change (a repayment, a payoff query)


@dataclass(frozen=True, slots=True)
class Lifecycle(Generic[Status]):
    noun: str
    moves: Mapping[str, Move[Status]]

    def allow(self, current: str, action: str) -> None:
        """A 409 naming the state when the table has no such move from `current`."""
        move = self.moves[action]
        if current not in move.sources:
            raise Conflict(f"A {self.noun} that is {current} cannot be {move.past}.",
                           [FieldError("status", f"is {current}")])

    def target(self, action: str) -> Status:
        """Where `action` leads (for a move that changes the state)."""
        target = self.moves[action].target
        if target is None:
            raise ValueError(f"a {self.noun}'s {action} leaves its state as it is")
        return target

    def to(self, current: str, action: str) -> Status:
        """`allow`, then `target`: the state to store."""
        self.allow(current, action)
        return self.target(action)
