"""Reads that concurrent requests share, none of them answered from a read made before it
asked.

Every request looks its caller's login up, so that a login disabled in any process
loses its tokens at once; eight clients of one login meant eight identical queries at a
time. Here a request waits for the next read of its key that is sent after it arrived:
the read under way when it arrives may predate a change it must see, the next one
cannot. Requests arriving while a read is out all share the one after it.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

Key = TypeVar("Key")
Value = TypeVar("Value")
Read = Callable[[Key], Awaitable[Value]]


class FreshReads(Generic[Key, Value]):
    def __init__(self) -> None:
        # The read not yet sent, by key: its answer, and how to read it.
        self._next: dict[Key, tuple[asyncio.Future[Value], Read[Key, Value]]] = {}
        self._readers: dict[Key, asyncio.Task[None]] = {}  # a reader while reads are owed

    async def get(self, key: Key, read: Read[Key, Value]) -> Value:
        """`read(key)`'s value, from a call made after this one began."""
        waiting = self._next.get(key)
        if waiting is None:
            waiting = self._next[key] = (asyncio.get_running_loop().create_future(), read)
            if key not in self._readers:
                # A context of its own: the reader serves every caller, so it must not run
                # inside whatever transaction the first of them happened to be in.
                self._readers[key] = asyncio.create_task(self._reader(key),
                                                         context=contextvars.Context())
        # Shielded: a request that goes away leaves the read to the others waiting for it.
        return await asyncio.shield(waiting[0])

    async def _reader(self, key: Key) -> None:
        answer: asyncio.Future[Value] | None = None
        try:
            # Each pass takes everyone who arrived since the last read was sent; nothing
            # awaits between finding no one and leaving.
            while (waiting := self._next.pop(key, None)) is not None:
                answer, read = waiting
                try:
                    answer.set_result(await read(key))
                except Exception as failure:  # each waiting request hears it
                    answer.set_exception(failure)
        finally:
            # Stopped (the server shutting down): no one is left waiting for a read that
            # will never be sent, and the next caller starts a reader of its own.
            for unanswered in (answer, self._next.pop(key, (None,))[0]):
                if unanswered is not None and not unanswered.done():
                    unanswered.cancel()
            del self._readers[key]
