"""Rows to frozen records: every query in persistence/ hands back records, never dicts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import fields
from typing import Any, TypeVar

Record = TypeVar("Record")


_NAMES: dict[type[Any], tuple[str, ...]] = {}


def _names(kind: type[Any]) -> tuple[str, ...]:
    names = _NAMES.get(kind)
    if names is None:
        names = _NAMES[kind] = tuple(field.name for field in fields(kind))
    return names


def record(kind: type[Record], row: Mapping[str, Any]) -> Record:
    """The record of `kind` whose fields are the row's columns of the same names."""
    return kind(**{name: row[name] for name in _names(kind)})


def placeholders(count: int) -> str:
    """`{}, {}, ...` for an IN list or a VALUES row of `count` parameters."""
    return ", ".join("{}" for _ in range(count))


def columns(rows: Sequence[Sequence[Any]], width: int) -> list[list[Any]]:
    """Rows as the column arrays PostgreSQL's `unnest` takes back apart: one parameter
    per column, so the statement's text, and its prepared plan, is the same for any
    number of rows."""
    return [[row[index] for row in rows] for index in range(width)]
