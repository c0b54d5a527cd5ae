"""SQL every application that goes through approval shares (loans, grants): the row
locked for a state change, and turning one down or calling it off."""

from __future__ import annotations

from typing import Literal

from aidledger.persistence.database import Database

ApplicationTable = Literal["loan", "emergency_grant"]


async def reject(database: Database, table: ApplicationTable, subject_id: str, status: str,
                 reason: str) -> None:
    await database.execute(
        f"UPDATE {table} SET status = {{}}, status_reason = {{}} WHERE id = {{}}",
        status, reason, subject_id)


async def cancel(database: Database, table: ApplicationTable, subject_id: str, status: str,
                 reason: str) -> None:
    """Also clears what the application reserved (the caller releases it in the fund)."""
    await database.execute(
        f"UPDATE {table} SET status = {{}}, status_reason = {{}}, reserved = 0 "
        "WHERE id = {}", status, reason, subject_id)
