"""Litestar's session store interface over the database (services/web_sessions.py), so a
session opened on one server process is known to all of them."""

from __future__ import annotations

from datetime import timedelta

from litestar.stores.base import Store

from aidledger.services import web_sessions
from aidledger.services.context import ServiceContext

_NOTHING_SIGNED_IN = (b"{}", b"null", b"")


class DatabaseSessionStore(Store):
    """Bound to the database once the app has opened it (`bind`)."""

    def __init__(self) -> None:
        self._context: ServiceContext | None = None

    def bind(self, context: ServiceContext) -> None:
        self._context = context

    @property
    def context(self) -> ServiceContext:
        assert self._context is not None, "the app opens the database before any request"
        return self._context

    async def set(self, key: str, value: str | bytes,
                  expires_in: int | timedelta | None = None) -> None:
        lifetime = (timedelta(seconds=expires_in) if isinstance(expires_in, int)
                    else expires_in)
        data = value.encode() if isinstance(value, str) else value
        if data in _NOTHING_SIGNED_IN:
            # Litestar stores a session for every request, a visitor's empty one too: keep
            # none of those, so anonymous page views write nothing to the database.
            await web_sessions.end_session(self.context, key)
            return
        await web_sessions.write_session(self.context, key, data, lifetime)

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        return await web_sessions.read_session(self.context, key)

    async def delete(self, key: str) -> None:
        await web_sessions.end_session(self.context, key)

    async def delete_all(self) -> None:
        await web_sessions.end_every_session(self.context)

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        return await web_sessions.session_seconds_left(self.context, key)
