"""What an accounts or loans delivery changed, so that a corrected re-delivery can undo it first.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 13:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ingest_prior_row",
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("table_name", sa.String(length=40), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=False),
        sa.Column("prior", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["ingest_batch.id"], name=op.f("fk_ingest_prior_row_batch_id_ingest_batch")
        ),
        sa.PrimaryKeyConstraint("batch_id", "table_name", "row_id", name=op.f("pk_ingest_prior_row")),
    )


def downgrade() -> None:
    op.drop_table("ingest_prior_row")
