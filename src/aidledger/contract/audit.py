"""Verification, signed checkpoints and the audit trail."""

from __future__ import annotations

from typing import Any

from msgspec import Struct

from aidledger.contract.common import Text


class ChainHeadOut(Struct):
    seq: int
    hash: str


class FirstBadOut(Struct):
    seq: int | None
    entry_id: str | None
    reason: str


class VerifyOut(Struct):
    ok: bool
    entries_checked: int
    head: ChainHeadOut
    first_bad: FirstBadOut | None


class CheckpointOut(Struct):
    fund: str
    seq: int
    hash: str
    at: str
    key_id: str
    signature: str


class CheckpointIn(Struct):
    fund: Text
    seq: int
    hash: Text
    at: Text
    key_id: Text
    signature: Text


class CheckpointCheckOut(Struct):
    ok: bool
    reason: str | None


class AuditEventOut(Struct):
    id: int
    at: str
    actor: str
    action: str
    subject_kind: str
    subject_id: str
    fund: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditEventPage(Struct):
    items: list[AuditEventOut]
    next_cursor: str | None
