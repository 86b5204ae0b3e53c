"""Leads and referrals: a lead for a customer (cross-sell) or a prospect, its assignments, round-robin rotas and
the referrers' points ledger.

Sources, interests and disqualification reasons are code tables (lead_source, lead_interest,
lead_disqualify_reason); statuses are the ``lead`` workflow (workflow_state.csv) with history in
``status_history``; the policy (acceptance hours, working day, points) is reference_data/catalogue/lead_policy.csv.
A prospect's phone and ID number are C2: encrypted (AES-GCM, bound to the row), blind-indexed and masked exactly
as the CIF's are.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bankcrm.kit.time import utcnow
from bankcrm.models.base import Base


class LeadStatus(StrEnum):
    """The states of the ``lead`` workflow (workflow_state.csv; a test keeps them equal)."""

    NEW = "NEW"
    ASSIGNED = "ASSIGNED"
    CONTACTED = "CONTACTED"
    QUALIFIED = "QUALIFIED"
    CONVERTED = "CONVERTED"
    DISQUALIFIED = "DISQUALIFIED"


OPEN_STATUSES = (LeadStatus.NEW, LeadStatus.ASSIGNED, LeadStatus.CONTACTED, LeadStatus.QUALIFIED)


class Lead(Base):
    """One lead: who (a customer or a prospect), what they are interested in, where it came from, who works it."""

    __tablename__ = "lead"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(20))  # code_item lead_source
    interest: Mapped[str] = mapped_column(String(20))  # code_item lead_interest
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), index=True)  # cross-sell
    prospect_name: Mapped[str | None] = mapped_column(String(100))
    phone_enc: Mapped[str | None] = mapped_column(Text)  # C2
    phone_index: Mapped[str | None] = mapped_column(String(64), index=True)
    phone_masked: Mapped[str | None] = mapped_column(String(30))
    id_type: Mapped[str | None] = mapped_column(String(10))
    id_no_enc: Mapped[str | None] = mapped_column(Text)  # C2
    id_no_index: Mapped[str | None] = mapped_column(String(64), index=True)
    id_no_masked: Mapped[str | None] = mapped_column(String(40))
    amount: Mapped[int | None] = mapped_column(BigInteger)  # estimated, fen (CNY)
    note: Mapped[str | None] = mapped_column(Text)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))  # the branch or outlet the lead belongs to
    status: Mapped[str] = mapped_column(String(20), default=LeadStatus.NEW.value)  # workflow lead
    reason: Mapped[str | None] = mapped_column(String(20))  # code_item lead_disqualify_reason
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    assigned_at: Mapped[datetime | None]
    assigned_by_rule: Mapped[str | None] = mapped_column(String(30))  # lead_policy rule code or MANUAL
    accept_due_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    referrer_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    external_system: Mapped[str | None] = mapped_column(String(20))  # a file's or API client's source system
    external_ref: Mapped[str | None] = mapped_column(String(60))
    batch_id: Mapped[int | None] = mapped_column(BigInteger)  # the ingest delivery that brought it
    change_request_id: Mapped[int | None] = mapped_column(ForeignKey("change_request.id"))  # a conversion's CIF create
    opportunity_id: Mapped[int | None] = mapped_column(BigInteger)  # sales.opportunity, set by the conversion hook
    converted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("external_system", "external_ref"),
        Index("ix_lead_unit_status", "unit_id", "status", "id"),
        Index("ix_lead_assignee_status", "assignee_id", "status", "id"),
        Index("ix_lead_accept_due", "status", "accept_due_at"),
        # the list reads each part of a scope newest first (leads.repository.page)
        Index("ix_lead_referrer_id", "referrer_id", "id"),
        Index("ix_lead_created_by", "created_by", "id"),
        Index("ix_lead_assignee_id", "assignee_id", "id"),
        Index("ix_lead_unit_id", "unit_id", "id"),
    )


class LeadAssignment(Base):
    """One spell of a lead with one manager: by which rule, and how it ended (accepted, expired, reassigned)."""

    __tablename__ = "lead_assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("lead.id"), index=True)
    assignee_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    rule: Mapped[str] = mapped_column(String(30))
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    assigned_by: Mapped[str] = mapped_column(String(60))  # a user name or "system"
    ended_at: Mapped[datetime | None]
    ended_how: Mapped[str | None] = mapped_column(String(20))  # ACCEPTED | EXPIRED | REASSIGNED | CLOSED


class LeadRota(Base):
    """A manager on a unit's round robin for an interest (None: any interest); the least given goes next, the
    earlier position first among equals."""

    __tablename__ = "lead_rota"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    interest: Mapped[str | None] = mapped_column(String(20))
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    given: Mapped[int] = mapped_column(BigInteger, default=0)  # leads given so far: the round robin's turn
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")  # who goes first on a tie

    __table_args__ = (UniqueConstraint("unit_id", "interest", "user_id"),)


class ReferralPoints(Base):
    """The points ledger: one row per credit to a referrer (a referral that converted)."""

    __tablename__ = "referral_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))  # the referrer's unit when credited
    lead_id: Mapped[int] = mapped_column(ForeignKey("lead.id"), unique=True)
    points: Mapped[int]
    month: Mapped[date]  # first day of the bank's month the credit falls in (the leaderboard's month)
    earned_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_referral_points_month", "month", "unit_id"),)
