"""Errors specific to the customer information file."""

from __future__ import annotations

from typing import Any

from bankcrm.errors import Conflict, FieldError
from bankcrm.kit.i18n import N_
from bankcrm.models.customer import Customer


class DuplicateCustomer(Conflict):
    """The same ID document or credit code is already on file (or waiting for approval)."""

    code = "duplicate_customer"

    def __init__(self, message: str, field: str, **params: Any) -> None:
        super().__init__(message, params=params, errors=[FieldError(field, message, params)])


class PossibleDuplicates(Conflict):
    """Customers with the same name and birth date, or the same phone; the maker must acknowledge them."""

    code = "possible_duplicates"
    default_message = N_(
        "Possible duplicates: %(listed)s (and %(hidden)s outside your view). "
        "Check them, then confirm that this is a different person to submit."
    )

    def __init__(self, *, params: dict[str, Any], candidates: list[Customer]) -> None:
        super().__init__(params=params, errors=[FieldError("acknowledge_duplicates", self.default_message, params)])
        self.candidates = candidates


class PendingChange(Conflict):
    """A field already has a change waiting for approval."""

    code = "pending_change"
    default_message = N_("A change to %(fields)s is already waiting for approval.")
