"""Snapshot rows awaiting their lifecycle stage indexed apart: the nightly finds the oldest such month and the
customers concerned from this small partial index instead of reading every row of every month.

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-04 18:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None

UNSTAGED = sa.text("lifecycle_stage IS NULL")


def upgrade() -> None:
    op.create_index(
        "ix_customer_month_unstaged",
        "customer_month",
        ["month", "customer_id"],
        sqlite_where=UNSTAGED,
        postgresql_where=UNSTAGED,
    )


def downgrade() -> None:
    op.drop_index("ix_customer_month_unstaged", table_name="customer_month")
