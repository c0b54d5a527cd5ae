"""Reading what a client sends, strictly, in one place: JSON bodies, path and query values.

A body is refused with 400 naming the field when it repeats a key (which value would count
is anyone's guess), nests deeper than any request needs (deep nesting exhausts the
decoder's stack), carries a NUL character (PostgreSQL text cannot hold one) or half of a
surrogate pair (a JSON escape such as "\\ud800" stands for no character, and no UTF-8 text
can hold it), holds a number too long or too large to hold, or is not UTF-8 JSON; a body
sent as anything but JSON gets 415. Path and query values are held to the same rule on NUL
(their decoding already replaces what is not UTF-8).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.exceptions import HTTPException
from litestar.types import Empty

from aidledger.domain.errors import InvalidInput

# The deepest request the contract has is a policy evaluation's facts; 32 levels is far
# beyond it and far below the point where a recursive decoder runs out of stack.
MAX_DEPTH = 32
# No field takes a number this long; Python refuses to read one of over 4,300 digits at all.
MAX_NUMBER_DIGITS = 100
NUL = "\x00"
_SURROGATE = re.compile("[\ud800-\udfff]")


class _RepeatedKey(Exception):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _object_without_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _RepeatedKey(key)
        found[key] = value
    return found


def _refuse_constant(name: str) -> Any:
    raise InvalidInput.field("body", f"{name} is not JSON")


@dataclass(frozen=True, slots=True)
class _Unreadable:
    """A number no field can take, left in its place so that the walk names its field."""

    reason: str


def _integer(text: str) -> int | _Unreadable:
    digits = len(text.lstrip("-"))
    if digits > MAX_NUMBER_DIGITS:
        return _Unreadable(f"is a number of {digits} digits; no field takes more than "
                           f"{MAX_NUMBER_DIGITS}")
    return int(text)


def read_json_body(body: bytes) -> Any:
    """The body's JSON value, or a 400 InvalidInput naming what is wrong and where."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput.field("body", "is not UTF-8 text") from None
    try:
        value = json.loads(text, object_pairs_hook=_object_without_repeats,
                           parse_constant=_refuse_constant, parse_int=_integer)
    except _RepeatedKey as repeated:
        raise InvalidInput.field(repeated.key, "is given more than once") from None
    except RecursionError:
        raise InvalidInput.field("body", f"nests deeper than {MAX_DEPTH} levels") from None
    except json.JSONDecodeError as error:
        raise InvalidInput.field("body", f"is not valid JSON: {error.msg} at character "
                                         f"{error.pos}") from None
    _check_values(value)
    return value


def _check_values(value: Any) -> None:
    """Walks the value without recursion: depth, NUL or a lone surrogate in any key or
    string, and numbers no field can take. Containers wait their turn on a stack; the
    rest, nearly every value, is checked where it is found (a batch has ten thousand)."""
    _check_leaf(value, "body")
    pending: list[tuple[Any, str, int]] = [(value, "", 0)]
    while pending:
        current, path, depth = pending.pop()
        if not isinstance(current, dict | list):
            continue
        if depth >= MAX_DEPTH:
            raise InvalidInput.field(path or "body", f"nests deeper than {MAX_DEPTH} levels")
        if isinstance(current, list):
            for index, item in enumerate(current):
                if isinstance(item, dict | list):
                    pending.append((item, f"{path}[{index}]", depth + 1))
                else:
                    _check_leaf(item, f"{path}[{index}]")
            continue
        for key, item in current.items():
            if NUL in key or not key.isascii():
                _check_text(key, _shown(f"{path}.{key}" if path else key))
            if isinstance(item, dict | list):
                pending.append((item, f"{path}.{key}" if path else key, depth + 1))
            elif not (isinstance(item, str) and item.isascii() and NUL not in item):
                _check_leaf(item, f"{path}.{key}" if path else key)


def _check_leaf(value: Any, field: str) -> None:
    """A string, number or constant: NUL or a lone surrogate, or a number no field takes."""
    if isinstance(value, str):
        if NUL in value or not value.isascii():  # most text is neither: no call
            _check_text(value, field)
    elif isinstance(value, _Unreadable):
        raise InvalidInput.field(field, value.reason)
    # JSON's reader makes 1e999 infinity. No money is a JSON number (amounts are decimal
    # strings), so this only keeps infinity from the fields that take numbers.
    elif isinstance(value, float) and math.isinf(value):
        raise InvalidInput.field(field, "is a number too large to hold")


def _check_text(text: str, field: str) -> None:
    if NUL in text:
        raise InvalidInput.field(field, "must not contain a NUL character")
    if found := _SURROGATE.search(text):
        raise InvalidInput.field(field, f"must be Unicode text: \\u{ord(found[0]):04x} is half "
                                        "of a surrogate pair and stands for no character")


def _shown(name: str) -> str:
    """A field name as a message can carry it: NUL and lone surrogates written out."""
    return _SURROGATE.sub(lambda found: f"\\u{ord(found[0]):04x}", name.replace(NUL, "\\u0000"))


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")


class StrictRequest(Request[Any, Any, Any]):
    """Litestar's request, with the body read by `read_json_body` instead of a decoder
    that takes the last of repeated keys and recurses without bound."""

    async def json(self) -> Any:
        if self._json is Empty:
            if (known := self._connection_state.json) is not Empty:
                self._json = known
            else:
                media_type = self.content_type[0]
                if not _is_json(media_type):
                    sent = media_type or "no media type"
                    raise HTTPException(status_code=415,
                                        detail=f"Send the body as application/json, not {sent}.")
                self._json = self._connection_state.json = read_json_body(
                    await self.body() or b"null")
        return self._json


async def refuse_nul_in_path_and_query(request: Request[Any, Any, Any]) -> None:
    """A before-request hook: path and query values may not carry NUL either."""
    for name, value in request.path_params.items():
        if isinstance(value, str) and NUL in value:
            raise InvalidInput.field(name, "must not contain a NUL character")
    for name, value in request.query_params.multi_items():
        if NUL in name or NUL in value:
            raise InvalidInput.field(_shown(name), "must not contain a NUL character")
