"""Password hashing: the suite's cheap parameters never reach a real deployment."""

from __future__ import annotations

import os
import subprocess
import sys

from bankcrm.kit import passwords

HASH_ONE = "from bankcrm.kit.passwords import hash_password; print(hash_password('Correct-Horse-9'))"


def _hash_in_fresh_interpreter(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k != "BANKCRM_TEST_FAST_PASSWORD_HASH"} | env
    return subprocess.run(
        [sys.executable, "-c", HASH_ONE], env=clean, capture_output=True, text=True, check=True
    ).stdout


def test_a_deployment_hashes_with_argon2ids_recommended_parameters_even_with_the_test_variable_set():
    # given fresh interpreters outside pytest, without and with the suite's variable; when each hashes a password
    without, with_variable = (
        _hash_in_fresh_interpreter(),
        _hash_in_fresh_interpreter(BANKCRM_TEST_FAST_PASSWORD_HASH="1"),
    )
    # then both are argon2id with 64 MiB, 3 passes, 4 lanes (RFC 9106 low-memory profile)
    assert without.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert with_variable.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_the_suite_hashes_cheaply_and_still_verifies_real_hashes():
    # given the suite (tests/__init__.py sets the variable); then hashes are cheap
    assert passwords.FAST_FOR_TESTS
    assert passwords.hash_password("Correct-Horse-9").startswith("$argon2id$v=19$m=8,t=1,p=1$")
    # and a hash made with the real parameters still verifies (the parameters travel in the hash)
    real = _hash_in_fresh_interpreter().strip()
    assert passwords.verify_password(real, "Correct-Horse-9") and not passwords.verify_password(real, "wrong")
