"""Sales: opportunities with their stage history, activities and visit plans, targets, personal calendar feeds.

Stages (with default probabilities) and target kinds are catalogues (reference_data/catalogue/opportunity_stage.csv,
target_kind.csv); loss reasons, competitors, activity kinds, statuses and outcomes are code tables. Money in fen.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bankcrm.kit.time import utcnow
from bankcrm.models.base import Base


class Opportunity(Base):
    """A chance to sell one product to one customer: its amount, stage, owner and, once closed, the outcome."""

    __tablename__ = "opportunity"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    product_code: Mapped[str] = mapped_column(ForeignKey("product.code"))
    amount: Mapped[int] = mapped_column(BigInteger)  # fen, CNY
    stage: Mapped[str] = mapped_column(String(12))  # opportunity_stage.csv
    probability_pct: Mapped[int] = mapped_column(SmallInteger)  # the stage's default unless the owner set one
    expected_close: Mapped[date]
    owner_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))  # the customer's home unit when opened
    lead_id: Mapped[int | None]  # the leads module's lead it came from (no FK: another module owns it)
    note: Mapped[str | None] = mapped_column(Text)
    lost_reason: Mapped[str | None] = mapped_column(String(20))  # code_item opportunity_loss_reason
    competitor: Mapped[str | None] = mapped_column(String(20))  # code_item competitor
    won_amount: Mapped[int | None] = mapped_column(BigInteger)
    closed_on: Mapped[date | None]
    proposed_amount: Mapped[int | None] = mapped_column(BigInteger)  # what the holdings show, for the owner to confirm
    proposed_on: Mapped[date | None]  # the business date the product appeared in the holdings
    stage_since: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_opportunity_owner_stage", "owner_id", "stage", "expected_close"),
        Index("ix_opportunity_unit_stage", "unit_id", "stage", "expected_close"),
        Index("ix_opportunity_customer_product", "customer_id", "product_code"),
        Index("ix_opportunity_stage_close", "stage", "expected_close"),
        Index("ix_opportunity_close", "expected_close", "id"),  # the list's default order, walked under a filter
    )


class OpportunityStageTotal(Base):
    """Running totals of the opportunities of one unit, owner and stage (money in fen, CNY: the only currency of an
    opportunity), kept in the same transaction as every write so the board adds up a few hundred rows, not a
    branch's hundreds of thousands."""

    __tablename__ = "opportunity_stage_total"

    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    stage: Mapped[str] = mapped_column(String(12), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0)
    amount: Mapped[int] = mapped_column(BigInteger, default=0)
    weighted100: Mapped[int] = mapped_column(BigInteger, default=0)  # sum of amount × probability_pct

    __table_args__ = (Index("ix_opportunity_stage_total_owner", "owner_id", "stage"),)


class OpportunityStageHistory(Base):
    """One move of an opportunity from a stage to another (None: opened), by whom, when."""

    __tablename__ = "opportunity_stage_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunity.id"), index=True)
    from_stage: Mapped[str | None] = mapped_column(String(12))
    to_stage: Mapped[str] = mapped_column(String(12))
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str | None] = mapped_column(String(500))


class Activity(Base):
    """A call, visit, meeting or WeChat message with a customer, planned or done, optionally about a lead,
    an opportunity, a task or a warning (lead and warning ids without FK: other modules own them)."""

    __tablename__ = "activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # code_item activity_kind
    status: Mapped[str] = mapped_column(String(12))  # code_item activity_status
    starts_at: Mapped[datetime]
    duration_min: Mapped[int] = mapped_column(SmallInteger)
    participants: Mapped[str | None] = mapped_column(String(500))
    outcome: Mapped[str | None] = mapped_column(String(12))  # code_item activity_outcome
    notes: Mapped[str | None] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    lead_id: Mapped[int | None]
    opportunity_id: Mapped[int | None] = mapped_column(ForeignKey("opportunity.id"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id"))
    warning_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_activity_owner_starts", "owner_id", "starts_at"),
        Index("ix_activity_unit_starts", "unit_id", "starts_at"),
    )


class SalesTarget(Base):
    """A target of one kind for one period (YYYY-MM or YYYY-Qn) for a manager in a unit, or the unit itself."""

    __tablename__ = "sales_target"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # target_kind.csv
    period: Mapped[str] = mapped_column(String(7))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)  # None: the unit's target
    value: Mapped[int] = mapped_column(BigInteger)  # fen for money kinds, a count otherwise
    set_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("kind", "period", "unit_id", "manager_id"),)


class CalendarFeed(Base):
    """A user's personal ICS feed: the SHA-256 of its secret token (the URL is shown once), revocable."""

    __tablename__ = "calendar_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
