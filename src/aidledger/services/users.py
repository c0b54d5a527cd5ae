"""Users and logging in. Passwords are kept only as argon2id hashes."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable
from functools import cache

import msgspec
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from aidledger.contract.users import DisabledUserOut, MeOut, TokenOut, UserOut
from aidledger.domain.dates import timestamp
from aidledger.domain.errors import (
    Conflict,
    FieldError,
    InvalidInput,
    LoginDisabled,
    NotFound,
    RuleViolation,
    Unauthenticated,
)
from aidledger.persistence import users as logins
from aidledger.persistence.people import find_person
from aidledger.persistence.users import Login
from aidledger.services.audit import record_event
from aidledger.services.context import Actor, Role, ServiceContext
from aidledger.services.tokens import issue_token
from aidledger.services.validation import taken_means_conflict

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{2,63}$")
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024

_hasher = PasswordHasher()


@cache
def _unknown_user_hash() -> str:
    """Verified against when the username is unknown, so a wrong username costs as much
    time as a wrong password and does not reveal which usernames exist. Made on first
    use: hashing is deliberately slow, and importing must not be."""
    return _hasher.hash("no such user: this hash never matches a real password")


def user_document(login: Login) -> UserOut:
    return UserOut(username=login.username,
                   role=login.role,  # type: ignore[arg-type]  # the table's CHECK holds it
                   person_id=login.person_id)


async def create_user(
    context: ServiceContext, actor: Actor | str, *, username: str, password: str, role: str,
    person_id: str | None,
) -> UserOut:
    if not USERNAME_PATTERN.fullmatch(username):
        raise InvalidInput.field("username", "3-64 letters, digits, '.', '_', '@' or '-'")
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise InvalidInput.field(
            "password", f"between {MIN_PASSWORD_LENGTH} and {MAX_PASSWORD_LENGTH} characters")
    user_role = Role(role)
    if user_role is Role.BORROWER and person_id is None:
        raise RuleViolation.field("person_id", "a borrower user must name the person it is")
    if person_id is not None and await find_person(context.database, person_id) is None:
        raise RuleViolation.field("person_id", f"no person {person_id!r}")
    login = Login(username=username, password_hash=_hasher.hash(password),
                  role=user_role.value, person_id=person_id, disabled_at=None)
    document = user_document(login)
    with taken_means_conflict("username", f"The username {username!r} is taken."):
        async with context.database.write():
            await logins.insert_login(
                context.database, id=str(uuid.uuid4()), login=login,
                created_at=context.clock.now(),
                created_by=actor if isinstance(actor, str) else actor.username)
            await record_event(context.database, context.clock, actor, "user.created",
                               ("user", username), after=msgspec.to_builtins(document))
    return document


async def log_in(context: ServiceContext, *, username: str, password: str) -> TokenOut:
    actor = await authenticate(context, username=username, password=password)
    token = issue_token(context.secrets.jwt_secret, actor, context.clock.now(),
                        context.token_lifetime_seconds)
    return TokenOut(access_token=token, token_type="bearer",  # noqa: S106 (OAuth's type)
                    expires_in=context.token_lifetime_seconds)


async def authenticate(context: ServiceContext, *, username: str, password: str) -> Actor:
    """The login a username and password name, or 401: for a token and a page alike."""
    row = await logins.find_login(context.database, username)
    try:
        _hasher.verify(row.password_hash if row else _unknown_user_hash(), password)
    except (VerificationError, InvalidHashError):
        raise Unauthenticated("Wrong username or password.") from None
    if row is None:
        raise Unauthenticated("Wrong username or password.")
    if row.disabled_at is not None:
        raise LoginDisabled("This login has been disabled; ask a fund administrator.")
    return Actor(username=row.username, role=Role(row.role), person_id=row.person_id)


async def confirm_caller(context: ServiceContext, actor: Actor) -> Actor:
    """The caller a verified token names, if its login still stands as the token says: a
    login disabled, deleted or given another role since loses its tokens at once. Looked
    up for every request, by a query sent after the request arrived, so every server
    process sees a change on the next request; requests of one login that arrive
    together share that query (services/fresh_reads.py)."""

    def standing(username: str) -> Awaitable[logins.Standing | None]:
        return logins.standing(context.database, username)

    now = await context.login_standings.get(actor.username, standing)
    if now is None or now.disabled_at is not None:
        raise Unauthenticated("The login this token was issued to has been disabled or "
                              "removed.")
    if (now.role, now.person_id) != (actor.role.value, actor.person_id):
        raise Unauthenticated("The login's role has changed since this token was issued; "
                              "log in again.")
    return actor


async def acting_admin(context: ServiceContext, username: str | None) -> Actor:
    """Who a command at the shell acts as: an active admin's login, or without one the
    operator at the shell, recorded as "cli" (as the first admin's creation is)."""
    if username is None:
        return Actor("cli", Role.ADMIN, None)
    now = await logins.standing(context.database, username)
    if now is None or now.disabled_at is not None or now.role != Role.ADMIN.value:
        raise RuleViolation.field("user", f"{username!r} is not an active admin's login")
    return Actor(username, Role.ADMIN, None)


async def deactivate_user(context: ServiceContext, actor: Actor | str,
                          username: str) -> DisabledUserOut:
    """Disables a login for good: it can no longer log in, and its tokens stop working."""
    if not isinstance(actor, str) and actor.username == username:
        raise Conflict("An administrator cannot disable their own login; ask another one.",
                       [FieldError("username", "is the caller's own login")])
    async with context.database.write():
        row = await logins.find_login(context.database, username)
        if row is None:
            raise NotFound(f"No user {username!r}.")
        at = context.clock.now()
        if not await logins.disable(context.database, username, at):
            raise Conflict(f"The login {username!r} is already disabled.",
                           [FieldError("username", "already disabled")])
        document = DisabledUserOut(username=row.username,
                                   role=row.role,  # type: ignore[arg-type]  # CHECK holds it
                                   person_id=row.person_id, disabled_at=timestamp(at))
        await record_event(context.database, context.clock, actor, "user.deactivated",
                           ("user", username),
                           before={**msgspec.to_builtins(user_document(row)),
                                   "disabled_at": None},
                           after=msgspec.to_builtins(document))
    return document


def describe_caller(actor: Actor) -> MeOut:
    return MeOut(username=actor.username,
                 role=actor.role.value,
                 person_id=actor.person_id)
