"""Roles and the permissions they grant."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bankcrm.access import repository
from bankcrm.access.principal import Actor, Principal
from bankcrm.access.schemas import RoleRead
from bankcrm.audit import service as audit_service
from bankcrm.errors import Conflict, FieldError, NotFound, ValidationFailed
from bankcrm.kit.i18n import N_
from bankcrm.models.access import Permission, Role

# Without these the administrator could lock every administrator out of user management.
ADMIN_KEEPS = frozenset({"role.manage", "user.manage"})


def to_read(role: Role) -> RoleRead:
    """The API view of a role."""
    return RoleRead(
        code=role.code,
        label_en=role.label_en,
        label_zh=role.label_zh,
        data_scope=role.data_scope,
        permissions=sorted(p.code for p in role.permissions),
    )


def list_roles(db: Session) -> list[Role]:
    """All roles in display order."""
    return repository.roles(db)


def list_permissions(db: Session) -> list[Permission]:
    """All permissions."""
    return repository.permissions(db)


def get_role(db: Session, code: str) -> Role:
    """One role, or 404."""
    role = repository.role_by_code(db, code)
    if role is None:
        raise NotFound(N_("Role not found."))
    return role


def set_permissions(db: Session, principal: Principal, code: str, permission_codes: list[str]) -> Role:
    """Replace the permissions a role grants."""
    role = get_role(db, code)
    known = {p.code: p for p in repository.permissions(db)}
    wanted = list(dict.fromkeys(permission_codes))
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise ValidationFailed(
            errors=[FieldError("permissions", N_("Unknown permission: %(codes)s."), {"codes": ", ".join(unknown)})]
        )
    if role.code == "admin" and not set(wanted) >= ADMIN_KEEPS:
        raise Conflict(
            errors=[FieldError("permissions", N_("The administrator role must keep user.manage and role.manage."))]
        )
    before = sorted(p.code for p in role.permissions)
    role.permissions = [known[c] for c in wanted]
    db.flush()
    after = sorted(wanted)
    if before != after:
        audit_service.record(
            db,
            Actor.of(principal),
            "role.set_permissions",
            entity_type="role",
            entity_id=role.code,
            changes={"permissions": [before, after]},
        )
    return role
