"""Random tokens and their storage digests."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_token() -> str:
    """A 256-bit URL-safe random token (session ids, API tokens, CSRF tokens)."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What we store instead of a token, so a database read does not yield live credentials."""
    return hashlib.sha256(token.encode()).hexdigest()


def sign(value: str, key: str) -> str:
    """HMAC-SHA256 of a value under a key, hex."""
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    """Constant-time comparison."""
    return hmac.compare_digest(a.encode(), b.encode())
