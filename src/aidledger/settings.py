"""Configuration, read from environment variables only when asked for (never at import)."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_DATABASE_URL = "sqlite:///aidledger.sqlite"


class ConfigurationError(Exception):
    """The environment does not describe a usable configuration."""


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    jwt_secret: str | None
    document_key: str | None
    checkpoint_key: str | None  # PEM of an Ed25519 private key
    token_lifetime_seconds: int
    host: str
    port: int
    timezone: ZoneInfo
    project_root: Path
    # Page cookies marked Secure: set it where the service is reached over HTTPS (a
    # browser then never sends the session over plain HTTP).
    secure_cookies: bool = False
    # A PostgreSQL streaming replica of the database, for reports and read-only lists.
    read_database_url: str | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")

    @property
    def sqlite_path(self) -> Path:
        """`sqlite:///relative.db` is relative to the working directory; `sqlite:////abs` not."""
        if not self.is_sqlite:
            raise ConfigurationError("not an SQLite database URL")
        path = self.database_url.removeprefix("sqlite:///")
        if not path or path == self.database_url:
            raise ConfigurationError("AIDLEDGER_DATABASE_URL: expected sqlite:///path")
        return Path(path)

    @property
    def migrations_path(self) -> Path:
        return self.project_root / "migrations"

    @property
    def policies_path(self) -> Path:
        return self.project_root / "policies"

    @property
    def reports_path(self) -> Path:
        """The report templates and their style sheet."""
        return self.project_root / "reports"


@dataclass(frozen=True, slots=True)
class Secrets:
    jwt_secret: str
    document_key: str
    checkpoint_key: str  # PEM (PKCS 8) of the Ed25519 key that signs audit checkpoints


def _read_secret(environ: dict[str, str], name: str) -> str | None:
    value = environ.get(name)
    file_name = environ.get(f"{name}_FILE")
    if value and file_name:
        raise ConfigurationError(f"set either {name} or {name}_FILE, not both")
    if file_name:
        value = Path(file_name).read_text(encoding="utf-8").strip()
    if value is not None and len(value) < 32:
        raise ConfigurationError(f"{name} must be at least 32 characters long")
    return value or None


def _default_project_root() -> Path:
    # A source checkout keeps migrations/, policies/ and reports/ two levels above
    # src/aidledger/.
    return Path(__file__).resolve().parents[2]


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if environ is None else environ)
    database_url = env.get("AIDLEDGER_DATABASE_URL", DEFAULT_DATABASE_URL)
    if not database_url.startswith(("sqlite:///", "postgresql://", "postgres://")):
        raise ConfigurationError(
            "AIDLEDGER_DATABASE_URL must start with sqlite:/// or postgresql://"
        )
    try:
        lifetime = int(env.get("AIDLEDGER_TOKEN_LIFETIME_SECONDS", "3600"))
        port = int(env.get("AIDLEDGER_PORT", "8000"))
    except ValueError as error:
        raise ConfigurationError(f"not a whole number: {error}") from error
    if not 60 <= lifetime <= 86_400:
        raise ConfigurationError("AIDLEDGER_TOKEN_LIFETIME_SECONDS must be 60..86400")
    try:
        timezone = ZoneInfo(env.get("AIDLEDGER_TIMEZONE", "UTC"))
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ConfigurationError(f"AIDLEDGER_TIMEZONE: {error}") from error
    root = env.get("AIDLEDGER_ROOT")
    read_database_url = env.get("AIDLEDGER_READ_DATABASE_URL") or None
    if read_database_url is not None and not (
            read_database_url.startswith(("postgresql://", "postgres://"))
            and database_url.startswith(("postgresql://", "postgres://"))):
        raise ConfigurationError("AIDLEDGER_READ_DATABASE_URL names a PostgreSQL streaming "
                                 "replica of a PostgreSQL AIDLEDGER_DATABASE_URL")
    return Settings(
        database_url=database_url,
        jwt_secret=_read_secret(env, "AIDLEDGER_JWT_SECRET"),
        document_key=_read_secret(env, "AIDLEDGER_DOCUMENT_KEY"),
        checkpoint_key=_read_secret(env, "AIDLEDGER_CHECKPOINT_KEY"),
        token_lifetime_seconds=lifetime,
        host=env.get("AIDLEDGER_HOST", "127.0.0.1"),
        port=port,
        timezone=timezone,
        project_root=Path(root) if root else _default_project_root(),
        secure_cookies=_flag(env, "AIDLEDGER_SECURE_COOKIES"),
        read_database_url=read_database_url,
    )


def _flag(env: dict[str, str], name: str) -> bool:
    value = env.get(name, "false").strip().lower()
    if value not in ("true", "false", "1", "0", "yes", "no"):
        raise ConfigurationError(f"{name} must be true or false")
    return value in ("true", "1", "yes")


def resolve_secrets(settings: Settings) -> Secrets:
    """Configured secrets win. On SQLite, missing ones are generated once and kept beside the
    database (mode 0600) so tokens, document hashes and checkpoint signatures survive
    restarts; PostgreSQL serves several hosts, which must share the secrets, so there they
    must be configured. The checkpoint key is a file of its own, so that it can be kept
    away from the database (a checkpoint proves nothing to whoever holds both)."""
    configured = (settings.jwt_secret, settings.document_key, settings.checkpoint_key)
    if all(configured):
        return Secrets(*configured)  # type: ignore[arg-type]
    if not settings.is_sqlite:
        raise ConfigurationError(
            "with PostgreSQL, AIDLEDGER_JWT_SECRET, AIDLEDGER_DOCUMENT_KEY and "
            "AIDLEDGER_CHECKPOINT_KEY (or their _FILE variants) must be configured"
        )
    path = settings.sqlite_path.with_name(settings.sqlite_path.name + ".secrets.json")
    if path.exists():
        stored = json.loads(path.read_text(encoding="utf-8"))
    else:
        stored = {name: secrets.token_urlsafe(48) for name in ("jwt_secret", "document_key")}
        _write_private(path, json.dumps(stored))
    key_path = settings.sqlite_path.with_name(settings.sqlite_path.name + ".checkpoint-key.pem")
    if not settings.checkpoint_key and not key_path.exists():
        _write_private(key_path, new_checkpoint_key())
    return Secrets(
        jwt_secret=settings.jwt_secret or stored["jwt_secret"],
        document_key=settings.document_key or stored["document_key"],
        checkpoint_key=settings.checkpoint_key or key_path.read_text(encoding="utf-8"),
    )


def new_checkpoint_key() -> str:
    """A new Ed25519 private key as PEM (what AIDLEDGER_CHECKPOINT_KEY_FILE holds)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()).decode()


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
