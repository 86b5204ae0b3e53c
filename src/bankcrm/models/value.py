"""Customer value: the funds-transfer-pricing curve, the value parameters, their maker-checker changes, contribution.

Rates are in basis points (1.75 % = 175); money in fen. A curve point or parameter holds from its
``effective_from`` (always a month's first day) until a later row of the same key starts; a month is priced
with the rows in force on its first day. Rows are never updated or deleted: history is the later rows.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bankcrm.kit.time import utcnow
from bankcrm.models.base import Base


class PricingChangeStatus(StrEnum):
    """The states of the ``pricing_change`` workflow (workflow_state.csv; a test keeps them equal)."""

    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


class FtpRate(Base):
    """One point of the FTP curve: the transfer rate of a term bucket in a currency from a date.

    ``max_term_months`` is the bucket's upper bound (0: demand; None: the open-ended longest bucket); an
    account or contract is priced at the bucket with the smallest bound at or above its term.
    """

    __tablename__ = "ftp_rate"

    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    term_code: Mapped[str] = mapped_column(String(12), primary_key=True)  # code_item ftp_term
    effective_from: Mapped[date] = mapped_column(primary_key=True)
    max_term_months: Mapped[int | None] = mapped_column(Integer)
    rate_bp: Mapped[int] = mapped_column(Integer)
    change_id: Mapped[int | None] = mapped_column(ForeignKey("pricing_change.id"))  # None: shipped default


class ValueParameter(Base):
    """A configurable figure of the contribution, effective-dated like the curve.

    ``kind``: ``provision`` (annual expected-loss rate in bp, by loan class), ``service_product`` (fen per
    account or contract per month, by product category), ``service_txn`` (fen per voucher, by channel).
    """

    __tablename__ = "value_parameter"
    __table_args__ = (CheckConstraint("kind IN ('provision', 'service_product', 'service_txn')", name="kind"),)

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    effective_from: Mapped[date] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)
    change_id: Mapped[int | None] = mapped_column(ForeignKey("pricing_change.id"))


class PricingChange(Base):
    """A maker's proposal of a new curve and parameters from a month's first day, applied when a checker approves.

    ``proposal`` is JSON: {"ftp": {"CNY": {"DEMAND": 160, ...}}, "provision": {...}, "service_product": {...},
    "service_txn": {...}} — the complete set in force from ``effective_from``.
    """

    __tablename__ = "pricing_change"
    __table_args__ = (CheckConstraint("status IN ('submitted', 'approved', 'rejected')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(10), index=True)  # workflow pricing_change
    effective_from: Mapped[date]
    proposal: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(500))
    maker_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    maker_name: Mapped[str] = mapped_column(String(120))
    checker_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    checker_name: Mapped[str | None] = mapped_column(String(120))
    decision_reason: Mapped[str | None] = mapped_column(String(500))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]


class CustomerContribution(Base):
    """One line of a customer's contribution in one month (fen; negative lines are costs).

    ``kind``: deposit_margin, loan_margin, expected_loss, fee_income, service_product, service_txn.
    ``ref`` names what the line is about: a masked account or contract number, a product category or a channel.
    """

    __tablename__ = "customer_contribution"
    __table_args__ = (
        Index("ix_customer_contribution_customer_month", "customer_id", "month"),
        Index("ix_customer_contribution_month", "month", "customer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    month: Mapped[date]  # first day of the month
    kind: Mapped[str] = mapped_column(String(20))
    ref: Mapped[str] = mapped_column(String(60))
    product_code: Mapped[str | None] = mapped_column(String(20))
    days: Mapped[int]  # days of the month priced (to the as-of day in the running month)
    count: Mapped[int] = mapped_column(Integer, default=0)  # vouchers or products a line counts
    avg_balance: Mapped[int | None] = mapped_column(BigInteger)
    customer_rate_bp: Mapped[int | None] = mapped_column(Integer)
    ftp_rate_bp: Mapped[int | None] = mapped_column(Integer)  # or the provision rate of an expected-loss line
    amount: Mapped[int] = mapped_column(BigInteger)
    as_of: Mapped[date]
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
