"""SQL for course completions and the credits they earned."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from aidledger.domain.dates import parse_date
from aidledger.persistence.database import Database
from aidledger.persistence.rows import placeholders, record


@dataclass(frozen=True, slots=True)
class AwardRecord:
    course: str
    rule: str
    credits: int
    awarded_on: date
    policy: str
    policy_version: int
    policy_sha256: str


async def total_credits(database: Database, person_id: str) -> int:
    row = await database.fetch_one(
        "SELECT CAST(coalesce(sum(credits), 0) AS BIGINT) AS total FROM credit_award "
        "WHERE person_id = {}", person_id)
    return int(row["total"]) if row else 0


async def last_award(database: Database, person_id: str, course: str) -> date | None:
    row = await database.fetch_one(
        "SELECT max(awarded_on) AS last FROM credit_award WHERE person_id = {} "
        "AND course = {}", person_id, course)
    last = row["last"] if row else None
    if isinstance(last, str):  # SQLite gives an aggregate of dates back as text
        return parse_date(last, "awarded_on")
    return last if isinstance(last, date) else None


async def insert_completion(database: Database, *, completion_id: str, person_id: str,
                            course: str, completed_on: date, score: int | None,
                            decision: dict[str, Any], recorded_at: datetime,
                            recorded_by: str) -> None:
    await database.execute(
        "INSERT INTO course_completion (id, person_id, course, completed_on, score, "
        f"decision, recorded_at, recorded_by) VALUES ({placeholders(8)})",
        completion_id, person_id, course, completed_on, score,
        json.dumps(decision, ensure_ascii=False), recorded_at, recorded_by)


async def insert_award(database: Database, completion_id: str, person_id: str,
                       award: AwardRecord) -> None:
    await database.execute(
        "INSERT INTO credit_award (completion_id, person_id, course, rule, credits, "
        f"awarded_on, policy, policy_version, policy_sha256) VALUES ({placeholders(9)})",
        completion_id, person_id, award.course, award.rule, award.credits, award.awarded_on,
        award.policy, award.policy_version, award.policy_sha256)


async def awards_of(database: Database, person_id: str) -> list[AwardRecord]:
    rows = await database.fetch(
        "SELECT course, rule, credits, awarded_on, policy, policy_version, policy_sha256 "
        "FROM credit_award WHERE person_id = {} ORDER BY id", person_id)
    return [record(AwardRecord, row) for row in rows]
