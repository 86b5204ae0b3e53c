"""Domain errors carrying an HTTP status, a translatable message and the field at fault."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from bankcrm.kit.i18n import N_


@dataclass
class FieldError:
    """One problem with one input field; ``message`` is a msgid formatted with ``params``."""

    field: str
    message: str
    params: dict[str, Any] = dataclass_field(default_factory=dict)


class DomainError(Exception):
    """Base of all errors a user may see; rendered as problem+json or an HTML alert."""

    status = 400
    code = "bad_request"
    default_message = N_("The request could not be processed.")

    def __init__(
        self,
        message: str | None = None,
        *,
        params: dict[str, Any] | None = None,
        errors: list[FieldError] | None = None,
        audit: dict[str, Any] | None = None,
        keep_changes: bool = False,
    ) -> None:
        self.message = message or self.default_message
        self.params = params or {}
        self.errors = errors or []
        # When set, the request boundary records this audit event after rolling back.
        self.audit = audit
        # When True, the boundary commits what was flushed before the error (failed sign-in counters).
        self.keep_changes = keep_changes
        super().__init__(self.message % self.params if self.params else self.message)


class ValidationFailed(DomainError):
    """Input broke a rule; ``errors`` names each field."""

    status = 422
    code = "validation_failed"
    default_message = N_("Some fields are not valid.")


class NotFound(DomainError):
    """The thing does not exist, or is outside the caller's data scope (never tell which)."""

    status = 404
    code = "not_found"
    default_message = N_("Not found.")


class Forbidden(DomainError):
    """The caller lacks the permission for this action."""

    status = 403
    code = "forbidden"
    default_message = N_("You do not have permission to do this.")


class Conflict(DomainError):
    """The change clashes with the current state (duplicate code, stale data)."""

    status = 409
    code = "conflict"
    default_message = N_("This conflicts with existing data.")


class AuthenticationRequired(DomainError):
    """No valid session or token."""

    status = 401
    code = "authentication_required"
    default_message = N_("Please sign in.")


class DatabaseUnavailable(DomainError):
    """The database could not be reached or dropped the connection (restart, failover); the next try may work."""

    status = 503
    code = "database_unavailable"
    default_message = N_("The database is unavailable; try again shortly.")
