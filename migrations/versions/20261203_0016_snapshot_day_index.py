"""Balance snapshots get an index leading with balance_date.

The month-end trend asks, for each of six month-ends, for the newest snapshot day on or before it
(max(balance_date) where balance_date <= ...), and then reads that day's rows. The primary key leads
with account_id and the other index with customer_id, so without this index both scan the table.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 14:30:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_balance_snapshot_date", "balance_snapshot", ["balance_date"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_balance_snapshot_date", table_name="balance_snapshot")
