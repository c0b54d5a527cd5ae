"""SQL for approvals and the cash they reserve in a fund."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aidledger.persistence.database import Database
from aidledger.persistence.rows import placeholders


@dataclass(frozen=True, slots=True)
class ApprovalRecord:
    approver: str
    at: datetime
    note: str | None


async def insert_approval(database: Database, kind: str, subject_id: str, approver: str,
                          at: datetime, note: str | None) -> int:
    """Records the approval; answers how many the subject has now."""
    await database.execute(
        "INSERT INTO approval (subject_kind, subject_id, approver, at, note) "
        "VALUES ({}, {}, {}, {}, {})", kind, subject_id, approver, at, note)
    row = await database.fetch_one(
        "SELECT count(*) AS approvals FROM approval WHERE subject_kind = {} AND subject_id = {}",
        kind, subject_id)
    return int(row["approvals"]) if row else 0


async def approvals_of(database: Database, kind: str,
                       subject_ids: list[str]) -> dict[str, list[ApprovalRecord]]:
    """The approvals of each subject, oldest first, for many subjects in one query."""
    found: dict[str, list[ApprovalRecord]] = {subject_id: [] for subject_id in subject_ids}
    if not subject_ids:
        return found
    rows = await database.fetch(
        "SELECT subject_id, approver, at, note FROM approval WHERE subject_kind = {} AND "
        f"subject_id IN ({placeholders(len(subject_ids))}) ORDER BY at", kind, *subject_ids)
    for row in rows:
        found[row["subject_id"]].append(ApprovalRecord(row["approver"], row["at"], row["note"]))
    return found


async def change_reserved(database: Database, fund_id: str, amount: int) -> None:
    """Adds `amount` (negative to release) to what the fund's approvals hold back; the
    caller holds the fund's chain-head lock when reserving."""
    await database.execute("UPDATE fund SET reserved = reserved + {} WHERE id = {}",
                           amount, fund_id)
