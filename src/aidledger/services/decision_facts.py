"""The facts each kind of decision reads, gathered from the books (the list of facts
and their meaning is `rules/facts.py`). One builder per kind of decision; each reads
inside the caller's transaction, so what decided is what was recorded."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from aidledger.domain.dates import whole_months_between, whole_years_between
from aidledger.domain.loans import LoanStatus
from aidledger.domain.products import LoanProduct
from aidledger.persistence import credits, grants, loans
from aidledger.persistence.database import Database
from aidledger.persistence.grants import ProgramRecord
from aidledger.persistence.people import PersonRecord
from aidledger.rules.model import Course, NoPolicyInForce, Policy
from aidledger.services.loan_books import books_of

Facts = dict[str, Any]

# What "the last 365 days" means for a loan decision's view of grants received; a grant
# decision takes its window from its programme's policy instead (cap_window).
LOAN_GRANTS_WINDOW_DAYS = 365
# The per-person cap's window when the programme's policy names none (API.md: 365 days).
DEFAULT_CAP_WINDOW_DAYS = 365


async def applicant_profile(database: Database, person: PersonRecord, on: date) -> Facts:
    """Age (left out when the date of birth is unknown, so a rule needing it fails loudly),
    course credits, months in the community, household size."""
    profile: Facts = {
        "course_credits": await credits.total_credits(database, person.id),
        "months_in_community": max(0, whole_months_between(person.created_at.date(), on)),
        "household_size": 1,
    }
    if person.date_of_birth is not None:
        profile["age"] = whole_years_between(person.date_of_birth, on)
    return profile


async def borrowing_history(database: Database, person_id: str, on: date) -> Facts:
    """The applicant's borrowing, from their loans as they stood on `on`."""
    rows = await loans.loans_of_person(
        database, person_id, (LoanStatus.ACTIVE, LoanStatus.CLOSED, LoanStatus.WRITTEN_OFF))
    active = in_arrears = longest = 0
    books = await books_of(database, rows)
    for row in rows:
        position = books[row.id].position(on)
        longest = max(longest, position.max_days_past_due_ever)
        if row.status == LoanStatus.ACTIVE:
            active += 1
            in_arrears += position.days_past_due > 0
    return {"loans_active": active, "loans_in_arrears": in_arrears,
            "loans_repaid": sum(row.status == LoanStatus.CLOSED for row in rows),
            "max_days_past_due_ever": longest}


def cap_window(policy: Policy | None, on: date) -> int:
    """Days the per-person cap looks back: the programme policy's `cap_window_days`."""
    if policy is None:
        return DEFAULT_CAP_WINDOW_DAYS
    try:
        params = policy.version_on(on).params
    except NoPolicyInForce:
        return DEFAULT_CAP_WINDOW_DAYS
    return int(params.get("cap_window_days", DEFAULT_CAP_WINDOW_DAYS))


async def granted_in_window(database: Database, person_id: str, on: date, days: int,
                            program_code: str | None = None) -> int:
    """Minor units of grants approved or paid to the person in the `days` up to `on`."""
    return await grants.granted_between(database, person_id, on - timedelta(days=days), on,
                                        program_code)


async def loan_application_facts(database: Database, person: PersonRecord, on: date,
                                 application: Facts, product: LoanProduct) -> Facts:
    return {
        "applicant": {
            **await applicant_profile(database, person, on),
            **await borrowing_history(database, person.id, on),
            "grants_received_last_365_days": await granted_in_window(
                database, person.id, on, LOAN_GRANTS_WINDOW_DAYS)},
        "application": application,
        "product": {"code": product.code, "currency": product.currency,
                    "min_amount": product.min_amount, "max_amount": product.max_amount,
                    "installments": product.installments},
    }


async def grant_application_facts(database: Database, person: PersonRecord, on: date,
                                  application: Facts, program: ProgramRecord,
                                  policy: Policy) -> Facts:
    return {
        "applicant": {
            **await applicant_profile(database, person, on),
            **await borrowing_history(database, person.id, on),
            "grants_received_last_365_days": await granted_in_window(
                database, person.id, on, cap_window(policy, on), program.code)},
        "application": application,
        "program": {"code": program.code, "category": program.category,
                    "currency": program.currency, "max_per_person": program.max_per_person},
    }


async def course_completion_facts(database: Database, person: PersonRecord, completed_on: date,
                                  course: Course, score: int | None) -> Facts:
    last_award = await credits.last_award(database, person.id, course.code)
    return {
        "applicant": await applicant_profile(database, person, completed_on),
        "course": {"code": course.code, "credits": course.credits,
                   "passing_score": course.passing_score, "languages": list(course.languages)},
        "completion": {"completed_on": completed_on.isoformat(),
                       "score": -1 if score is None else score},
        "history": {"credited_before": last_award is not None,
                    "months_since_last_credit": 0 if last_award is None else
                    whole_months_between(last_award, completed_on)},
    }
