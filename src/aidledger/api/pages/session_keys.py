"""Session keys that change when someone signs in.

Litestar keeps a session under the key the request's cookie names, so a key planted in a
browser before sign-in (session fixation: a shared computer at a community centre, a
cookie set by a neighbouring site) would come to hold the login of whoever signs in
next. A session that has just been signed into (`renew_session_key`) is stored under a
fresh key instead, and whatever the old key held is deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.types import Empty, Message, ScopeSession

_RENEW = "aidledger_renew_session_key"  # in the request's state: signed in just now
_NEW_KEY = "aidledger_new_session_key"  # in the request's state: the key made for it


def renew_session_key(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    """This request's session is stored under a new key (call on sign-in)."""
    connection.state[_RENEW] = True


class _KeyRenewingBackend(ServerSideSessionBackend):
    def get_session_id(self, connection: ASGIConnection[Any, Any, Any, Any]) -> str:
        if not connection.state.get(_RENEW):
            return super().get_session_id(connection)
        if _NEW_KEY not in connection.state:  # one new key, however often it is asked for
            connection.state[_NEW_KEY] = self.generate_session_id()
        key: str = connection.state[_NEW_KEY]
        return key

    async def store_in_message(self, scope_session: ScopeSession, message: Message,
                               connection: ASGIConnection[Any, Any, Any, Any]) -> None:
        planted = connection.cookies.get(self.config.key)
        if connection.state.get(_RENEW) and planted and scope_session is not Empty:
            await self.delete(planted, store=self.config.get_store_from_app(
                connection.scope["app"]))
        await super().store_in_message(scope_session, message, connection)


@dataclass
class KeyRenewingSessionConfig(ServerSideSessionConfig):
    """Litestar's server-side sessions, with a new key on sign-in."""

    _backend_class = _KeyRenewingBackend
