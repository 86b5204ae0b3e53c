"""Customers' names as a reader may see them: in full for the roles that serve customers, masked for the others."""

from __future__ import annotations

from bankcrm.access.principal import Principal
from bankcrm.customers.service.records import masked
from bankcrm.models.customer import Customer

# Data, per role: the registry grants it to the serving roles on install; a bank may grant or revoke it.
NAME_PERMISSION = "customer.name.read"


def sees_names(principal: Principal) -> bool:
    """Whether the reader sees individual customers' names in full (inside their scope)."""
    return principal.can(NAME_PERMISSION)


def display_name(principal: Principal, customer: Customer) -> str:
    """The customer's name for this reader: in full with the permission, else masked (a corporate's always in full)."""
    if sees_names(principal):
        return customer.name
    return masked(customer.kind, "name", customer.name) or ""


def display_name_en(principal: Principal, customer: Customer) -> str | None:
    """The customer's English name, shown by the same rule as the name."""
    if sees_names(principal):
        return customer.name_en or None
    return masked(customer.kind, "name_en", customer.name_en)
