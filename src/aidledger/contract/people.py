"""People and the course credits they earn."""

from __future__ import annotations

from msgspec import Struct

from aidledger.contract.common import Request, Text
from aidledger.contract.policies import DecisionOut


class PersonCreate(Request):
    full_name: Text
    preferred_language: Text
    phone: Text | None = None
    id_document: Text | None = None
    date_of_birth: Text | None = None


class PersonOut(Struct):
    id: str
    full_name: str
    preferred_language: str
    phone: str | None
    date_of_birth: str | None
    id_document_last4: str | None
    created_at: str


class CourseCompletionCreate(Request):
    course: Text
    completed_on: Text
    score: int | None = None


class CompletionOut(Struct):
    id: str
    person: str
    course: str
    completed_on: str
    score: int | None
    decision: DecisionOut


class CreditAwarded(Struct):
    rule: str
    credits: int


class CompletionRecorded(Struct):
    completion: CompletionOut
    credits_awarded: list[CreditAwarded]
    total_credits: int


class CreditAwardOut(Struct):
    course: str
    rule: str
    credits: int
    awarded_on: str
    policy: str
    policy_version: int
    policy_sha256: str


class CreditsOut(Struct):
    total: int
    awards: list[CreditAwardOut]
