import stat
from pathlib import Path

import pytest

from aidledger.settings import (
    ConfigurationError,
    load_settings,
    new_checkpoint_key,
    resolve_secrets,
)


def test_defaults_to_a_sqlite_file_in_the_working_directory() -> None:
    settings = load_settings({})
    assert settings.database_url == "sqlite:///aidledger.sqlite"
    assert settings.sqlite_path == Path("aidledger.sqlite")
    assert settings.token_lifetime_seconds == 3600


def test_generates_secrets_once_beside_the_sqlite_database_with_0600(tmp_path: Path) -> None:
    settings = load_settings({"AIDLEDGER_DATABASE_URL": f"sqlite:///{tmp_path}/books.sqlite"})
    first = resolve_secrets(settings)
    kept = tmp_path / "books.sqlite.secrets.json"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert resolve_secrets(settings) == first
    assert len(first.jwt_secret) >= 32
    assert first.jwt_secret != first.document_key
    key_file = tmp_path / "books.sqlite.checkpoint-key.pem"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first.checkpoint_key == key_file.read_text()
    assert first.checkpoint_key.startswith("-----BEGIN PRIVATE KEY-----")


def test_postgresql_requires_configured_secrets() -> None:
    settings = load_settings({"AIDLEDGER_DATABASE_URL": "postgresql://db/aid"})
    with pytest.raises(ConfigurationError, match="AIDLEDGER_JWT_SECRET"):
        resolve_secrets(settings)
    without_checkpoint_key = {"AIDLEDGER_DATABASE_URL": "postgresql://db/aid",
                              "AIDLEDGER_JWT_SECRET": "j" * 32,
                              "AIDLEDGER_DOCUMENT_KEY": "d" * 32}
    with pytest.raises(ConfigurationError, match="AIDLEDGER_CHECKPOINT_KEY"):
        resolve_secrets(load_settings(without_checkpoint_key))
    key = new_checkpoint_key()
    configured = load_settings({**without_checkpoint_key, "AIDLEDGER_CHECKPOINT_KEY": key})
    assert resolve_secrets(configured).jwt_secret == "j" * 32
    assert resolve_secrets(configured).checkpoint_key == key


def test_secret_may_come_from_a_file(tmp_path: Path) -> None:
    (tmp_path / "jwt").write_text("k" * 40 + "\n")
    settings = load_settings({"AIDLEDGER_JWT_SECRET_FILE": str(tmp_path / "jwt")})
    assert settings.jwt_secret == "k" * 40


@pytest.mark.parametrize("environment", [
    {"AIDLEDGER_DATABASE_URL": "mysql://db"},
    {"AIDLEDGER_JWT_SECRET": "short"},
    {"AIDLEDGER_TOKEN_LIFETIME_SECONDS": "ten"},
    {"AIDLEDGER_TOKEN_LIFETIME_SECONDS": "5"},
    {"AIDLEDGER_TIMEZONE": "Mars/Olympus"},
])
def test_bad_configuration_is_refused_with_the_variable_named(environment: dict[str, str]) -> None:
    with pytest.raises(ConfigurationError):
        load_settings(environment)


def test_page_cookies_are_secure_only_when_configured() -> None:
    assert load_settings({}).secure_cookies is False
    assert load_settings({"AIDLEDGER_SECURE_COOKIES": "true"}).secure_cookies is True
    assert load_settings({"AIDLEDGER_SECURE_COOKIES": "0"}).secure_cookies is False
    with pytest.raises(ConfigurationError, match="AIDLEDGER_SECURE_COOKIES"):
        load_settings({"AIDLEDGER_SECURE_COOKIES": "sometimes"})
