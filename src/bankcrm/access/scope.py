"""The functions that turn a principal's data scope into a SQL filter."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, or_, select, true

from bankcrm.access.principal import Principal
from bankcrm.models.assignment import ManagerAssignment
from bankcrm.models.customer import Customer
from bankcrm.models.org import OrgUnit


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


def customer_scope(principal: Principal) -> ColumnElement[bool]:
    """Customers the principal may read, in a query joining OrgUnit on the customer's home unit.

    ``scope_filter`` on the customer's unit and primary manager; an account manager (``own`` scope)
    also reads the customers they co-manage, since a performance share comes with serving the
    customer. Only open assignment rows count (ended ones have ``valid_to``).
    """
    primary = scope_filter(principal, unit_path=OrgUnit.path, owner_id=Customer.account_manager_id)
    if principal.data_scope != "own" or principal.user_id is None:
        return primary
    co_managed = select(ManagerAssignment.customer_id).where(
        ManagerAssignment.manager_id == principal.user_id,
        ManagerAssignment.role == "co",
        ManagerAssignment.valid_to.is_(None),
    )
    return or_(primary, Customer.id.in_(co_managed))
