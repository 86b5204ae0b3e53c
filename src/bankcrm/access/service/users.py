"""Users: create, change, disable and enable, reset passwords, assign roles."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bankcrm.access import repository
from bankcrm.access.principal import Actor, Principal
from bankcrm.access.schemas import UserCreate, UserRead, UserUpdate
from bankcrm.access.service.scope_audit import out_of_scope
from bankcrm.audit import service as audit_service
from bankcrm.errors import Conflict, FieldError, NotFound, ValidationFailed
from bankcrm.kit.i18n import N_
from bankcrm.kit.listing import SortSpec
from bankcrm.kit.pagination import Page, PageRequest
from bankcrm.kit.passwords import hash_password, policy_problems
from bankcrm.kit.time import utcnow
from bankcrm.models.access import Role, User


def to_read(user: User) -> UserRead:
    """The API view of a user."""
    return UserRead(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        org_unit_id=user.org_unit_id,
        org_unit_code=user.org_unit.code,
        active=user.active,
        locked_until=user.locked_until,
        roles=[r.code for r in user.roles],
        last_login_at=user.last_login_at,
        created_at=user.created_at,
    )


def _snapshot(user: User) -> dict[str, object]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "org_unit_id": user.org_unit_id,
        "active": user.active,
        "roles": sorted(r.code for r in user.roles),
    }


def _roles(db: Session, codes: list[str]) -> list[Role]:
    found = [repository.role_by_code(db, c) for c in dict.fromkeys(codes)]
    unknown = [c for c, r in zip(dict.fromkeys(codes), found, strict=True) if r is None]
    if unknown:
        raise ValidationFailed(
            errors=[FieldError("roles", N_("Unknown role: %(roles)s."), {"roles": ", ".join(unknown)})]
        )
    return [r for r in found if r is not None]


def _check_password(password: str, username: str) -> None:
    problems = policy_problems(password, username)
    if problems:
        raise ValidationFailed(errors=[FieldError("password", p) for p in problems])


def list_users(
    db: Session,
    principal: Principal,
    page: PageRequest,
    *,
    q: str | None = None,
    unit_id: int | None = None,
    role: str | None = None,
    active: bool | None = None,
    sort: SortSpec | None = None,
) -> Page[User]:
    """Users in the principal's data scope, in ``sort`` order (default by user name)."""
    return repository.users(db, principal, page, q=q, unit_id=unit_id, role=role, active=active, sort=sort)


def count_active_users(db: Session, principal: Principal, *, locked: bool = False) -> int:
    """Active users in scope (or only those locked out now)."""
    return repository.count_users(db, principal, locked=locked)


def count_colleagues(db: Session, principal: Principal) -> int:
    """Other active users in the principal's own unit."""
    return max(0, repository.count_users_in_unit(db, principal) - 1)


def me(db: Session, principal: Principal) -> User:
    """The signed-in user's own record."""
    user = repository.user_by_id(db, principal.user_id) if principal.user_id is not None else None
    if user is None:
        raise NotFound(N_("User not found."))
    return user


def get_user(db: Session, principal: Principal, user_id: int) -> User:
    """One user in scope, or 404."""
    user = repository.user(db, principal, user_id)
    if user is None:
        raise NotFound(
            N_("User not found."),
            audit=out_of_scope(principal, "user", user_id, repository.user_by_id(db, user_id) is not None),
        )
    return user


def create_user(db: Session, principal: Principal, data: UserCreate, *, enforce_policy: bool = True) -> User:
    """Add a member of staff to a unit in scope; the password must meet the policy."""
    unit = repository.unit(db, principal, data.org_unit_id)
    if unit is None:
        raise ValidationFailed(errors=[FieldError("org_unit_id", N_("Unknown org unit."))])
    if repository.user_by_username(db, data.username) is not None:
        raise Conflict(
            errors=[FieldError("username", N_("User name %(username)s is taken."), {"username": data.username})]
        )
    roles = _roles(db, data.roles)
    if enforce_policy:
        _check_password(data.password, data.username)
    user = User(
        username=data.username,
        display_name=data.display_name,
        org_unit_id=unit.id,
        password_hash=hash_password(data.password),
        roles=roles,
    )
    db.add(user)
    db.flush()
    db.refresh(user, ["org_unit"])
    audit_service.record(
        db,
        Actor.of(principal),
        "user.create",
        entity_type="user",
        entity_id=user.id,
        changes=audit_service.diff({}, _snapshot(user)),
    )
    return user


def update_user(db: Session, principal: Principal, user_id: int, data: UserUpdate) -> User:
    """Change the display name or move the user to another unit in scope."""
    user = get_user(db, principal, user_id)
    before = _snapshot(user)
    if data.org_unit_id is not None and data.org_unit_id != user.org_unit_id:
        unit = repository.unit(db, principal, data.org_unit_id)
        if unit is None:
            raise ValidationFailed(errors=[FieldError("org_unit_id", N_("Unknown org unit."))])
        user.org_unit = unit
    if data.display_name is not None:
        user.display_name = data.display_name
    db.flush()
    changes = audit_service.diff(before, _snapshot(user))
    if changes:
        audit_service.record(
            db, Actor.of(principal), "user.update", entity_type="user", entity_id=user.id, changes=changes
        )
    return user


def disable_user(db: Session, principal: Principal, user_id: int) -> User:
    """Disable a user and end all their sessions and tokens at once."""
    user = get_user(db, principal, user_id)
    if user.id == principal.user_id:
        raise Conflict(N_("You cannot disable your own account."))
    if user.active:
        user.active = False
        sessions = repository.end_user_sessions(db, user.id, "user_disabled")
        tokens = repository.revoke_user_tokens(db, user.id)
        audit_service.record(
            db,
            Actor.of(principal),
            "user.disable",
            entity_type="user",
            entity_id=user.id,
            changes={"active": [True, False]},
            detail=f"ended {sessions} sessions, revoked {tokens} tokens",
        )
    return user


def enable_user(db: Session, principal: Principal, user_id: int) -> User:
    """Enable a disabled user and clear any lockout."""
    user = get_user(db, principal, user_id)
    if not user.active or user.locked_until is not None:
        changes: dict[str, list[object]] = {"active": [user.active, True]} if not user.active else {}
        if user.locked_until is not None:
            changes["locked_until"] = [user.locked_until.isoformat(), None]
        user.active, user.failed_logins, user.locked_until = True, 0, None
        audit_service.record(
            db, Actor.of(principal), "user.enable", entity_type="user", entity_id=user.id, changes=changes
        )
    return user


def reset_password(db: Session, principal: Principal, user_id: int, new_password: str) -> User:
    """Set a new password (policy applies), clear lockout, and end the user's sessions and tokens."""
    user = get_user(db, principal, user_id)
    _check_password(new_password, user.username)
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    user.failed_logins, user.locked_until = 0, None
    repository.end_user_sessions(db, user.id, "password_reset")
    repository.revoke_user_tokens(db, user.id)
    audit_service.record(db, Actor.of(principal), "user.reset_password", entity_type="user", entity_id=user.id)
    return user


def assign_roles(db: Session, principal: Principal, user_id: int, codes: list[str]) -> User:
    """Replace a user's roles; an administrator cannot take the admin role from themselves."""
    user = get_user(db, principal, user_id)
    roles = _roles(db, codes)
    if user.id == principal.user_id and "admin" in principal.roles and "admin" not in {r.code for r in roles}:
        raise Conflict(errors=[FieldError("roles", N_("You cannot remove the administrator role from yourself."))])
    before = _snapshot(user)
    user.roles = roles
    db.flush()
    changes = audit_service.diff(before, _snapshot(user))
    if changes:
        audit_service.record(
            db, Actor.of(principal), "user.assign_roles", entity_type="user", entity_id=user.id, changes=changes
        )
    return user


def is_active_user(db: Session, user_id: int) -> bool:
    """Whether the id names an active user (e.g. a customer's account manager)."""
    user = repository.user_by_id(db, user_id)
    return user is not None and user.active


def display_names(db: Session, user_ids: set[int]) -> dict[int, str]:
    """Display names for user ids (account managers shown beside customers)."""
    return repository.display_names(db, user_ids)


def account_managers(db: Session, principal: Principal) -> list[User]:
    """Active account managers in the principal's scope, for pick lists."""
    return [u for u in repository.users_with_role(db, "account_manager") if u.active and _sees(principal, u)]


def _sees(principal: Principal, user: User) -> bool:
    return principal.is_system or principal.data_scope == "all" or user.org_unit.path.startswith(principal.unit_path)
