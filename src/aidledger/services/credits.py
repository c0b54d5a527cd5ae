"""Financial-literacy course completions and the credits they earn.

The course policy decides: each credit is recorded with the rule, policy version and
file sha256 that granted it. One person's completions are recorded one at a time (the
person's row is locked), so two records of the same course cannot both earn credit.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from aidledger.domain.dates import parse_date, whole_months_between
from aidledger.domain.errors import InvalidInput, NotFound, RuleViolation
from aidledger.rules.model import NoPolicyInForce
from aidledger.services.applicants import applicant_profile
from aidledger.services.audit import record_event
from aidledger.services.context import Actor, Role, ServiceContext
from aidledger.services.idempotency import IdempotencyClaim, StoredResponse, run_once
from aidledger.services.lifecycle import lock_row
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

    async def record() -> dict[str, Any]:
        person = await lock_row(database, "person", person_id, "person")
        last = await database.fetch_one(
            "SELECT max(awarded_on) AS last FROM credit_award WHERE person_id = {} "
            "AND course = {}", person_id, course_code)
        last_award = last["last"] if last else None
        if isinstance(last_award, str):  # SQLite gives an aggregate of dates back as text
            last_award = parse_date(last_award, "awarded_on")
        facts = {
            "applicant": await applicant_profile(database, person, completed_on),
            "course": {"code": course.code, "credits": course.credits,
                       "passing_score": course.passing_score,
                       "languages": list(course.languages)},
            "completion": {"completed_on": completed_on.isoformat(),
                           "score": -1 if score is None else score},
            "history": {"credited_before": last_award is not None,
                        "months_since_last_credit": 0 if last_award is None else
                        whole_months_between(last_award, completed_on)},
        }
        decision = decide_or_refuse(context, policy, facts, completed_on,
                                    fact_field="course", date_field="completed_on")
        completion = {"id": str(uuid.uuid4()), "person": person_id, "course": course_code,
                      "completed_on": completed_on.isoformat(), "score": score,
                      "decision": decision.document()}
        await database.execute(
            "INSERT INTO course_completion (id, person_id, course, completed_on, score, "
            "decision, recorded_at, recorded_by) VALUES ({}, {}, {}, {}, {}, {}, {}, {})",
            completion["id"], person_id, course_code, completed_on, score,
            json.dumps(completion["decision"], ensure_ascii=False), context.clock.now(),
            actor.username)
        for rule, credits in decision.credits:
            await database.execute(
                "INSERT INTO credit_award (completion_id, person_id, course, rule, credits, "
                "awarded_on, policy, policy_version, policy_sha256) "
                "VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {})",
                completion["id"], person_id, course_code, rule, credits, completed_on,
                policy.id, decision.version, policy.sha256)
        awarded = [{"rule": rule, "credits": credits} for rule, credits in decision.credits]
        await record_event(database, context.clock, actor, "course_completion.recorded",
                           ("person", person_id),
                           after={"completion": completion["id"], "course": course_code,
                                  "credits_awarded": awarded})
        total = await applicant_profile(database, person, completed_on)
        return {"completion": completion, "credits_awarded": awarded,
                "total_credits": total["course_credits"]}

    return await run_once(database, context.clock, claim, 201, record)


async def person_credits(context: ServiceContext, actor: Actor,
                         person_id: str) -> dict[str, Any]:
    # A borrower asking about anyone else learns nothing, not even that they exist.
    if actor.role is Role.BORROWER and actor.person_id != person_id:
        raise NotFound(f"No person {person_id!r}.")
    database = context.database
    if await database.fetch_one("SELECT id FROM person WHERE id = {}", person_id) is None:
        raise NotFound(f"No person {person_id!r}.")
    rows = await database.fetch(
        "SELECT course, rule, credits, awarded_on, policy, policy_version, policy_sha256 "
        "FROM credit_award WHERE person_id = {} ORDER BY id", person_id)
    return {
        "total": sum(row["credits"] for row in rows),
        "awards": [{"course": row["course"], "rule": row["rule"], "credits": row["credits"],
                    "awarded_on": row["awarded_on"].isoformat(), "policy": row["policy"],
                    "policy_version": row["policy_version"],
                    "policy_sha256": row["policy_sha256"]} for row in rows],
    }
