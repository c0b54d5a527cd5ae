"""What every use case needs: the database, the clock, the caller."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from aidledger.persistence.database import Database
from aidledger.persistence.journal import ChainHead
from aidledger.persistence.users import Standing
from aidledger.rules.loader import PolicySet
from aidledger.services.fresh_reads import FreshReads
from aidledger.services.signing import CheckpointSigner
from aidledger.settings import Secrets


class Role(StrEnum):
    ADMIN = "admin"
    BORROWER = "borrower"
    AUDITOR = "auditor"


@dataclass(frozen=True, slots=True)
class Actor:
    username: str
    role: Role
    person_id: str | None


class Clock(Protocol):
    """The time every rule reads: timestamps, token expiry, and "today" for business
    dates. Tests give one they set (`open_services(settings, clock)`)."""

    def now(self) -> datetime: ...

    def today(self) -> date: ...


@dataclass(frozen=True, slots=True)
class SystemClock:
    """The real time; business dates ("not in the future") are judged in the configured
    time zone."""

    timezone: ZoneInfo

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return datetime.now(self.timezone).date()


@dataclass(frozen=True, slots=True)
class FundRef:
    id: str
    code: str
    currency: str


@dataclass(slots=True)
class PostingQueue:
    """Standalone postings to one fund that wait for this process's appender, which
    appends them together (group commit, services/posting.py)."""

    waiting: list[Any] = field(default_factory=list)
    # The task appending them while there are any: join the queue, it takes you along.
    appender: asyncio.Task[None] | None = None


@dataclass(frozen=True, slots=True)
class ServiceContext:
    database: Database
    clock: Clock
    secrets: Secrets
    token_lifetime_seconds: int
    # Bearer token -> the caller it names (signature, expiry, claims checked).
    verify_token: Callable[[str], Actor]
    policies: PolicySet
    checkpoint_signer: CheckpointSigner
    reply_seal_key: bytes  # seals stored idempotent replies (services/idempotency.py)
    migrations_path: Path  # the reviewed migrations the schema must be current with
    reports_path: Path  # the report templates (Jinja2) and their style sheet
    # A streaming replica reports and read-only lists may read (services/reading.py).
    replica: Database | None = None
    # A fund's id, code and currency never change and funds are never deleted, so every
    # process may remember them: it saves a query on each posting.
    known_funds: dict[str, FundRef] = field(default_factory=dict)
    # Likewise accounts: (fund id, account code) -> account id.
    known_accounts: dict[tuple[str, str], int] = field(default_factory=dict)
    # Each fund's chain head as this process last saw it (see services/posting.py).
    chain_heads: dict[str, ChainHead] = field(default_factory=dict)
    # Funds whose head another process moved under this one's last group: their next
    # groups lock the head before chaining (services/posting.py `_appended`).
    shared_funds: set[str] = field(default_factory=set)
    # Logins' standings as requests read them (services/users.py confirm_caller).
    login_standings: FreshReads[str, Standing | None] = field(default_factory=FreshReads)
    # This process's standalone postings waiting to be appended, fund by fund.
    posting_queues: defaultdict[str, PostingQueue] = field(
        default_factory=lambda: defaultdict(PostingQueue))
