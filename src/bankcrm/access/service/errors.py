"""Errors specific to signing in."""

from __future__ import annotations

from bankcrm.errors import DomainError
from bankcrm.kit.i18n import N_


class LoginFailed(DomainError):
    """Wrong user name or password (never says which)."""

    status = 401
    code = "login_failed"
    default_message = N_("Wrong user name or password.")


class AccountLocked(DomainError):
    """Too many failed attempts; the account is locked for a while."""

    status = 401
    code = "account_locked"
    default_message = N_("This account is locked after too many failed sign-ins. Try again in %(minutes)s minutes.")
