"""Currencies as a catalogue (ISO 4217, minor units, active), products that allow an overdraft, debit cards' links.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 16:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "currency",
        sa.Column("code", sa.String(length=3), nullable=False),
        sa.Column("label_en", sa.String(length=200), nullable=False),
        sa.Column("label_zh", sa.String(length=200), nullable=False),
        sa.Column("minor_units", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_currency")),
    )
    # The rows come from the catalogue sync after the migrations; the old six-code table gives way to it.
    op.execute("DELETE FROM code_item WHERE category = 'currency'")
    with op.batch_alter_table("product") as batch:
        batch.add_column(sa.Column("allows_overdraft", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("account") as batch:
        batch.add_column(sa.Column("linked_account_index", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("linked_account_masked", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("account") as batch:
        batch.drop_column("linked_account_masked")
        batch.drop_column("linked_account_index")
    with op.batch_alter_table("product") as batch:
        batch.drop_column("allows_overdraft")
    op.drop_table("currency")
