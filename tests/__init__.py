"""The bankcrm test suite.

Imported before any conftest and before bankcrm: cheap argon2 parameters for the suite's thousands of
sign-ins (tests/kit/test_passwords.py checks that the real ones are used without this variable).
"""

import os

os.environ["BANKCRM_TEST_FAST_PASSWORD_HASH"] = "1"
