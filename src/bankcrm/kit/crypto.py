"""Field encryption at rest: AES-256-GCM with versioned keys, and an HMAC blind index for exact lookup."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # the GCM nonce size that needs no extra hashing; random per value
MIN_INDEX_KEY_BYTES = 32
_SEPARATOR = "\x1f"  # ASCII unit separator between purpose and value in the blind index input
_TOKEN = re.compile(r"v([1-9][0-9]*)\.([A-Za-z0-9_-]+={0,2})")
_VERSION = re.compile(r"[1-9][0-9]*")


class DecryptionFailed(ValueError):
    """A token could not be decrypted: malformed, unknown key version, wrong associated data or tampered."""


def _b64decode(text: str, *, urlsafe: bool) -> bytes:
    # validate=True refuses stray characters instead of silently skipping them.
    return base64.b64decode(text, altchars=b"-_" if urlsafe else None, validate=True)


def parse_keys(spec: str) -> dict[int, bytes]:
    """Keys from a spec like "1:<base64 of 32 bytes>,2:<base64>"; ValueError names the bad entry."""
    keys: dict[int, bytes] = {}
    entries = [entry.strip() for entry in spec.split(",")]
    if not any(entries):
        raise ValueError("no encryption keys given: expected '<version>:<base64 of 32 bytes>,...'")
    for position, entry in enumerate(entries, start=1):
        # Key material is never echoed back: the entry is named by position and version only.
        version_text, colon, material = entry.partition(":")
        version_text = version_text.strip()
        if not colon or not _VERSION.fullmatch(version_text):
            raise ValueError(f"key entry {position}: expected '<version>:<base64 key>' with a version of 1 or more")
        version = int(version_text)
        if version in keys:
            raise ValueError(f"key entry {position}: version {version} is given twice")
        try:
            key = _b64decode(material.strip(), urlsafe=False)
        except (binascii.Error, ValueError):
            raise ValueError(f"key entry {position} (version {version}): the key is not valid base64") from None
        if len(key) != KEY_BYTES:
            raise ValueError(
                f"key entry {position} (version {version}): the key is {len(key)} bytes, it must be {KEY_BYTES}"
            )
        keys[version] = key
    return keys


def generate_key() -> str:
    """A new random 32-byte key, base64-encoded, for the key spec."""
    return base64.b64encode(os.urandom(KEY_BYTES)).decode("ascii")


def aad_for(table: str, column: str, row_id: int | str) -> str:
    """Associated data binding a ciphertext to its place: "table|column|row_id"."""
    return f"{table}|{column}|{row_id}"


class FieldCipher:
    """Encrypts single field values under the current key and decrypts under any known key version."""

    def __init__(self, keys: dict[int, bytes], current_version: int, index_key: bytes) -> None:
        """Check the keys and keep one AES-GCM instance per version."""
        if current_version not in keys:
            raise ValueError(f"current key version {current_version} is not among the keys {sorted(keys)}")
        for version, key in keys.items():
            if version < 1:
                raise ValueError(f"key version {version} must be 1 or more")
            if len(key) != KEY_BYTES:
                raise ValueError(f"key version {version} is {len(key)} bytes, it must be {KEY_BYTES}")
        if len(index_key) < MIN_INDEX_KEY_BYTES:
            raise ValueError(f"the blind index key must be at least {MIN_INDEX_KEY_BYTES} bytes")
        self.current_version = current_version
        self._aeads = {version: AESGCM(key) for version, key in keys.items()}
        self._index_key = bytes(index_key)
        self._keys = dict(keys)

    def __reduce__(self) -> tuple[Any, ...]:
        """Rebuilt from its keys: a bulk load hands its cipher to its own worker processes (kit/workers.py)
        through their pipe; nothing else pickles it."""
        return (FieldCipher, (self._keys, self.current_version, self._index_key))

    def encrypt(self, plaintext: str, aad: str) -> str:
        """Token "v<version>.<urlsafe base64 of nonce + ciphertext>" under the current key."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aeads[self.current_version].encrypt(nonce, plaintext.encode("utf-8"), aad.encode("utf-8"))
        body = base64.urlsafe_b64encode(nonce + sealed).decode("ascii")
        return f"v{self.current_version}.{body}"

    def decrypt(self, token: str, aad: str) -> str:
        """The plaintext of a token made for the same associated data; raises DecryptionFailed."""
        version, blob = self._split(token)
        aead = self._aeads.get(version)
        if aead is None:
            raise DecryptionFailed(f"unknown key version {version}")
        if len(blob) < NONCE_BYTES + 16:  # nonce plus the 16-byte GCM tag at the least
            raise DecryptionFailed("malformed token: too short")
        try:
            plain = aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad.encode("utf-8"))
        except InvalidTag:
            raise DecryptionFailed(
                "the token does not authenticate: wrong key, wrong associated data or tampered"
            ) from None
        try:
            return plain.decode("utf-8")
        except UnicodeDecodeError:
            raise DecryptionFailed("the decrypted value is not UTF-8") from None

    def version_of(self, token: str) -> int:
        """The key version a token was encrypted under; raises DecryptionFailed when malformed."""
        return self._split(token)[0]

    def needs_rotation(self, token: str) -> bool:
        """True when the token is under another key version than the current one."""
        return self.version_of(token) != self.current_version

    def reencrypt(self, token: str, aad: str) -> str:
        """The same plaintext encrypted again under the current key (with a fresh nonce)."""
        return self.encrypt(self.decrypt(token, aad), aad)

    def blind_index(self, value: str, purpose: str) -> str:
        """HMAC-SHA256 of purpose and value under the index key, 64 hex characters, for exact lookup."""
        if _SEPARATOR in purpose:
            # With the separator inside the purpose two different (purpose, value) pairs could collide.
            raise ValueError("the purpose must not contain the unit separator \\x1f")
        message = (purpose + _SEPARATOR + value).encode("utf-8")
        return hmac.new(self._index_key, message, hashlib.sha256).hexdigest()

    @staticmethod
    def _split(token: str) -> tuple[int, bytes]:
        match = _TOKEN.fullmatch(token)
        if match is None:
            raise DecryptionFailed("malformed token: expected 'v<version>.<base64>'")
        try:
            blob = _b64decode(match.group(2), urlsafe=True)
        except (binascii.Error, ValueError):
            raise DecryptionFailed("malformed token: the body is not valid base64") from None
        return int(match.group(1)), blob
