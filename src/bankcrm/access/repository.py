"""Queries for org units, users, roles, sessions and tokens; reads are scoped."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Select, case, func, or_, select, update
from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.access.scope import scope_filter
from bankcrm.db import ordered
from bankcrm.kit.listing import SortSpec
from bankcrm.kit.pagination import Page, PageRequest
from bankcrm.kit.time import utcnow
from bankcrm.models.access import ApiToken, Permission, Role, User, UserSession
from bankcrm.models.org import OrgUnit, OrgUnitKind


def unit_kinds(db: Session) -> list[OrgUnitKind]:
    """All unit kinds, head office first."""
    return list(db.scalars(select(OrgUnitKind).order_by(OrgUnitKind.level)))


def unit(db: Session, principal: Principal, unit_id: int) -> OrgUnit | None:
    """A unit the principal may see."""
    return db.scalar(select(OrgUnit).where(OrgUnit.id == unit_id, scope_filter(principal, unit_path=OrgUnit.path)))


def unit_by_id(db: Session, unit_id: int) -> OrgUnit | None:
    """A unit regardless of scope (for writes that check scope themselves)."""
    return db.get(OrgUnit, unit_id)


def root_unit(db: Session) -> OrgUnit | None:
    """The head office (the unit without a parent)."""
    return db.scalars(select(OrgUnit).where(OrgUnit.parent_id.is_(None)).order_by(OrgUnit.id)).first()


def unit_by_code(db: Session, code: str) -> OrgUnit | None:
    """A unit by its code, regardless of scope."""
    return db.scalar(select(OrgUnit).where(OrgUnit.code == code))


# The org unit list's sort keys (access.schemas.ORG_UNIT_LIST).
UNIT_SORTS = {
    "code": OrgUnit.code,
    "kind": OrgUnit.kind_code,
    "active": OrgUnit.active,
    "path": OrgUnit.path,
    "name_en": OrgUnit.name_en,
    "name_zh": OrgUnit.name_zh,
}


def units(db: Session, principal: Principal, q: str | None = None, sort: SortSpec | None = None) -> list[OrgUnit]:
    """Units in scope, in ``sort`` order (default tree order)."""
    stmt = select(OrgUnit).where(scope_filter(principal, unit_path=OrgUnit.path))
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(OrgUnit.code.ilike(like), OrgUnit.name_en.ilike(like), OrgUnit.name_zh.like(like)))
    return list(db.scalars(ordered(stmt, sort, UNIT_SORTS) if sort else stmt.order_by(OrgUnit.path)))


def active_members(db: Session, unit_id: int) -> tuple[int, int]:
    """Active users in a unit and active units directly below it."""
    users_n = db.scalar(select(func.count()).select_from(User).where(User.org_unit_id == unit_id, User.active))
    units_n = db.scalar(select(func.count()).select_from(OrgUnit).where(OrgUnit.parent_id == unit_id, OrgUnit.active))
    return users_n or 0, units_n or 0


def count_units(db: Session, principal: Principal) -> int:
    """Active units in scope."""
    return (
        db.scalar(
            select(func.count())
            .select_from(OrgUnit)
            .where(OrgUnit.active, scope_filter(principal, unit_path=OrgUnit.path))
        )
        or 0
    )


# The user list's sort keys (access.schemas.USER_LIST) as columns of ``_users_in_scope``.
USER_SORTS = {
    "username": User.username,
    "display_name": User.display_name,
    "org_unit": OrgUnit.code,
    "active": User.active,
    "last_login_at": User.last_login_at,
}


def _users_in_scope(principal: Principal) -> Select[User]:
    return (
        select(User)
        .join(OrgUnit, User.org_unit_id == OrgUnit.id)
        .where(scope_filter(principal, unit_path=OrgUnit.path, owner_id=User.id))
    )


def user(db: Session, principal: Principal, user_id: int) -> User | None:
    """A user the principal may see."""
    return db.scalar(_users_in_scope(principal).where(User.id == user_id))


def user_by_id(db: Session, user_id: int) -> User | None:
    """A user regardless of scope (sessions, tokens)."""
    return db.get(User, user_id)


def display_names(db: Session, user_ids: set[int]) -> dict[int, str]:
    """Display names by user id, regardless of scope, in one query (no roles or unit loaded)."""
    if not user_ids:
        return {}
    rows = db.execute(select(User.id, User.display_name).where(User.id.in_(sorted(user_ids))))
    return {uid: name for uid, name in rows}


def user_by_username(db: Session, username: str) -> User | None:
    """A user by name regardless of scope (sign-in)."""
    return db.scalar(select(User).where(User.username == username))


def _not_locked(now: datetime) -> ColumnElement[bool]:
    return or_(User.locked_until.is_(None), User.locked_until <= now)


def count_failed_login(db: Session, user_id: int, max_failures: int, now: datetime, lock_until: datetime) -> str:
    """Count one failed sign-in in one statement: "counted", "locked" (this one locked it) or "already_locked".

    One UPDATE, so parallel failures never overwrite each other's count: PostgreSQL re-checks the
    WHERE on the row a concurrent failure just wrote, SQLite writers are serialised.
    """
    reaches = User.failed_logins + 1 >= max_failures
    row = db.execute(
        update(User)
        .where(User.id == user_id, _not_locked(now))
        .values(
            failed_logins=case((reaches, 0), else_=User.failed_logins + 1),
            locked_until=case((reaches, lock_until), else_=User.locked_until),
        )
        .returning(User.locked_until)
        .execution_options(synchronize_session=False)
    ).first()
    if row is None:
        return "already_locked"
    return "locked" if row.locked_until is not None else "counted"


def clear_failed_logins(db: Session, user_id: int, now: datetime) -> bool:
    """Record a successful sign-in unless a concurrent failure locked the account first; False then."""
    row = db.execute(
        update(User)
        .where(User.id == user_id, _not_locked(now))
        .values(failed_logins=0, locked_until=None, last_login_at=now)
        .returning(User.id)
        .execution_options(synchronize_session=False)
    ).first()
    return row is not None


def users(
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
    """Users in scope, filtered, in ``sort`` order (default by user name)."""
    stmt = _users_in_scope(principal)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(User.username.ilike(like), User.display_name.ilike(like)))
    if unit_id is not None:
        stmt = stmt.where(User.org_unit_id == unit_id)
    if role:
        stmt = stmt.where(User.roles.any(Role.code == role))
    if active is not None:
        stmt = stmt.where(User.active == active)
    total = db.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    stmt = ordered(stmt, sort, USER_SORTS) if sort else stmt.order_by(User.username)
    items = db.scalars(stmt.offset(page.offset).limit(page.size)).all()
    return Page(list(items), total, page.page, page.size)


def count_users(db: Session, principal: Principal, *, locked: bool = False) -> int:
    """Active users in scope (or only those locked out now)."""
    stmt = _users_in_scope(principal).where(User.active)
    if locked:
        stmt = stmt.where(User.locked_until > utcnow())
    return db.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def count_users_in_unit(db: Session, principal: Principal) -> int:
    """Active users in the principal's own unit (not its subtree)."""
    return (
        db.scalar(select(func.count()).select_from(User).where(User.org_unit_id == principal.unit_id, User.active)) or 0
    )


def roles(db: Session) -> list[Role]:
    """All roles in display order."""
    return list(db.scalars(select(Role).order_by(Role.sort_order)))


def role_by_code(db: Session, code: str) -> Role | None:
    """One role."""
    return db.scalar(select(Role).where(Role.code == code))


def permissions(db: Session) -> list[Permission]:
    """All permissions by code."""
    return list(db.scalars(select(Permission).order_by(Permission.code)))


def session_row(db: Session, session_id: str) -> UserSession | None:
    """A browser session by its id (the token digest)."""
    return db.get(UserSession, session_id)


def token_row(db: Session, token_id: str) -> ApiToken | None:
    """An API token by its id (the token digest)."""
    return db.get(ApiToken, token_id)


def end_user_sessions(db: Session, user_id: int, reason: str) -> int:
    """End every open session of a user; returns how many."""
    result = db.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def revoke_user_tokens(db: Session, user_id: int) -> int:
    """Revoke every live token of a user; returns how many."""
    result = db.execute(
        update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None)).values(revoked_at=utcnow())
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def open_sessions(db: Session, user_id: int) -> int:
    """Open sessions of a user."""
    return (
        db.scalar(
            select(func.count())
            .select_from(UserSession)
            .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        )
        or 0
    )


def users_with_role(db: Session, role_code: str) -> list[User]:
    """Users holding a role, by display name (pick lists)."""
    stmt = select(User).join(User.roles).where(Role.code == role_code).order_by(User.display_name)
    return list(db.scalars(stmt).unique())
