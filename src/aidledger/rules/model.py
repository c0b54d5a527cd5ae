"""Policies as values: a policy has dated versions; a version has rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import cel

from aidledger.domain.dates import timestamp

APPLIES_TO = ("loan_application", "grant_application", "course_completion", "approval")


class PolicyError(Exception):
    """A policy file a committee member must fix: names the file, line, rule and problem."""

    def __init__(self, file: str, problem: str, *, rule: str | None = None,
                 line: int | None = None):
        where = file + (f", line {line}" if line else "") + (f", rule {rule!r}" if rule else "")
        super().__init__(f"{where}: {problem}")
        self.file, self.problem, self.rule, self.line = file, problem, rule, line


class NoPolicyInForce(Exception):
    """The decision date lies before the policy's first version."""


class FactError(Exception):
    """A rule could not be evaluated on the facts given: missing fact, wrong type."""

    def __init__(self, file: str, rule: str, expression: str, problem: str):
        super().__init__(f"{file}, rule {rule!r} ({expression}): {problem}")
        self.file, self.rule, self.expression, self.problem = file, rule, expression, problem


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    description: str
    condition: str
    program: cel.Program
    references: tuple[str, ...]  # "applicant.age", ... : what `detail` shows
    credits: cel.Program | None = None  # course_completion rules that award credit
    credits_source: str | None = None


@dataclass(frozen=True, slots=True)
class Course:
    code: str
    title: str
    credits: int
    passing_score: int
    languages: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Version:
    version: int
    effective_from: date
    params: dict[str, Any]
    rules: tuple[Rule, ...]
    courses: tuple[Course, ...] = ()


@dataclass(frozen=True, slots=True)
class Policy:
    id: str
    applies_to: str
    title: str
    file: str
    sha256: str
    versions: tuple[Version, ...]  # oldest first
    document: dict[str, Any] = field(repr=False)  # as parsed, for GET /api/policies/{id}

    def version_on(self, day: date) -> Version:
        in_force = [version for version in self.versions if version.effective_from <= day]
        if not in_force:
            raise NoPolicyInForce(
                f"policy {self.id!r} has no version in force on {day.isoformat()}; its first "
                f"takes effect on {self.versions[0].effective_from.isoformat()}")
        return in_force[-1]


@dataclass(frozen=True, slots=True)
class Reason:
    rule: str
    passed: bool
    description: str
    detail: str


# What a decision is called when its rules pass and when they do not, by what the policy
# decides: an approval policy decides how many approvers, not whether anyone is eligible.
OUTCOMES: dict[str, tuple[str, str]] = {"approval": ("one_approver", "two_approvers")}
ELIGIBILITY = ("eligible", "ineligible")


def outcome_name(applies_to: str, passed: bool) -> str:
    passing, failing = OUTCOMES.get(applies_to, ELIGIBILITY)
    return passing if passed else failing


@dataclass(frozen=True, slots=True)
class Decision:
    policy: str
    version: int
    sha256: str
    outcome: str  # outcome_name(): "eligible" | "ineligible", or for approvals
    #               "one_approver" | "two_approvers"
    reasons: tuple[Reason, ...]
    evaluated_at: datetime
    credits: tuple[tuple[str, int], ...] = ()  # (rule, credits) awarded, course policies only

    @property
    def passed(self) -> bool:
        """Every deciding rule passed (eligible; or one approver suffices)."""
        return self.outcome in {passing for passing, _ in (*OUTCOMES.values(), ELIGIBILITY)}

    @property
    def failing_rules(self) -> list[str]:
        return [reason.rule for reason in self.reasons if not reason.passed]

    def document(self) -> dict[str, Any]:
        """As API.md defines it; stored whole with what it decided."""
        return {
            "policy": self.policy,
            "version": self.version,
            "sha256": self.sha256,
            "outcome": self.outcome,
            "reasons": [{"rule": reason.rule, "passed": reason.passed,
                         "description": reason.description, "detail": reason.detail}
                        for reason in self.reasons],
            "evaluated_at": timestamp(self.evaluated_at),
        }
