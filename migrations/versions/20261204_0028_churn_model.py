"""Churn models (card and model file) and monthly churn scores with reasons.

The statuses are the code table model_status (reference_data), synced after the upgrade like every code table.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-04 00:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bankcrm.models.base import UTCDateTime

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "churn_model",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("validation_month", sa.Date(), nullable=True),
        sa.Column("auc", sa.Float(), nullable=False),
        sa.Column("baseline_auc", sa.Float(), nullable=True),
        sa.Column("card", sa.Text(), nullable=False),
        sa.Column("model_text", sa.Text(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("trained_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("promoted_at", UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_churn_model")),
    )
    op.create_index("ix_churn_model_status", "churn_model", ["target", "status"])
    op.create_table(
        "churn_score",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("scored_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_churn_score_customer_id_customer")),
        sa.ForeignKeyConstraint(["model_id"], ["churn_model.id"], name=op.f("fk_churn_score_model_id_churn_model")),
        sa.PrimaryKeyConstraint("month", "customer_id", name=op.f("pk_churn_score")),
    )
    op.create_index("ix_churn_score_customer", "churn_score", ["customer_id", "month"])


def downgrade() -> None:
    op.drop_index("ix_churn_score_customer", table_name="churn_score")
    op.drop_table("churn_score")
    op.drop_index("ix_churn_model_status", table_name="churn_model")
    op.drop_table("churn_model")
