"""Customer insight: the monthly customer snapshot ``customer_month`` (one row per customer per month, 36 kept).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 18:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bankcrm.models.base import UTCDateTime

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_month",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=True),
        sa.Column("aum_end", sa.BigInteger(), nullable=False),
        sa.Column("aum_avg", sa.BigInteger(), nullable=False),
        sa.Column("demand_end", sa.BigInteger(), nullable=False),
        sa.Column("demand_avg", sa.BigInteger(), nullable=False),
        sa.Column("time_end", sa.BigInteger(), nullable=False),
        sa.Column("time_avg", sa.BigInteger(), nullable=False),
        sa.Column("wealth_end", sa.BigInteger(), nullable=False),
        sa.Column("wealth_avg", sa.BigInteger(), nullable=False),
        sa.Column("fund_end", sa.BigInteger(), nullable=False),
        sa.Column("fund_avg", sa.BigInteger(), nullable=False),
        sa.Column("insurance_end", sa.BigInteger(), nullable=False),
        sa.Column("insurance_avg", sa.BigInteger(), nullable=False),
        sa.Column("loans_outstanding", sa.BigInteger(), nullable=False),
        sa.Column("held_demand", sa.SmallInteger(), nullable=False),
        sa.Column("held_time", sa.SmallInteger(), nullable=False),
        sa.Column("held_wealth", sa.SmallInteger(), nullable=False),
        sa.Column("held_fund", sa.SmallInteger(), nullable=False),
        sa.Column("held_insurance", sa.SmallInteger(), nullable=False),
        sa.Column("held_loan", sa.SmallInteger(), nullable=False),
        sa.Column("held_credit_card", sa.SmallInteger(), nullable=False),
        sa.Column("held_debit_card", sa.SmallInteger(), nullable=False),
        sa.Column("held_bill", sa.SmallInteger(), nullable=False),
        sa.Column("txn_in_count", sa.Integer(), nullable=False),
        sa.Column("txn_in_amount", sa.BigInteger(), nullable=False),
        sa.Column("txn_out_count", sa.Integer(), nullable=False),
        sa.Column("txn_out_amount", sa.BigInteger(), nullable=False),
        sa.Column("txn_counter_count", sa.Integer(), nullable=False),
        sa.Column("txn_counter_amount", sa.BigInteger(), nullable=False),
        sa.Column("txn_atm_count", sa.Integer(), nullable=False),
        sa.Column("txn_atm_amount", sa.BigInteger(), nullable=False),
        sa.Column("txn_mobile_count", sa.Integer(), nullable=False),
        sa.Column("txn_mobile_amount", sa.BigInteger(), nullable=False),
        sa.Column("txn_online_count", sa.Integer(), nullable=False),
        sa.Column("txn_online_amount", sa.BigInteger(), nullable=False),
        sa.Column("txn_pos_count", sa.Integer(), nullable=False),
        sa.Column("txn_pos_amount", sa.BigInteger(), nullable=False),
        sa.Column("txn_wechat_count", sa.Integer(), nullable=False),
        sa.Column("txn_wechat_amount", sa.BigInteger(), nullable=False),
        sa.Column("txn_batch_count", sa.Integer(), nullable=False),
        sa.Column("txn_batch_amount", sa.BigInteger(), nullable=False),
        sa.Column("transfer_out_other_count", sa.Integer(), nullable=False),
        sa.Column("transfer_out_other_amount", sa.BigInteger(), nullable=False),
        sa.Column("salary_count", sa.Integer(), nullable=False),
        sa.Column("salary_amount", sa.BigInteger(), nullable=False),
        sa.Column("days_since_txn", sa.Integer(), nullable=True),
        sa.Column("tenure_months", sa.Integer(), nullable=True),
        sa.Column("age", sa.Integer(), nullable=True),
        sa.Column("tier", sa.String(length=12), nullable=False),
        sa.Column("tier_change", sa.SmallInteger(), nullable=True),
        sa.Column("lifecycle_stage", sa.String(length=12), nullable=True),
        sa.Column("r_score", sa.SmallInteger(), nullable=True),
        sa.Column("f_score", sa.SmallInteger(), nullable=True),
        sa.Column("m_score", sa.SmallInteger(), nullable=True),
        sa.Column("rfm_group", sa.String(length=20), nullable=True),
        sa.Column("computed_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("month", "customer_id", name=op.f("pk_customer_month")),
    )
    op.create_index("ix_customer_month_customer", "customer_month", ["customer_id", "month"])
    op.create_index("ix_customer_month_month_tier", "customer_month", ["month", "tier"])


def downgrade() -> None:
    op.drop_index("ix_customer_month_month_tier", table_name="customer_month")
    op.drop_index("ix_customer_month_customer", table_name="customer_month")
    op.drop_table("customer_month")
