"""Reading policies, trying them (a dry run that stores nothing), the course catalogue."""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec

from aidledger.contract.policies import CourseList, CourseOut, DecisionOut, PolicyList, PolicyOut
from aidledger.domain.dates import parse_date
from aidledger.domain.errors import FieldError, NotFound, RuleViolation
from aidledger.rules.engine import decide
from aidledger.rules.model import Decision, FactError, NoPolicyInForce, Policy
from aidledger.services.context import ServiceContext


def _policy(context: ServiceContext, policy_id: str) -> Policy:
    policy = context.policies.get(policy_id)
    if policy is None:
        raise NotFound(f"No policy {policy_id!r}.")
    return policy


def list_policies(context: ServiceContext) -> PolicyList:
    today = context.clock.today()
    items = []
    for policy in context.policies:
        try:
            version = policy.version_on(today)
            in_force: dict[str, Any] = {"version": version.version,
                                        "effective_from": version.effective_from.isoformat()}
        except NoPolicyInForce:
            in_force = {"version": None, "effective_from": None}
        items.append({"id": policy.id, "applies_to": policy.applies_to, "title": policy.title,
                      **in_force, "sha256": policy.sha256})
    return msgspec.convert({"items": items}, PolicyList)


def get_policy(context: ServiceContext, policy_id: str) -> PolicyOut:
    policy = _policy(context, policy_id)
    return PolicyOut(id=policy.id, applies_to=policy.applies_to, title=policy.title,
                     file=policy.file, sha256=policy.sha256,
                     versions=policy.document["versions"])


def evaluate(context: ServiceContext, policy_id: str, facts: dict[str, Any],
             as_of: str | None) -> DecisionOut:
    policy = _policy(context, policy_id)
    on = context.clock.today() if as_of is None else parse_date(as_of, "as_of")
    return msgspec.convert(
        decide_or_refuse(context, policy, facts, on, fact_field="facts").document(), DecisionOut)


def decide_or_refuse(context: ServiceContext, policy: Policy, facts: dict[str, Any], on: date,
                     *, fact_field: str, date_field: str = "as_of") -> Decision:
    """A decision, or a 422 that says which fact or date stood in the way."""
    try:
        return decide(policy, facts, on, context.clock.now())
    except NoPolicyInForce as error:
        raise RuleViolation(str(error), [FieldError(date_field, str(error))]) from None
    except FactError as error:
        raise RuleViolation(
            f"Policy {policy.id!r} could not decide: {error}",
            [FieldError(fact_field, f"rule {error.rule!r}: {error.problem}")]) from None


def list_courses(context: ServiceContext) -> CourseList:
    policy = context.policies.course_policy()
    if policy is None:
        return CourseList(items=[])
    try:
        version = policy.version_on(context.clock.today())
    except NoPolicyInForce:
        return CourseList(items=[])
    return CourseList(items=[CourseOut(code=course.code, title=course.title,
                                       credits=course.credits,
                                       passing_score=course.passing_score,
                                       languages=list(course.languages))
                             for course in version.courses])
