"""People the funds serve. Identity documents are kept only as a keyed hash: enough to
find a duplicate, useless to anyone who copies the database."""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid

import msgspec
from babel import Locale, UnknownLocaleError

from aidledger.contract.people import PersonOut
from aidledger.domain.dates import parse_date, timestamp
from aidledger.domain.errors import Conflict, FieldError, InvalidInput, NotFound, RuleViolation
from aidledger.persistence import people as store
from aidledger.persistence.database import StorageConflict
from aidledger.persistence.people import PersonRecord
from aidledger.services.audit import record_event
from aidledger.services.context import Actor, Role, ServiceContext
from aidledger.services.validation import require_text

PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 ()-]{5,24}$")
LANGUAGE_TAG_PATTERN = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
OLDEST_AGE_YEARS = 130


def preferred_language(tag: str) -> str:
    """A BCP 47 tag for a language Babel can format money and dates in."""
    if not LANGUAGE_TAG_PATTERN.fullmatch(tag):
        raise InvalidInput.field("preferred_language", f"{tag!r} is not a BCP 47 language tag")
    try:
        Locale.parse(tag, sep="-")
    except (UnknownLocaleError, ValueError):
        raise InvalidInput.field("preferred_language", f"no locale data for {tag!r}") from None
    return tag


def _document_key_hash(key: str, document: str) -> str:
    # Spacing, dashes and letter case vary between forms; the number itself does not.
    normalised = re.sub(r"[\s-]", "", document).upper()
    return hmac.new(key.encode(), normalised.encode(), hashlib.sha256).hexdigest()


def person_document(person: PersonRecord) -> PersonOut:
    born = person.date_of_birth
    return PersonOut(id=person.id, full_name=person.full_name,
                     preferred_language=person.preferred_language, phone=person.phone,
                     date_of_birth=born.isoformat() if born else None,
                     id_document_last4=person.id_document_hint,
                     created_at=timestamp(person.created_at))


async def create_person(
    context: ServiceContext, actor: Actor, *, full_name: str, language: str, phone: str | None,
    id_document: str | None, date_of_birth: str | None,
) -> PersonOut:
    full_name = require_text(full_name, "full_name")
    language = preferred_language(language)
    if phone is not None and not PHONE_PATTERN.fullmatch(phone):
        raise InvalidInput.field("phone", "digits, spaces, '(', ')', '-' and a leading '+'")
    born = None
    if date_of_birth is not None:
        born = parse_date(date_of_birth, "date_of_birth")
        today = context.clock.today()
        if born > today or today.year - born.year > OLDEST_AGE_YEARS:
            raise RuleViolation.field("date_of_birth", "not a plausible date of birth")
    document_hash = hint = None
    if id_document is not None:
        cleaned = require_text(id_document, "id_document", max_length=64)
        document_hash = _document_key_hash(context.secrets.document_key, cleaned)
        hint = cleaned[-4:]
        existing = await store.person_with_document(context.database, document_hash)
        if existing is not None:
            raise _duplicate(existing)
    person = PersonRecord(
        id=str(uuid.uuid4()), full_name=full_name, preferred_language=language, phone=phone,
        id_document_hash=document_hash, id_document_hint=hint, date_of_birth=born,
        created_at=context.clock.now(), created_by=actor.username,
    )
    document = person_document(person)
    try:
        async with context.database.write():
            await store.insert_person(context.database, person)
            await record_event(context.database, context.clock, actor, "person.created",
                               ("person", person.id), after=msgspec.to_builtins(document))
    except StorageConflict as conflict:
        if conflict.kind == "unique" and document_hash is not None:
            existing = await store.person_with_document(context.database, document_hash)
            if existing is not None:
                raise _duplicate(existing) from conflict
        raise
    return document


def _duplicate(person_id: str) -> Conflict:
    return Conflict(
        f"This identity document is already on file for person {person_id}.",
        [FieldError("id_document", f"already on file for person {person_id}")],
        existing_person_id=person_id,
    )


async def get_person(context: ServiceContext, actor: Actor, person_id: str) -> PersonOut:
    # A borrower asking for anyone else learns nothing, not even that the person exists.
    if actor.role is Role.BORROWER and actor.person_id != person_id:
        raise NotFound(f"No person {person_id!r}.")
    row = await store.find_person(context.database, person_id)
    if row is None:
        raise NotFound(f"No person {person_id!r}.")
    return person_document(row)
