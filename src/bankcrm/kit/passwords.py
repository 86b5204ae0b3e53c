"""Argon2id password hashing and the password policy."""

from __future__ import annotations

import os
import sys

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import CHEAPEST

from bankcrm.kit.i18n import N_

# The test suite signs in thousands of times; at argon2's real cost (64 MiB and tens of ms each) that
# dominated its run time. tests/__init__.py sets the variable, and it counts only inside pytest, so a
# deployment cannot weaken its hashes by an environment variable.
FAST_FOR_TESTS = os.environ.get("BANKCRM_TEST_FAST_PASSWORD_HASH") == "1" and "pytest" in sys.modules
# argon2id with the library's current recommended parameters (RFC 9106 low-memory profile).
_hasher = PasswordHasher.from_parameters(CHEAPEST) if FAST_FOR_TESTS else PasswordHasher()
MIN_LENGTH = 12
# A real-world deny list belongs in data; these are the ones people try first in a bank.
COMMON = frozenset({"password1234", "123456789012", "qwertyuiop12", "bankcrm12345", "admin1234567"})


def hash_password(password: str) -> str:
    """Argon2id hash with a random salt."""
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """True when the password matches; never raises on a bad password."""
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(stored_hash)


def policy_problems(password: str, username: str) -> list[str]:
    """Msgids of every rule the password breaks; empty when it is acceptable."""
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(N_("Password must be at least 12 characters long."))
    classes = sum(
        [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
    )
    if classes < 3:
        problems.append(N_("Password must mix at least three of: lower case, upper case, digits, symbols."))
    if username and username.lower() in password.lower():
        problems.append(N_("Password must not contain the user name."))
    if password.lower() in COMMON:
        problems.append(N_("Password is too common."))
    return problems
