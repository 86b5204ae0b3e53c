"""Account parties: joint holders, authorised signatories, attorneys and guardians of an account.

The account's owner stays account.customer_id; the account_party_role code table comes from reference data.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 17:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account_party",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], name=op.f("fk_account_party_account_id_account")),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_account_party_customer_id_customer")),
        sa.ForeignKeyConstraint(["batch_id"], ["ingest_batch.id"], name=op.f("fk_account_party_batch_id_ingest_batch")),
        sa.PrimaryKeyConstraint("account_id", "customer_id", "role", "batch_id", name=op.f("pk_account_party")),
    )
    op.create_index(op.f("ix_account_party_customer_id"), "account_party", ["customer_id"])
    op.create_index(op.f("ix_account_party_batch_id"), "account_party", ["batch_id"])
    op.create_index("ix_account_party_account_delivery", "account_party", ["account_id", "business_date", "batch_id"])


def downgrade() -> None:
    op.drop_table("account_party")
