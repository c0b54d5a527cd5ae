"""Shapes every area shares: bounded text, amounts, the strict request base, problems."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta, Struct

Text = Annotated[str, Meta(max_length=1000)]
Amount = Annotated[str, Meta(max_length=40, description='Decimal string, e.g. "1234.50"')]
AccountTypeName = Literal["asset", "liability", "equity", "income", "expense"]
RoleName = Literal["admin", "borrower", "auditor"]


class Request(Struct, forbid_unknown_fields=True):
    """Unknown fields are refused, so a misspelt field is an error, not silently ignored."""


class FieldErrorOut(Struct):
    field: str
    message: str


class Problem(Struct):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldErrorOut] = msgspec.field(default_factory=list)


class StatusOut(Struct):
    status: str


SmallCount = Annotated[int, Meta(ge=0, le=10_000)]
