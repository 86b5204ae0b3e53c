"""Settings refuse the shipped secret outside demo/dev/test."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bankcrm.config import DEV_SECRET_KEY, Settings
from bankcrm.kit.crypto import generate_key


@pytest.mark.parametrize("mode", ["demo", "dev", "test"])
def test_default_secret_is_tolerated_in_lenient_modes(mode):
    assert Settings(mode=mode).secret_key.get_secret_value() == DEV_SECRET_KEY


def test_default_secret_is_refused_in_production_with_a_clear_message():
    with pytest.raises(ValidationError) as raised:
        Settings(mode="production")
    message = raised.value.errors()[0]["msg"]
    assert "BANKCRM_SECRET_KEY is the built-in development value, which is refused in 'production' mode" in message


def _production_keys(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BANKCRM_SECRET_KEY", "x" * 40)
    monkeypatch.setenv("BANKCRM_PII_KEYS", f"1:{generate_key()}")
    monkeypatch.setenv("BANKCRM_PII_INDEX_KEY", generate_key())


def test_production_with_own_secret_and_keys_uses_secure_host_cookies(monkeypatch):
    _production_keys(monkeypatch)
    settings = Settings(mode="production")
    assert settings.secure_cookies is True
    assert settings.session_cookie_name == "__Host-bankcrm_session"


def test_short_secret_is_refused():
    with pytest.raises(ValidationError, match="at least 32 characters"):
        Settings(mode="production", secret_key="short")


def test_development_pii_keys_are_refused_in_production(monkeypatch):
    monkeypatch.setenv("BANKCRM_SECRET_KEY", "x" * 40)
    with pytest.raises(ValidationError, match="BANKCRM_PII_KEYS and BANKCRM_PII_INDEX_KEY must be set in 'production'"):
        Settings(mode="production")


def test_a_malformed_key_is_refused_naming_the_setting(monkeypatch):
    _production_keys(monkeypatch)
    monkeypatch.setenv("BANKCRM_PII_KEYS", "1:not-base64!")
    with pytest.raises(ValidationError, match="BANKCRM_PII_KEYS / BANKCRM_PII_KEY_VERSION / BANKCRM_PII_INDEX_KEY"):
        Settings(mode="production")


def test_the_current_key_version_must_be_among_the_keys(monkeypatch):
    _production_keys(monkeypatch)
    monkeypatch.setenv("BANKCRM_PII_KEY_VERSION", "2")
    with pytest.raises(ValidationError, match="current key version 2 is not among the keys"):
        Settings(mode="production")


def test_database_url_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("BANKCRM_DATABASE_URL", "postgresql://u@h/db")
    assert Settings().database_url == "postgresql://u@h/db"
