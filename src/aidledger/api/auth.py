"""Bearer-token authentication and the one role guard."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from aidledger.domain.errors import Forbidden, Unauthenticated
from aidledger.services.context import Actor, Role, ServiceContext
from aidledger.services.users import confirm_caller

# Paths anyone may call: logging in, health probes, the API description and its scripts.
PUBLIC_PATHS = ["^/api/auth/token$", "^/health$", "^/ready$", "^/schema", "^/static/"]


class BearerTokenMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        header = connection.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("Send 'Authorization: Bearer <token>' from POST /api/auth/token.")
        context: ServiceContext = connection.app.state.context
        actor = await confirm_caller(context, context.verify_token(token.strip()))
        return AuthenticationResult(user=actor, auth=token)


def requires_role(*roles: Role) -> Any:
    """A guard admitting only the given roles (403 for any other). Asynchronous, because
    Litestar runs a synchronous guard in a worker thread."""
    allowed = frozenset(roles)

    async def guard(connection: ASGIConnection[Any, Actor, Any, Any], _: BaseRouteHandler) -> None:
        if connection.user.role not in allowed:
            raise Forbidden(f"The {connection.user.role} role may not do this.")

    return guard


ADMIN = requires_role(Role.ADMIN)
ADMIN_OR_AUDITOR = requires_role(Role.ADMIN, Role.AUDITOR)
ANY_ROLE = requires_role(Role.ADMIN, Role.AUDITOR, Role.BORROWER)
