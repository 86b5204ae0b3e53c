"""Who is acting: user, roles, unit, permissions, data scope; resolved once per request."""

from __future__ import annotations

from dataclasses import dataclass, field

SCOPE_RANK = {"own": 0, "unit": 1, "all": 2}


@dataclass(frozen=True)
class Principal:
    """The acting user as the rest of the code sees them."""

    user_id: int | None
    username: str
    display_name: str
    unit_id: int
    unit_path: str
    roles: tuple[str, ...]
    permissions: frozenset[str]
    data_scope: str
    ip: str | None = None
    session_id: str | None = None
    csrf_token: str | None = field(default=None, repr=False)
    is_system: bool = False

    def can(self, permission: str) -> bool:
        """Whether any of the user's roles grants the permission (the system may do anything)."""
        return self.is_system or permission in self.permissions


@dataclass(frozen=True)
class Actor:
    """Who to name in the audit log when there may be no signed-in principal (login, CLI)."""

    user_id: int | None
    username: str | None
    ip: str | None = None

    @classmethod
    def of(cls, principal: Principal) -> Actor:
        """The audit actor for a principal."""
        return cls(principal.user_id, principal.username, principal.ip)


SYSTEM = Actor(None, "system")
# Acts for the CLI and batch jobs: sees everything, named "system" in the audit log.
SYSTEM_PRINCIPAL = Principal(None, "system", "System", 0, "/", (), frozenset(), "all", is_system=True)


def widest_scope(scopes: list[str]) -> str:
    """A user with several roles sees the union: the widest of their scopes."""
    return max(scopes, key=SCOPE_RANK.__getitem__) if scopes else "own"
