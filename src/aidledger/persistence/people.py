"""SQL for the people the funds serve."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from aidledger.persistence.database import Database
from aidledger.persistence.rows import record


@dataclass(frozen=True, slots=True)
class PersonRecord:
    id: str
    full_name: str
    preferred_language: str
    phone: str | None
    id_document_hash: str | None
    id_document_hint: str | None
    date_of_birth: date | None
    created_at: datetime
    created_by: str


_PERSON = ("SELECT id, full_name, preferred_language, phone, id_document_hash, "
           "id_document_hint, date_of_birth, created_at, created_by FROM person AS person")


async def insert_person(database: Database, person: PersonRecord) -> None:
    await database.execute(
        "INSERT INTO person (id, full_name, preferred_language, phone, id_document_hash, "
        "id_document_hint, date_of_birth, created_at, created_by) "
        "VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {})",
        person.id, person.full_name, person.preferred_language, person.phone,
        person.id_document_hash, person.id_document_hint, person.date_of_birth,
        person.created_at, person.created_by)


async def find_person(database: Database, person_id: str, *,
                      lock: bool = False) -> PersonRecord | None:
    """`lock`: held until the write transaction ends, so one person's records queue."""
    row = await database.fetch_one(
        _PERSON + " WHERE person.id = {}" + (database.lock_clause("person") if lock else ""),
        person_id)
    return None if row is None else record(PersonRecord, row)


async def person_with_document(database: Database, document_hash: str) -> str | None:
    """The id of the person whose identity document has this keyed hash."""
    row = await database.fetch_one("SELECT id FROM person WHERE id_document_hash = {}",
                                   document_hash)
    return None if row is None else str(row["id"])
