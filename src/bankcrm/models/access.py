"""Users, roles, permissions, sessions and API tokens.

PII classification: username and display name are C1 (internal); password hashes are
derived from C3 authentication data, which itself is never stored.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bankcrm.kit.i18n import label
from bankcrm.kit.time import utcnow
from bankcrm.models.base import Base
from bankcrm.models.org import OrgUnit

DATA_SCOPES = ("own", "unit", "all")

role_permission = Table(
    "role_permission",
    Base.metadata,
    Column("role_id", ForeignKey("role.id", ondelete="CASCADE"), primary_key=True),
    Column("permission_code", ForeignKey("permission.code"), primary_key=True),
)

user_role = Table(
    "user_role",
    Base.metadata,
    Column("user_id", ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True),
    Column("role_id", ForeignKey("role.id"), primary_key=True),
)


class Permission(Base):
    """A named right (``user.manage``); granted to roles."""

    __tablename__ = "permission"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    label_en: Mapped[str] = mapped_column(String(120))
    label_zh: Mapped[str] = mapped_column(String(120))


class Role(Base):
    """A job role with permissions and a data scope (own portfolio, unit subtree, all)."""

    __tablename__ = "role"
    __table_args__ = (CheckConstraint("data_scope IN ('own', 'unit', 'all')", name="data_scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    label_en: Mapped[str] = mapped_column(String(80))
    label_zh: Mapped[str] = mapped_column(String(80))
    data_scope: Mapped[str] = mapped_column(String(10))
    sort_order: Mapped[int] = mapped_column(default=0)

    permissions: Mapped[list[Permission]] = relationship(secondary=role_permission, lazy="selectin")

    def label(self, locale: str) -> str:
        """The role's name in the reader's language."""
        return label(self, locale)


class User(Base):
    """A member of staff who signs in; belongs to exactly one org unit."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    password_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")
    roles: Mapped[list[Role]] = relationship(secondary=user_role, lazy="selectin", order_by=Role.sort_order)


class UserSession(Base):
    """A server-side browser session; the cookie holds a token whose digest is the id."""

    __tablename__ = "user_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(20))
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(255))


class ApiToken(Base):
    """A bearer token for system clients; stored as a digest, expiring."""

    __tablename__ = "api_token"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    ip: Mapped[str | None] = mapped_column(String(64))
