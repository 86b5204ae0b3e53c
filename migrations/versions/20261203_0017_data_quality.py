"""Data quality trend: per month-end, home unit and checked field, the counts (written by the nightly step).

The permissions quality.read and quality.gaps.own come from the module registry.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 15:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bankcrm.models.base import UTCDateTime

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "data_quality_snapshot",
        sa.Column("month_end", sa.Date(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=60), nullable=False),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.Column("complete", sa.Integer(), nullable=False),
        sa.Column("valid", sa.Integer(), nullable=False),
        sa.Column("computed_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["org_unit.id"], name=op.f("fk_data_quality_snapshot_unit_id_org_unit")),
        sa.PrimaryKeyConstraint("month_end", "unit_id", "field", name=op.f("pk_data_quality_snapshot")),
    )


def downgrade() -> None:
    op.drop_table("data_quality_snapshot")
