"""Settings refuse the shipped secret outside demo/dev/test."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bankcrm.config import DEV_SECRET_KEY, Settings


@pytest.mark.parametrize("mode", ["demo", "dev", "test"])
def test_default_secret_is_tolerated_in_lenient_modes(mode):
    assert Settings(mode=mode).secret_key.get_secret_value() == DEV_SECRET_KEY


def test_default_secret_is_refused_in_production_with_a_clear_message():
    with pytest.raises(ValidationError) as raised:
        Settings(mode="production")
    message = raised.value.errors()[0]["msg"]
    assert "BANKCRM_SECRET_KEY is the built-in development value, which is refused in 'production' mode" in message


def test_production_with_own_secret_uses_secure_host_cookies(monkeypatch):
    monkeypatch.setenv("BANKCRM_SECRET_KEY", "x" * 40)
    settings = Settings(mode="production")
    assert settings.secure_cookies is True
    assert settings.session_cookie_name == "__Host-bankcrm_session"


def test_short_secret_is_refused():
    with pytest.raises(ValidationError, match="at least 32 characters"):
        Settings(mode="production", secret_key="short")


def test_database_url_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("BANKCRM_DATABASE_URL", "postgresql://u@h/db")
    assert Settings().database_url == "postgresql://u@h/db"
