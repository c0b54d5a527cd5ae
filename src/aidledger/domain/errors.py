"""Errors as the domain names them; the API layer alone decides their HTTP status."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    message: str


class DomainError(Exception):
    """Base of every refusal the service gives on purpose."""

    title = "Request refused"

    def __init__(self, detail: str, errors: list[FieldError] | None = None, **extra: object):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        self.extra = extra


class InvalidInput(DomainError):
    """Malformed input: wrong format, out of range, not parseable."""

    title = "Invalid input"

    @classmethod
    def field(cls, field: str, message: str) -> InvalidInput:
        return cls(f"{field}: {message}", [FieldError(field, message)])


class RuleViolation(DomainError):
    """Well-formed input that breaks a rule (unbalanced entry, future date, unknown reference)."""

    title = "Rule violated"

    @classmethod
    def field(cls, field: str, message: str) -> RuleViolation:
        return cls(f"{field}: {message}", [FieldError(field, message)])


class NotFound(DomainError):
    title = "Not found"


class Conflict(DomainError):
    """Conflicts with the current state: duplicate, already done, insufficient funds."""

    title = "Conflict"


class Unauthenticated(DomainError):
    title = "Not authenticated"


class LoginDisabled(Unauthenticated):
    """The password is right but the login has been disabled (the sign-in page says so
    in the reader's language)."""


class Forbidden(DomainError):
    title = "Forbidden"


class Unavailable(DomainError):
    """The service cannot do this here and now (a system library it needs is missing)."""

    title = "Service unavailable"


class TooManyAttempts(DomainError):
    """Refused for a while after repeated failures (guessing a password)."""

    title = "Too many attempts"
