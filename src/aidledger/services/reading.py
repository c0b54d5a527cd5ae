"""Where a read-only request reads: the streaming replica when one is configured and has
replayed everything the primary had committed when the request came in, else the
primary. A client's own writes were committed before its next read began, so that read
always sees them (read-your-writes), whichever process served either."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, replace
from enum import StrEnum

from aidledger.persistence import replication
from aidledger.services.context import ServiceContext

# How long a read waits for the replica to catch up before the primary answers instead.
CATCH_UP_SECONDS = 0.5
_POLL_SECONDS = 0.005


class Source(StrEnum):
    PRIMARY = "primary"
    REPLICA = "replica"


@dataclass(frozen=True, slots=True)
class Reading:
    context: ServiceContext  # the services over the database to read from
    source: Source


async def for_reading(context: ServiceContext) -> Reading:
    replica = context.replica
    if replica is None:
        return Reading(context, Source.PRIMARY)
    target = await replication.written_up_to(context.database)
    deadline = time.monotonic() + CATCH_UP_SECONDS
    while True:
        caught_up = await replication.replayed_up_to(replica, target)
        if caught_up:
            return Reading(replace(context, database=replica), Source.REPLICA)
        if caught_up is None or time.monotonic() >= deadline:
            return Reading(context, Source.PRIMARY)
        await asyncio.sleep(_POLL_SECONDS)
