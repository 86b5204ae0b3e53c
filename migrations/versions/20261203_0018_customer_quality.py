"""Each customer's data-quality checks kept as bit masks, so the quality page sums them in SQL.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 17:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bankcrm.models.base import UTCDateTime

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_quality",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("complete_mask", sa.BigInteger(), nullable=False),
        sa.Column("valid_mask", sa.BigInteger(), nullable=False),
        sa.Column("recheck_on", sa.Date(), nullable=False),
        sa.Column("version", sa.String(length=16), nullable=False),
        sa.Column("customer_updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("checked_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_customer_quality_customer_id_customer")
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_customer_quality")),
    )


def downgrade() -> None:
    op.drop_table("customer_quality")
