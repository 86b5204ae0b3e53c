"""Typed settings read from the environment (prefix ``BANKCRM_``)."""

from __future__ import annotations

import base64
import binascii
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from bankcrm.kit.crypto import FieldCipher

# Known only so that we can refuse it: this value ships in the source code.
DEV_SECRET_KEY = "bankcrm-dev-secret-do-not-use-in-production"  # noqa: S105 - refused outside dev
# Development-only PII keys (32 bytes each, base64); refused outside lenient modes like the secret key.
DEV_PII_KEYS = "1:ZGV2LW9ubHktcGlpLWtleS12ZXJzaW9uLTEtMzJieXQ="
DEV_PII_INDEX_KEY = "ZGV2LW9ubHktYmxpbmQtaW5kZXgta2V5LTMyLWJ5dGU="
# Modes in which the shipped default secret is tolerated (no real customer data).
LENIENT_MODES = frozenset({"demo", "dev", "test"})


class Settings(BaseSettings):
    """All runtime settings; one instance per process."""

    model_config = SettingsConfigDict(env_prefix="BANKCRM_", env_file=".env", extra="ignore")

    mode: Literal["demo", "dev", "test", "production"] = "dev"
    database_url: str = "sqlite:///./var/bankcrm.db"
    secret_key: SecretStr = SecretStr(DEV_SECRET_KEY)
    session_idle_minutes: int = 30
    session_absolute_hours: int = 10
    api_token_minutes: int = 60
    login_max_failures: int = 5
    lockout_minutes: int = 15
    timezone: str = "Asia/Shanghai"
    # Days before a maturity at which the nightly batch raises (or escalates) the follow-up task.
    maturity_windows: tuple[int, ...] = (30, 7, 1)
    # Bytes of a delivered file checked and loaded at a time: bounds memory whatever the file's size.
    ingest_chunk_bytes: int = 32 * 1024 * 1024
    # How long (in business days of a file type) a corrected accounts or loans re-delivery can still
    # undo what the earlier delivery changed; older undo records are pruned by later loads.
    ingest_undo_days: int = Field(31, ge=0)
    # A delivered line longer than this (bytes) is rejected as too long without being parsed or kept whole.
    ingest_max_line_bytes: int = Field(64 * 1024, ge=1024)
    # A rejected row is stored and served back cut to this many characters (marked as cut).
    ingest_reject_max_chars: int = Field(4096, ge=256)
    # A shareholder controls a company when its share is strictly above this (basis points; 5000 = 50 %).
    group_control_share_bp: int = Field(5000, ge=0, le=10000)
    # Matching (docs/matching.md): a score at or above the upper threshold links, below the lower one is a new
    # customer, in between goes to the review queue.
    match_upper: float = Field(0.95, gt=0, lt=1)
    match_lower: float = Field(0.60, gt=0, lt=1)
    # Customer insight (docs/insight.md): the names the bank's own bank goes by in vouchers' counterparty_bank
    # (a debit naming any other bank is a transfer out to another bank), and the RFM score from which a
    # recency, frequency or monetary score counts as high for the eight RFM groups.
    own_bank_names: tuple[str, ...] = ()
    rfm_high_score: int = Field(3, ge=2, le=5)
    default_locale: Literal["en", "zh_CN"] = "en"
    # The deliver-outbox job: e-mail goes to this SMTP server (plain SMTP, optionally STARTTLS) from this
    # address; SMS and WeChat messages are written as files under outbox_dir/<channel>/ for the channel systems.
    smtp_host: str = "localhost"
    smtp_port: int = Field(25, ge=1, le=65535)
    smtp_from: str = "bankcrm@localhost"
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = Field(10.0, gt=0)
    outbox_dir: Path = Path("./var/outbox")
    # A message that met a passing problem (no server, a 4xx answer) is tried by later runs: this many attempts in all.
    outbox_max_attempts: int = Field(5, ge=1)
    # Largest request body taken (bytes): larger ones are a 413 before they are read. No route takes
    # file uploads (ingest reads files from disk), so one limit serves every request.
    max_body_bytes: int = Field(10 * 1024 * 1024, ge=1)
    # None means: secure cookies everywhere except dev/demo/test on plain http.
    cookie_secure: bool | None = None
    # Field encryption (ARCHITECTURE §6): "version:base64key,..." and the version new values use.
    pii_keys: SecretStr = SecretStr(DEV_PII_KEYS)
    pii_key_version: int = 1
    pii_index_key: SecretStr = SecretStr(DEV_PII_INDEX_KEY)

    @model_validator(mode="after")
    def _thresholds_in_order(self) -> Settings:
        if self.match_lower >= self.match_upper:
            raise ValueError(
                f"BANKCRM_MATCH_LOWER ({self.match_lower}) must be below BANKCRM_MATCH_UPPER ({self.match_upper})."
            )
        return self

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        if self.mode not in LENIENT_MODES and self.secret_key.get_secret_value() == DEV_SECRET_KEY:
            raise ValueError(
                f"BANKCRM_SECRET_KEY is the built-in development value, which is refused in "
                f"'{self.mode}' mode. Set BANKCRM_SECRET_KEY to a random value of at least 32 "
                f"characters (for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')."
            )
        if len(self.secret_key.get_secret_value()) < 32:
            raise ValueError("BANKCRM_SECRET_KEY must be at least 32 characters long.")
        if self.mode not in LENIENT_MODES and (
            self.pii_keys.get_secret_value() == DEV_PII_KEYS
            or self.pii_index_key.get_secret_value() == DEV_PII_INDEX_KEY
        ):
            raise ValueError(
                f"BANKCRM_PII_KEYS and BANKCRM_PII_INDEX_KEY must be set in '{self.mode}' mode; the built-in "
                f"development keys are refused. Generate keys with: bankcrm keys generate"
            )
        try:
            self.field_cipher()
        except (ValueError, binascii.Error) as exc:
            raise ValueError(f"BANKCRM_PII_KEYS / BANKCRM_PII_KEY_VERSION / BANKCRM_PII_INDEX_KEY: {exc}") from exc
        return self

    @property
    def secure_cookies(self) -> bool:
        """Whether cookies carry the Secure flag (and the ``__Host-`` prefix)."""
        if self.cookie_secure is not None:
            return self.cookie_secure
        return self.mode not in LENIENT_MODES

    @property
    def session_cookie_name(self) -> str:
        """Cookie name; ``__Host-`` is only valid together with Secure."""
        return "__Host-bankcrm_session" if self.secure_cookies else "bankcrm_session"

    def field_cipher(self) -> FieldCipher:
        """The AES-GCM cipher and blind-index key for C2 fields (ValueError names a bad key)."""
        from bankcrm.kit.crypto import FieldCipher, parse_keys

        return FieldCipher(
            parse_keys(self.pii_keys.get_secret_value()),
            self.pii_key_version,
            base64.b64decode(self.pii_index_key.get_secret_value()),
        )

    def sqlite_path(self) -> Path | None:
        """Filesystem path of a SQLite database, or None for other databases."""
        prefix = "sqlite:///"
        if self.database_url.startswith(prefix) and ":memory:" not in self.database_url:
            return Path(self.database_url[len(prefix) :])
        return None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
