"""Households (家庭): individuals grouped from family links, with manual overrides that survive re-derivation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from bankcrm.kit.time import utcnow
from bankcrm.models.base import Base


class Household(Base):
    """One household; kept (same id) across derivations while its members stay mostly the same."""

    __tablename__ = "household"

    id: Mapped[int] = mapped_column(primary_key=True)
    head_customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    derived_at: Mapped[datetime] = mapped_column(default=utcnow)  # the last derivation that kept it
    dissolved_at: Mapped[datetime | None]  # None: the household exists


class HouseholdMember(Base):
    """A customer's household: at most one per customer."""

    __tablename__ = "household_member"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    manual: Mapped[bool] = mapped_column(default=False)  # placed by an ASSIGN override, not by family links


class HouseholdOverride(Base):
    """A manual edit that every derivation applies: EXCLUDE or ASSIGN a customer, or make one the HEAD."""

    __tablename__ = "household_override"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # EXCLUDE | ASSIGN | HEAD
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"), index=True)  # ASSIGN, HEAD
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
