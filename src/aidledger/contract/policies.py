"""Policies, their decisions, and the course catalogue."""

from __future__ import annotations

from typing import Any, Literal

from msgspec import Struct

from aidledger.contract.common import Request, Text


class PolicyEvaluation(Request):
    facts: dict[str, Any]
    as_of: Text | None = None


class PolicySummary(Struct):
    id: str
    applies_to: str
    title: str
    effective_from: str | None
    version: int | None
    sha256: str


class PolicyList(Struct):
    items: list[PolicySummary]


class PolicyOut(Struct):
    id: str
    applies_to: str
    title: str
    file: str
    sha256: str
    versions: list[dict[str, Any]]


class ReasonOut(Struct):
    rule: str
    passed: bool
    description: str
    detail: str


class DecisionOut(Struct):
    policy: str
    version: int
    sha256: str
    # Eligibility policies decide eligible or not; approval policies how many approvers.
    outcome: Literal["eligible", "ineligible", "one_approver", "two_approvers"]
    reasons: list[ReasonOut]
    evaluated_at: str


class CourseOut(Struct):
    code: str
    title: str
    credits: int
    passing_score: int
    languages: list[str]


class CourseList(Struct):
    items: list[CourseOut]
