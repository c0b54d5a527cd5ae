"""Financial-literacy course completions and the credits they earn.

The course policy decides: each credit is recorded with the rule, policy version and
file sha256 that granted it. One person's completions are recorded one at a time (the
person's row is locked), so two records of the same course cannot both earn credit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import msgspec

from aidledger.contract.people import (
    CompletionOut,
    CompletionRecorded,
    CreditAwarded,
    CreditAwardOut,
    CreditsOut,
)
from aidledger.contract.policies import DecisionOut
from aidledger.domain.errors import InvalidInput, NotFound, RuleViolation
from aidledger.persistence import credits as store
from aidledger.persistence.credits import AwardRecord
from aidledger.persistence.people import find_person
from aidledger.rules.model import NoPolicyInForce
from aidledger.services.audit import record_event
from aidledger.services.context import Actor, Role, ServiceContext
from aidledger.services.decision_facts import course_completion_facts
from aidledger.services.idempotency import IdempotencyClaim, StoredResponse, run_once
from aidledger.services.policies import decide_or_refuse
from aidledger.services.validation import business_date


async def record_completion(
    context: ServiceContext, actor: Actor, person_id: str, claim: IdempotencyClaim | None,
    *, course_code: str, completed_on_text: str, score: int | None,
) -> StoredResponse:
    policy = context.policies.course_policy()
    if policy is None:
        raise RuleViolation.field("course", "no course catalogue policy is installed")
    completed_on = business_date(context.clock.today(), completed_on_text, "completed_on")
    try:
        version = policy.version_on(completed_on)
    except NoPolicyInForce as error:
        raise RuleViolation.field("completed_on", str(error)) from None
    course = next((item for item in version.courses if item.code == course_code), None)
    if course is None:
        raise RuleViolation.field("course", f"no course {course_code!r} in the catalogue")
    if score is not None and not 0 <= score <= 100:
        raise InvalidInput.field("score", "a whole number from 0 to 100")
    database = context.database

    async def record() -> CompletionRecorded:
        person = await find_person(database, person_id, lock=True)
        if person is None:
            raise NotFound(f"No person {person_id!r}.")
        facts = await course_completion_facts(database, person, completed_on, course, score)
        decision = decide_or_refuse(context, policy, facts, completed_on,
                                    fact_field="course", date_field="completed_on")
        completion_id = str(uuid.uuid4())
        decision_document = decision.document()
        await store.insert_completion(
            database, completion_id=completion_id, person_id=person_id, course=course_code,
            completed_on=completed_on, score=score, decision=decision_document,
            recorded_at=context.clock.now(), recorded_by=actor.username)
        for rule, credits in decision.credits:
            await store.insert_award(database, completion_id, person_id, AwardRecord(
                course=course_code, rule=rule, credits=credits, awarded_on=completed_on,
                policy=policy.id, policy_version=decision.version,
                policy_sha256=policy.sha256))
        awarded = [CreditAwarded(rule=rule, credits=credits)
                   for rule, credits in decision.credits]
        await record_event(database, context.clock, actor, "course_completion.recorded",
                           ("person", person_id),
                           after={"completion": completion_id, "course": course_code,
                                  "credits_awarded": msgspec.to_builtins(awarded)})
        return CompletionRecorded(
            completion=CompletionOut(
                id=completion_id, person=person_id, course=course_code,
                completed_on=completed_on.isoformat(), score=score,
                decision=msgspec.convert(decision_document, DecisionOut)),
            credits_awarded=awarded,
            total_credits=await store.total_credits(database, person_id))

    return await run_once(database, context.clock, claim, 201, record)


async def person_credits(context: ServiceContext, actor: Actor,
                         person_id: str) -> CreditsOut:
    # A borrower asking about anyone else learns nothing, not even that they exist.
    if actor.role is Role.BORROWER and actor.person_id != person_id:
        raise NotFound(f"No person {person_id!r}.")
    database = context.database
    if await find_person(database, person_id) is None:
        raise NotFound(f"No person {person_id!r}.")
    awards = await store.awards_of(database, person_id)
    return CreditsOut(
        total=sum(award.credits for award in awards),
        awards=[CreditAwardOut(course=award.course, rule=award.rule, credits=award.credits,
                               awarded_on=award.awarded_on.isoformat(), policy=award.policy,
                               policy_version=award.policy_version,
                               policy_sha256=award.policy_sha256) for award in awards])


@dataclass(frozen=True, slots=True)
class CreditMilestone:
    """What a number of course credits unlocks, as the policies in force say."""

    credits: int
    unlocks: str  # "first_loan" | "full_loan_amount" | "education_grant"


# (policy, parameter, what reaching it unlocks): read from the committee's files, so the
# page a borrower sees moves with the policy.
_MILESTONES = (("loan-eligibility", "first_loan_min_credits", "first_loan"),
               ("loan-eligibility", "experienced_min_credits", "full_loan_amount"),
               ("grant-eligibility", "education_min_course_credits", "education_grant"))


def credit_milestones(context: ServiceContext, on: date) -> list[CreditMilestone]:
    found = []
    for policy_id, parameter, unlocks in _MILESTONES:
        policy = context.policies.get(policy_id)
        if policy is None:
            continue
        try:
            value = policy.version_on(on).params.get(parameter)
        except NoPolicyInForce:
            continue  # no version in force on that day: nothing to promise
        if isinstance(value, int) and not isinstance(value, bool):
            found.append(CreditMilestone(value, unlocks))
    return sorted(found, key=lambda milestone: milestone.credits)
