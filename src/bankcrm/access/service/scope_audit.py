"""The audit record for a read of something outside the caller's data scope."""

from __future__ import annotations

from typing import Any

from bankcrm.access.principal import Actor, Principal


def out_of_scope(principal: Principal, entity_type: str, entity_id: object, exists: bool) -> dict[str, Any] | None:
    """Audit payload when the thing exists but lies outside scope; the caller still only sees 404."""
    if not exists:
        return None
    return {
        "actor": Actor.of(principal),
        "action": "authz.out_of_scope",
        "outcome": "denied",
        "entity_type": entity_type,
        "entity_id": entity_id,
    }


def denied(principal: Principal, what: str, permission: str) -> dict[str, Any]:
    """Audit payload for an action refused for want of a permission."""
    return {
        "actor": Actor.of(principal),
        "action": "authz.denied",
        "outcome": "denied",
        "detail": f"{what} needs {permission}",
    }
