"""Cursor pagination: `{items, next_cursor}`; the cursor is opaque to clients."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import TypeVar

from aidledger.domain.errors import InvalidInput

DEFAULT_LIMIT = 50
MAX_LIMIT = 500

Row = TypeVar("Row")


def require_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput.field("limit", f"must be between 1 and {MAX_LIMIT}")
    return limit


def encode_code_cursor(code: str) -> str:
    """A cursor for lists in code order (funds, products, programmes): the last code seen."""
    return base64.urlsafe_b64encode(f"c{code}".encode()).decode().rstrip("=")


def decode_code_cursor(cursor: str | None) -> str:
    """The code to list after; "" (before every code) without a cursor."""
    if cursor is None:
        return ""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidInput.field("cursor", "not a cursor this service gave out") from None
    if not text.startswith("c") or "\x00" in text:
        raise InvalidInput.field("cursor", "not a cursor this service gave out")
    return text[1:]


def encode_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"p{position}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not text.startswith("p"):
            raise ValueError(text)
        position = int(text[1:])
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidInput.field("cursor", "not a cursor this service gave out") from None
    if not 0 <= position < 2**63:  # positions are 64-bit row numbers
        raise InvalidInput.field("cursor", "not a cursor this service gave out")
    return position


def split_page(rows: list[Row], limit: int,
               cursor_for: Callable[[Row], str]) -> tuple[list[Row], str | None]:
    """The page of `rows` (fetched with limit + 1) and the cursor after it, if any more."""
    page = rows[:limit]
    return page, cursor_for(page[-1]) if len(rows) > limit else None
