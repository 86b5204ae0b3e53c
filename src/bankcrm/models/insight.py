"""Customer insight: the monthly customer snapshot (the feature store every analytical module reads).

One row per customer per month (``month`` is the month's first day), kept for 36 months. A derived
fact table written only by the nightly ``snapshot`` step (bankcrm.insight): no foreign keys, so the bulk
rewrite of a month costs no per-row checks and a customer merge leaves the history as it was (the
merged customer is skipped from then on; the survivor's rows are recomputed from its new holdings).
Amounts are integers in minor units (fen); what each column means is the feature catalogue
(reference_data/catalogue/feature.csv), which a test keeps in step with this class.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Index, SmallInteger, String, text
from sqlalchemy.orm import Mapped, mapped_column

from bankcrm.kit.time import utcnow
from bankcrm.models.base import Base


class CustomerMonth(Base):
    """One customer's figures for one month, as of ``as_of`` (the month's last day, or the business date)."""

    __tablename__ = "customer_month"

    month: Mapped[date] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date]
    kind: Mapped[str] = mapped_column(String(12))
    unit_id: Mapped[int]  # the customer's home unit (branch)
    manager_id: Mapped[int | None]  # the primary account manager
    # Assets under management: month-end and month-average (daily balances carried forward), and their parts.
    aum_end: Mapped[int] = mapped_column(BigInteger)
    aum_avg: Mapped[int] = mapped_column(BigInteger)
    demand_end: Mapped[int] = mapped_column(BigInteger)
    demand_avg: Mapped[int] = mapped_column(BigInteger)
    time_end: Mapped[int] = mapped_column(BigInteger)
    time_avg: Mapped[int] = mapped_column(BigInteger)
    wealth_end: Mapped[int] = mapped_column(BigInteger)
    wealth_avg: Mapped[int] = mapped_column(BigInteger)
    fund_end: Mapped[int] = mapped_column(BigInteger)
    fund_avg: Mapped[int] = mapped_column(BigInteger)
    insurance_end: Mapped[int] = mapped_column(BigInteger)
    insurance_avg: Mapped[int] = mapped_column(BigInteger)
    loans_outstanding: Mapped[int] = mapped_column(BigInteger)
    # Products held at month-end, by category.
    held_demand: Mapped[int] = mapped_column(SmallInteger)
    held_time: Mapped[int] = mapped_column(SmallInteger)
    held_wealth: Mapped[int] = mapped_column(SmallInteger)
    held_fund: Mapped[int] = mapped_column(SmallInteger)
    held_insurance: Mapped[int] = mapped_column(SmallInteger)
    held_loan: Mapped[int] = mapped_column(SmallInteger)
    held_credit_card: Mapped[int] = mapped_column(SmallInteger)
    held_debit_card: Mapped[int] = mapped_column(SmallInteger)
    held_bill: Mapped[int] = mapped_column(SmallInteger)
    # Vouchers posted in the month: by direction, by channel (one fixed pair per txn_channel code).
    txn_in_count: Mapped[int]
    txn_in_amount: Mapped[int] = mapped_column(BigInteger)
    txn_out_count: Mapped[int]
    txn_out_amount: Mapped[int] = mapped_column(BigInteger)
    txn_counter_count: Mapped[int]
    txn_counter_amount: Mapped[int] = mapped_column(BigInteger)
    txn_atm_count: Mapped[int]
    txn_atm_amount: Mapped[int] = mapped_column(BigInteger)
    txn_mobile_count: Mapped[int]
    txn_mobile_amount: Mapped[int] = mapped_column(BigInteger)
    txn_online_count: Mapped[int]
    txn_online_amount: Mapped[int] = mapped_column(BigInteger)
    txn_pos_count: Mapped[int]
    txn_pos_amount: Mapped[int] = mapped_column(BigInteger)
    txn_wechat_count: Mapped[int]
    txn_wechat_amount: Mapped[int] = mapped_column(BigInteger)
    txn_batch_count: Mapped[int]
    txn_batch_amount: Mapped[int] = mapped_column(BigInteger)
    transfer_out_other_count: Mapped[int]
    transfer_out_other_amount: Mapped[int] = mapped_column(BigInteger)
    salary_count: Mapped[int]
    salary_amount: Mapped[int] = mapped_column(BigInteger)
    days_since_txn: Mapped[int | None]
    tenure_months: Mapped[int | None]
    age: Mapped[int | None]
    tier: Mapped[str] = mapped_column(String(12))  # catalogue/value_tier.csv
    tier_change: Mapped[int | None] = mapped_column(SmallInteger)  # +1 up, -1 down, 0 same; None: no month before
    lifecycle_stage: Mapped[str | None] = mapped_column(String(12))  # filled by the lifecycle issue
    r_score: Mapped[int | None] = mapped_column(SmallInteger)
    f_score: Mapped[int | None] = mapped_column(SmallInteger)
    m_score: Mapped[int | None] = mapped_column(SmallInteger)
    rfm_group: Mapped[str | None] = mapped_column(String(20))  # catalogue/rfm_group.csv
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_customer_month_customer", "customer_id", "month"),
        Index("ix_customer_month_month_tier", "month", "tier"),
        # rows awaiting their lifecycle stage (new or rewritten by the snapshot): found without reading every month
        Index(
            "ix_customer_month_unstaged",
            "month",
            "customer_id",
            sqlite_where=text("lifecycle_stage IS NULL"),
            postgresql_where=text("lifecycle_stage IS NULL"),
        ),
    )
