"""Opening the services for a process: the app's lifespan and the CLI both start here."""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from aidledger.persistence.database import Database, connect
from aidledger.rules.loader import load_policies
from aidledger.services.context import Clock, ServiceContext, SystemClock
from aidledger.services.signing import CheckpointSigner
from aidledger.services.tokens import TokenVerifier
from aidledger.settings import Settings, resolve_secrets

_logger = logging.getLogger("aidledger")


@asynccontextmanager
async def open_services(settings: Settings,
                        clock: Clock | None = None) -> AsyncIterator[ServiceContext]:
    """The services over the configured database. `clock` is the time every rule reads
    (business dates, token expiry, timestamps): the real one unless a test gives its own."""
    clock = clock or SystemClock(settings.timezone)
    secrets = resolve_secrets(settings)
    # A broken policy file stops start-up here, before any connection is opened.
    policies = load_policies(settings.policies_path)
    database = connect(settings.database_url)
    await database.start()
    replica = await _replica(settings.read_database_url)
    try:
        yield ServiceContext(
            database=database,
            replica=replica,
            clock=clock,
            secrets=secrets,
            token_lifetime_seconds=settings.token_lifetime_seconds,
            verify_token=TokenVerifier(secrets.jwt_secret, clock).read,
            policies=policies,
            checkpoint_signer=CheckpointSigner.from_pem(secrets.checkpoint_key),
            # A key of its own, derived so that no new secret needs configuring.
            reply_seal_key=hmac.new(secrets.document_key.encode(), b"aidledger reply seal v1",
                                    hashlib.sha256).digest(),
            migrations_path=settings.migrations_path,
            reports_path=settings.reports_path,
        )
    finally:
        if replica is not None:
            await replica.close()
        await database.close()


async def _replica(url: str | None) -> Database | None:
    """The read replica, if one is configured and answers; without it the primary serves
    every read, so a replica that is down at start stops nothing."""
    if url is None:
        return None
    replica = connect(url)
    try:
        await replica.start()
    except (OSError, asyncpg.PostgresError) as error:
        _logger.warning("the read replica does not answer (%s); reading from the primary",
                        error)
        return None
    return replica
