"""Account managers of customers: dated assignments (primary and co-managers with shares) and change requests.

An assignment holds from ``valid_from`` (inclusive) up to ``valid_to`` (exclusive, None: open); a change
ends rows and opens new ones on the same day, so at any date a customer's rows holding on that date are its
managers. Rows are never deleted: ended rows are the history. ``customer.account_manager_id`` stays the
denormalised current primary (the data scope and search use it) and is set in the same transaction.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bankcrm.kit.time import utcnow
from bankcrm.models.base import Base
from bankcrm.models.org import OrgUnit


class AssignmentRequestStatus(StrEnum):
    """The states of the ``assignment_request`` workflow (workflow_state.csv; a test keeps them equal)."""

    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


# The database check names the same states (same SQL as revision 0008's, so no migration).
_STATUS_CHECK = "status IN (" + ", ".join(f"'{s.value}'" for s in AssignmentRequestStatus) + ")"


class AssignmentRequest(Base):
    """A maker's request to change the managers of one or many customers, applied only when a checker approves."""

    __tablename__ = "assignment_request"
    __table_args__ = (
        CheckConstraint("kind IN ('transfer', 'change')", name="kind"),
        CheckConstraint(_STATUS_CHECK, name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # transfer (manager X → Y, many customers) | change (one customer)
    status: Mapped[str] = mapped_column(String(10), index=True)  # workflow assignment_request
    reason: Mapped[str] = mapped_column(String(500))  # the maker's
    from_manager_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))  # transfer only
    to_manager_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))  # transfer only
    # The smallest unit covering every customer and every manager named: its checkers decide.
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    customer_count: Mapped[int]
    maker_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    maker_name: Mapped[str] = mapped_column(String(120))
    checker_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    checker_name: Mapped[str | None] = mapped_column(String(120))
    decision_reason: Mapped[str | None] = mapped_column(String(500))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]

    unit: Mapped[OrgUnit] = relationship(lazy="joined")
    items: Mapped[list[AssignmentRequestItem]] = relationship(
        back_populates="request", lazy="selectin", order_by="AssignmentRequestItem.id"
    )


class AssignmentRequestItem(Base):
    """One customer of a request: its managers when submitted and the managers asked for (JSON lists)."""

    __tablename__ = "assignment_request_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("assignment_request.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    # [{"manager_id": 3, "role": "primary", "share_bp": 7000}, ...], primary first, then by manager id.
    before: Mapped[str] = mapped_column(Text)
    after: Mapped[str] = mapped_column(Text)

    request: Mapped[AssignmentRequest] = relationship(back_populates="items")


class ManagerAssignment(Base):
    """One manager of one customer over a period: primary or co-manager, with a performance share (C1)."""

    __tablename__ = "manager_assignment"
    __table_args__ = (
        CheckConstraint("role IN ('primary', 'co')", name="role"),
        CheckConstraint("share_bp BETWEEN 0 AND 10000", name="share_bp"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    manager_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    role: Mapped[str] = mapped_column(String(10))
    share_bp: Mapped[int]  # basis points of a percent: 7000 = 70 %
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]  # exclusive; None: open
    request_id: Mapped[int | None] = mapped_column(ForeignKey("assignment_request.id"), index=True)
    ended_request_id: Mapped[int | None] = mapped_column(ForeignKey("assignment_request.id"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
