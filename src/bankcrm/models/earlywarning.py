"""Early warnings (预警): a customer at risk of leaving, raised from event signals or a churn model, worked by the
account manager to an outcome, escalated to the branch manager when not acted on in time; the timeline of every step.

Statuses, severities, action types, outcomes and lost reasons are code tables (reference_data warning_status,
warning_severity, warning_action, warning_outcome, lost_reason); signals and settings are catalogues
(reference_data/catalogue/warning_signal.csv, warning_setting.csv). Written by the earlywarning module only.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bankcrm.kit.time import utcnow
from bankcrm.models.base import Base


class EarlyWarning(Base):
    """One warning for one customer: why (reasons with figures), how serious, who works it, how it ended."""

    __tablename__ = "early_warning"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    source: Mapped[str] = mapped_column(String(10))  # SIGNAL | MODEL
    model_id: Mapped[str | None] = mapped_column(String(40))  # the churn model that raised it
    month: Mapped[date]  # the snapshot month the signals or the model read
    raised_on: Mapped[date]  # the bank's day
    score: Mapped[int | None]  # sum of the fired signals' weights (None: raised by a model alone)
    probability: Mapped[float | None] = mapped_column(Float)  # the model's (None: signals alone)
    severity: Mapped[str] = mapped_column(String(8))  # code_item warning_severity
    reasons: Mapped[str] = mapped_column(Text)  # JSON list: {"signal": code, "figures": {...}} or {"text": words}
    leading_factor: Mapped[str] = mapped_column(String(30))  # the heaviest signal fired (MODEL for a model's)
    status: Mapped[str] = mapped_column(String(12))  # code_item warning_status
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))  # the primary account manager
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))  # the customer's home unit when raised
    tier: Mapped[str] = mapped_column(String(12))
    aum: Mapped[int] = mapped_column(BigInteger)  # fen, month-end AUM of the month read
    value_before: Mapped[int] = mapped_column(BigInteger)  # fen, the highest month-end AUM of the 6 months read
    due_on: Mapped[date]  # acted on by then (working days), else it escalates
    acted_at: Mapped[datetime | None]  # the first action recorded
    escalated_to_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    escalated_on: Mapped[date | None]
    outcome: Mapped[str | None] = mapped_column(String(20))  # code_item warning_outcome
    retained_amount: Mapped[int | None] = mapped_column(BigInteger)  # fen, PARTLY_RETAINED
    lost_reason: Mapped[str | None] = mapped_column(String(20))  # code_item lost_reason
    lost_to_bank: Mapped[str | None] = mapped_column(String(200))
    outcome_note: Mapped[str | None] = mapped_column(Text)
    closed_on: Mapped[date | None]
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    winback_plan: Mapped[str | None] = mapped_column(Text)  # for a LOST (or partly retained) customer
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_early_warning_customer_status", "customer_id", "status"),
        Index("ix_early_warning_assignee_status", "assignee_id", "status"),
        Index("ix_early_warning_escalated_to", "escalated_to_id"),
        Index("ix_early_warning_raised_on", "raised_on"),
    )


class EarlyWarningEvent(Base):
    """One step on a warning's timeline: raised, an action, escalated, a participant added, the outcome."""

    __tablename__ = "early_warning_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    warning_id: Mapped[int] = mapped_column(ForeignKey("early_warning.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))  # None: the nightly batch
    actor_name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))  # RAISED | ACTION | ESCALATED | PARTICIPANT | OUTCOME | PLAN
    action: Mapped[str | None] = mapped_column(String(20))  # code_item warning_action
    contact_on: Mapped[date | None]  # the day of the contact, for an action
    note: Mapped[str | None] = mapped_column(Text)


class EarlyWarningParticipant(Base):
    """Staff the branch manager brought in (product, risk, operations): they see and work the warning."""

    __tablename__ = "early_warning_participant"

    warning_id: Mapped[int] = mapped_column(ForeignKey("early_warning.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True, index=True)
    added_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
