"""Page logins and the sessions they open: kept in the database so that every server
process knows every session, and failed logins counted there too, so guessing is slowed
for a username whichever process it reaches."""

from __future__ import annotations

from datetime import timedelta

from aidledger.domain.errors import TooManyAttempts, Unauthenticated
from aidledger.persistence import web_sessions as store
from aidledger.services.context import Actor, ServiceContext
from aidledger.services.users import authenticate

# Five wrong passwords within a quarter of an hour close a username's page login until
# the oldest of them is a quarter of an hour old (OWASP's advice: slow guessing without
# locking a worker out for long).
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)


async def page_log_in(context: ServiceContext, *, username: str, password: str) -> Actor:
    now = context.clock.now()
    failures = await store.login_failures_since(context.database, username,
                                                now - FAILURE_WINDOW)
    if failures >= MAX_FAILURES:
        raise TooManyAttempts(f"Too many wrong passwords for {username!r}: try again in "
                              f"{FAILURE_WINDOW.seconds // 60} minutes.")
    try:
        actor = await authenticate(context, username=username, password=password)
    except Unauthenticated:
        await store.record_login_failure(context.database, username, now)
        raise
    await store.forget_login_failures(context.database, username)
    return actor


async def read_session(context: ServiceContext, key: str) -> bytes | None:
    return await store.read_session(context.database, key, context.clock.now())


async def write_session(context: ServiceContext, key: str, value: bytes,
                        lifetime: timedelta | None) -> None:
    now = context.clock.now()
    await store.delete_expired_sessions(context.database, now)
    await store.write_session(context.database, key, value,
                              None if lifetime is None else now + lifetime)


async def session_seconds_left(context: ServiceContext, key: str) -> int | None:
    expires_at = await store.session_expiry(context.database, key)
    if expires_at is None:
        return None
    return max(int((expires_at - context.clock.now()).total_seconds()), 0)


async def end_session(context: ServiceContext, key: str) -> None:
    await store.delete_session(context.database, key)


async def end_every_session(context: ServiceContext) -> None:
    await store.delete_all_sessions(context.database)
