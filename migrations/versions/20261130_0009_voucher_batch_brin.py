"""Vouchers: the (batch, voucher) primary-key index gives way to a BRIN index on batch_id.

A unique B-tree over 10M vouchers cost about 6 s of a 10M-row COPY (5 s to build afterwards); ingest
already guarantees one row per voucher number and delivery, and needs the batch only to replace a
delivery's rows, which one load writes side by side: a BRIN index finds them for almost nothing.
SQLite has no BRIN and gets a plain index on batch_id.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 12:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("account_transaction", schema=None) as batch_op:
        batch_op.drop_constraint("pk_account_transaction", type_="primary")
        batch_op.create_index("ix_account_transaction_batch", ["batch_id"], unique=False, postgresql_using="brin")


def downgrade() -> None:
    with op.batch_alter_table("account_transaction", schema=None) as batch_op:
        batch_op.drop_index("ix_account_transaction_batch", postgresql_using="brin")
        batch_op.create_primary_key("pk_account_transaction", ["batch_id", "voucher_no"])
