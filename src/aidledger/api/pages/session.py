"""Who is signed in to a page: the session names a login, which is checked against the
database on every request (a login disabled or given another role is signed out)."""

from __future__ import annotations

from typing import Any

from litestar import Request

from aidledger.domain.errors import Forbidden, Unauthenticated
from aidledger.services.context import Actor, Role, ServiceContext
from aidledger.services.users import confirm_caller

from .session_keys import renew_session_key

HOME = {Role.BORROWER: "/my", Role.ADMIN: "/queue", Role.AUDITOR: "/audit"}


class SignInNeeded(Exception):
    """No one is signed in, or the login no longer stands: off to /login."""


def context_of(request: Request[Any, Any, Any]) -> ServiceContext:
    context: ServiceContext = request.app.state.context
    return context


def sign_in(request: Request[Any, Any, Any], actor: Actor, language: str | None) -> None:
    """`language`: the reader's own (a borrower's, as their person record gives it), for
    the pages that cannot look it up, such as a refusal."""
    request.clear_session()
    renew_session_key(request)  # no fixation of a key set before sign-in
    request.set_session({"username": actor.username, "role": actor.role.value,
                         "person_id": actor.person_id, "language": language})


def session_language(request: Request[Any, Any, Any]) -> str | None:
    """The reader's own language as it was at sign-in, if the session knows one."""
    language = request.session.get("language") if request.scope.get("session") else None
    return language if isinstance(language, str) else None


async def signed_in(request: Request[Any, Any, Any], *roles: Role) -> Actor:
    session = request.session if request.scope.get("session") else {}
    username, role = session.get("username"), session.get("role")
    if not isinstance(username, str) or role not in {item.value for item in Role}:
        raise SignInNeeded
    try:
        actor = await confirm_caller(context_of(request), Actor(
            username=username, role=Role(role), person_id=session.get("person_id")))
    except Unauthenticated:
        request.clear_session()
        raise SignInNeeded from None
    if roles and actor.role not in roles:
        raise Forbidden(f"The {actor.role} role may not open this page.")
    return actor
