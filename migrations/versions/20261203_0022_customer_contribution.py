"""Customer contribution: FTP curve, value parameters, their maker-checker changes, monthly contribution lines.

Ships the default curve and parameters, effective from 2020-01-01 (so every delivered month is priced):
- FTP (bp): an assumption, not a published figure — the 2025 CNY interbank/CGB curve (about 1.4-1.9 %) plus a
  liquidity premium growing with the term, landing between the big banks' deposit board rates (demand 0.05 %,
  1y 0.95 %, 5y 1.30 %) and the loan prime rates (1y LPR 3.00 %, 5y LPR 3.50 %), as Chinese banks' FTP curves do.
  USD: SOFR-based (about 4.3 %) plus a premium.
- Provisions (annual expected-loss bp by five-category class): 银行贷款损失准备计提指引 (2002): general 1 %,
  special mention 2 %, substandard 25 %, doubtful 50 %, loss 100 %.
- Service costs: a bank's own choice; round figures of a typical cost allocation (fen).

The permissions value.read, value.pricing.propose and value.pricing.approve come from the module registry.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 17:30:00.000000
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from alembic import op

from bankcrm.models.base import UTCDateTime

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

SINCE = date(2020, 1, 1)
# (term code, upper bound in months: 0 demand, None open-ended)
TERMS = [("DEMAND", 0), ("M3", 3), ("M6", 6), ("Y1", 12), ("Y2", 24), ("Y3", 36), ("Y5", 60), ("Y5PLUS", None)]
FTP = {
    "CNY": [160, 175, 185, 200, 220, 240, 270, 300],
    "USD": [380, 420, 430, 440, 450, 460, 480, 500],
}
PROVISION = {"NORMAL": 100, "SPECIAL_MENTION": 200, "SUBSTANDARD": 2500, "DOUBTFUL": 5000, "LOSS": 10000}
SERVICE_PRODUCT = {  # fen per account or contract per month, by product category
    "DEMAND": 300,
    "TIME": 200,
    "WEALTH": 500,
    "FUND": 500,
    "INSURANCE": 500,
    "PLOAN": 2000,
    "CLOAN": 5000,
    "CARD": 800,
    "DEBIT_CARD": 200,
    "BAB": 3000,
}
SERVICE_TXN = {  # fen per voucher, by channel
    "COUNTER": 1500,
    "ATM": 300,
    "POS": 50,
    "MOBILE": 20,
    "ONLINE": 30,
    "WECHAT": 20,
    "BATCH": 10,
}


def upgrade() -> None:
    op.create_table(
        "pricing_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("proposal", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("maker_id", sa.Integer(), nullable=True),
        sa.Column("maker_name", sa.String(length=120), nullable=False),
        sa.Column("checker_id", sa.Integer(), nullable=True),
        sa.Column("checker_name", sa.String(length=120), nullable=True),
        sa.Column("decision_reason", sa.String(length=500), nullable=True),
        sa.Column("submitted_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('submitted', 'approved', 'rejected')", name=op.f("ck_pricing_change_status")),
        sa.ForeignKeyConstraint(["maker_id"], ["app_user.id"], name=op.f("fk_pricing_change_maker_id_app_user")),
        sa.ForeignKeyConstraint(["checker_id"], ["app_user.id"], name=op.f("fk_pricing_change_checker_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pricing_change")),
    )
    op.create_index(op.f("ix_pricing_change_status"), "pricing_change", ["status"], unique=False)
    ftp = op.create_table(
        "ftp_rate",
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("term_code", sa.String(length=12), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("max_term_months", sa.Integer(), nullable=True),
        sa.Column("rate_bp", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["change_id"], ["pricing_change.id"], name=op.f("fk_ftp_rate_change_id_pricing_change")
        ),
        sa.PrimaryKeyConstraint("currency", "term_code", "effective_from", name=op.f("pk_ftp_rate")),
    )
    params = op.create_table(
        "value_parameter",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('provision', 'service_product', 'service_txn')", name=op.f("ck_value_parameter_kind")
        ),
        sa.ForeignKeyConstraint(
            ["change_id"], ["pricing_change.id"], name=op.f("fk_value_parameter_change_id_pricing_change")
        ),
        sa.PrimaryKeyConstraint("kind", "code", "effective_from", name=op.f("pk_value_parameter")),
    )
    op.create_table(
        "customer_contribution",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("ref", sa.String(length=60), nullable=False),
        sa.Column("product_code", sa.String(length=20), nullable=True),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("avg_balance", sa.BigInteger(), nullable=True),
        sa.Column("customer_rate_bp", sa.Integer(), nullable=True),
        sa.Column("ftp_rate_bp", sa.Integer(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("computed_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_customer_contribution_customer_id_customer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_contribution")),
    )
    op.create_index(
        "ix_customer_contribution_customer_month", "customer_contribution", ["customer_id", "month"], unique=False
    )
    op.create_index("ix_customer_contribution_month", "customer_contribution", ["month", "customer_id"], unique=False)
    op.bulk_insert(
        ftp,
        [
            {"currency": cur, "term_code": code, "effective_from": SINCE, "max_term_months": bound, "rate_bp": rate}
            for cur, rates in FTP.items()
            for (code, bound), rate in zip(TERMS, rates, strict=True)
        ],
    )
    op.bulk_insert(
        params,
        [
            {"kind": kind, "code": code, "effective_from": SINCE, "value": value}
            for kind, values in (
                ("provision", PROVISION),
                ("service_product", SERVICE_PRODUCT),
                ("service_txn", SERVICE_TXN),
            )
            for code, value in values.items()
        ],
    )


def downgrade() -> None:
    op.drop_index("ix_customer_contribution_month", table_name="customer_contribution")
    op.drop_index("ix_customer_contribution_customer_month", table_name="customer_contribution")
    op.drop_table("customer_contribution")
    op.drop_table("value_parameter")
    op.drop_table("ftp_rate")
    op.drop_index(op.f("ix_pricing_change_status"), table_name="pricing_change")
    op.drop_table("pricing_change")
