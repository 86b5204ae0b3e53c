"""Corporate groups (集团客户) and guarantee circles (担保圈), derived from customer links by the nightly batch.

A group is proposed by the derivation and becomes current only when a risk manager accepts it;
a circle is a fact of the links and is current until a derivation no longer finds it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bankcrm.kit.time import utcnow
from bankcrm.models.base import Base


class GroupStatus(StrEnum):
    """The states of the ``corporate_group`` workflow (workflow_state.csv; a test keeps them equal)."""

    PROPOSED = "PROPOSED"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    SUPERSEDED = "SUPERSEDED"
    OUTDATED = "OUTDATED"


class CorporateGroup(Base):
    """One derived corporate group: PROPOSED, then ACCEPTED or REJECTED; SUPERSEDED or OUTDATED later."""

    __tablename__ = "corporate_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    core_customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), index=True)  # workflow corporate_group
    fingerprint: Mapped[str] = mapped_column(String(64))  # sha256 of the sorted corporate member ids
    shape: Mapped[str] = mapped_column(String(64))  # sha256 of every node's role, depth and path
    member_count: Mapped[int]  # corporate members
    controller_count: Mapped[int]  # individuals controlling members
    loan_balance: Mapped[int] = mapped_column(BigInteger)  # fen, members' loans outstanding
    guarantees_given: Mapped[int] = mapped_column(BigInteger)  # fen, members' active guarantees
    deposit_balance: Mapped[int] = mapped_column(BigInteger)  # fen
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("corporate_group.id"))
    triggered_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))  # None: the nightly batch
    derived_at: Mapped[datetime] = mapped_column(default=utcnow)  # first derived
    refreshed_at: Mapped[datetime] = mapped_column(default=utcnow)  # when its totals or paths last changed
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)  # required when rejecting
    ended_at: Mapped[datetime | None]  # superseded or outdated

    __table_args__ = (Index("ix_corporate_group_core_status", "core_customer_id", "status"),)


class CorporateGroupMember(Base):
    """A customer of a group: a corporate MEMBER or an individual CONTROLLER, with its path to the core."""

    __tablename__ = "corporate_group_member"

    group_id: Mapped[int] = mapped_column(ForeignKey("corporate_group.id"), primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(12))  # CORE | MEMBER | CONTROLLER
    depth: Mapped[int]  # links between this customer and the core (0 for the core)
    # The previous customer on the shortest path from the core and the link that joins them:
    # following parents back to the core gives the whole chain.
    parent_customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"))
    via_link_type: Mapped[str | None] = mapped_column(String(40))
    via_forward: Mapped[bool | None]  # True: control runs from the parent to this customer


class GuaranteeCircle(Base):
    """Customers guaranteeing each other round a cycle (a strongly connected set of GUARANTOR_FOR links)."""

    __tablename__ = "guarantee_circle"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(12), index=True)  # CURRENT | ENDED
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)  # sha256 of the sorted member ids
    member_count: Mapped[int]
    total_amount: Mapped[int] = mapped_column(BigInteger)  # fen guaranteed by links inside the circle
    derived_at: Mapped[datetime] = mapped_column(default=utcnow)
    refreshed_at: Mapped[datetime] = mapped_column(default=utcnow)  # when its amount last changed
    ended_at: Mapped[datetime | None]


class GuaranteeCircleMember(Base):
    """One customer of a guarantee circle."""

    __tablename__ = "guarantee_circle_member"

    circle_id: Mapped[int] = mapped_column(ForeignKey("guarantee_circle.id"), primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), primary_key=True, index=True)
