"""The facts about a person that policies read (see policies/README.md)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from aidledger.domain.dates import whole_months_between, whole_years_between
from aidledger.domain.grants import GrantStatus
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


async def grants_received_last_365_days(database: Database, person_id: str, on: date,
                                        program_code: str | None = None) -> int:
    """Minor units of grants approved or paid to the person in the 365 days up to `on`
    (in one programme, or in all)."""
    row = await database.fetch_one(
        "SELECT CAST(coalesce(sum(amount), 0) AS BIGINT) AS total FROM emergency_grant "
        "WHERE person_id = {} AND status IN ({}, {}) AND applied_on > {} "
        "AND applied_on <= {}" + ("" if program_code is None else " AND program_code = {}"),
        person_id, GrantStatus.APPROVED.value, GrantStatus.PAID.value,
        on - timedelta(days=365), on,
        *(() if program_code is None else (program_code,)))
    return row["total"] if row else 0
