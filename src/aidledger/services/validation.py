"""Shape checks for identifiers and names that several use cases share."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from aidledger.domain.dates import parse_date, require_not_future
from aidledger.domain.errors import Conflict, FieldError, InvalidInput
from aidledger.persistence.database import StorageConflict

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f]")


def require_code(value: str, field: str) -> str:
    if not CODE_PATTERN.fullmatch(value):
        raise InvalidInput.field(
            field, "1-32 letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    return value


def require_text(value: str, field: str, *, max_length: int = 200) -> str:
    stripped = value.strip()
    if not stripped:
        raise InvalidInput.field(field, "must not be empty")
    if len(stripped) > max_length or _CONTROL_CHARACTER.search(stripped):
        raise InvalidInput.field(field, f"at most {max_length} printable characters")
    return stripped


def optional_text(value: str | None, field: str, *, max_length: int = 500) -> str | None:
    return None if value is None else require_text(value, field, max_length=max_length)


@contextmanager
def taken_means_conflict(field: str, detail: str,
                         message: str = "already in use") -> Iterator[None]:
    """Around a write: the database's unique index on `field` answers 409 naming it."""
    try:
        yield
    except StorageConflict as conflict:
        if conflict.kind == "unique" and conflict.concerns(field):
            raise Conflict(detail, [FieldError(field, message)]) from conflict
        raise


def business_date(today: date, text: str | None, field: str) -> date:
    """A date a business event happened: today when not given, never in the future."""
    if text is None:
        return today
    value = parse_date(text, field)
    require_not_future(value, today, field)
    return value
