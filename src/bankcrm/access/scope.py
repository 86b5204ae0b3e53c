"""The one function that turns a principal's data scope into a SQL filter."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, true

from bankcrm.access.principal import Principal


def scope_filter(
    principal: Principal,
    *,
    unit_path: Any,
    owner_id: Any | None = None,
) -> ColumnElement[bool]:
    """Rows the principal may read.

    ``unit_path`` is the org path of the unit the row belongs to; ``owner_id`` the user that
    owns it (a customer's account manager, or the user row itself). ``own`` scope without an
    owner column falls back to the principal's own unit.
    """
    if principal.data_scope == "all":
        return true()
    if principal.data_scope == "unit":
        return unit_path.startswith(principal.unit_path, autoescape=True)  # type: ignore[no-any-return]
    if owner_id is not None:
        return owner_id == principal.user_id  # type: ignore[no-any-return]
    if principal.data_scope == "own":
        return unit_path == principal.unit_path  # type: ignore[no-any-return]
    return false()
