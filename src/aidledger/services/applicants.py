"""The facts about a person that policies read (see policies/README.md)."""

from __future__ import annotations

from datetime import date
from typing import Any

from aidledger.domain.dates import whole_months_between, whole_years_between
from aidledger.persistence.database import Database


async def applicant_profile(database: Database, person: dict[str, Any],
                            on: date) -> dict[str, Any]:
    """Age (left out when the date of birth is unknown, so a rule needing it fails loudly),
    course credits, months in the community, household size."""
    credits = await database.fetch_one(
        "SELECT CAST(coalesce(sum(credits), 0) AS BIGINT) AS total FROM credit_award "
        "WHERE person_id = {}", person["id"])
    profile: dict[str, Any] = {
        "course_credits": credits["total"] if credits else 0,
        "months_in_community": max(0, whole_months_between(person["created_at"].date(), on)),
        "household_size": 1,
    }
    if person["date_of_birth"] is not None:
        profile["age"] = whole_years_between(person["date_of_birth"], on)
    return profile
