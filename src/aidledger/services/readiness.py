"""Can this process serve requests: database reachable, schema current."""

from __future__ import annotations

import asyncio

from aidledger.persistence.migrations import pending_migrations
from aidledger.services.context import ServiceContext

READY_TIMEOUT_SECONDS = 3


async def readiness(context: ServiceContext) -> str | None:
    """None when ready, else what is wrong."""
    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS):
            pending = await pending_migrations(context.database, context.migrations_path)
    except TimeoutError:
        return "the database did not answer in time"
    except Exception as error:  # a probe answers 503 whatever the driver raised
        return f"the database is unreachable: {type(error).__name__}: {error}"
    if pending:
        return f"migrations not applied: {', '.join(pending)}"
    return None
