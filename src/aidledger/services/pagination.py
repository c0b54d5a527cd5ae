"""Cursor pagination: `{items, next_cursor}`; the cursor is opaque to clients."""

from __future__ import annotations

import base64
import binascii

from aidledger.domain.errors import InvalidInput

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


def require_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput.field("limit", f"must be between 1 and {MAX_LIMIT}")
    return limit


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
