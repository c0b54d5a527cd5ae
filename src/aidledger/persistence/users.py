"""SQL for logins: creating one, what a login is allowed to be now, disabling one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aidledger.persistence.database import Database
from aidledger.persistence.rows import record


@dataclass(frozen=True, slots=True)
class Login:
    username: str
    password_hash: str
    role: str
    person_id: str | None
    disabled_at: datetime | None


async def insert_login(database: Database, *, id: str, login: Login, created_at: datetime,
                       created_by: str) -> None:
    await database.execute(
        "INSERT INTO app_user (id, username, password_hash, role, person_id, created_at, "
        "created_by) VALUES ({}, {}, {}, {}, {}, {}, {})",
        id, login.username, login.password_hash, login.role, login.person_id, created_at,
        created_by)


async def find_login(database: Database, username: str) -> Login | None:
    row = await database.fetch_one(
        "SELECT username, password_hash, role, person_id, disabled_at FROM app_user "
        "WHERE username = {}", username)
    return None if row is None else record(Login, row)


@dataclass(frozen=True, slots=True)
class Standing:
    """A login as it stands in the database, to hold a token's claims against."""

    role: str
    person_id: str | None
    disabled_at: datetime | None


async def standing(database: Database, username: str) -> Standing | None:
    row = await database.fetch_one(
        "SELECT role, person_id, disabled_at FROM app_user WHERE username = {}", username)
    return None if row is None else Standing(row["role"], row["person_id"], row["disabled_at"])


async def disable(database: Database, username: str, at: datetime) -> bool:
    """Disables the login unless it already is; says whether this call did it (of two
    racing calls, only one does)."""
    changed = await database.fetch(
        "UPDATE app_user SET disabled_at = {} WHERE username = {} AND disabled_at IS NULL "
        "RETURNING username", at, username)
    return bool(changed)
