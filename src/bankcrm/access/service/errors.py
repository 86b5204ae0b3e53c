"""Errors specific to signing in."""

from __future__ import annotations

from bankcrm.errors import DomainError
from bankcrm.kit.i18n import N_


class LoginFailed(DomainError):
    """Any refused sign-in: never says whether the name, the password or a lock was the reason."""

    status = 401
    code = "login_failed"
    default_message = N_(
        "Wrong user name or password. After %(max)s failed attempts an account is locked for %(minutes)s minutes."
    )
