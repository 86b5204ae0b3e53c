"""Segments: saved segments (rule or static), membership periods with entered and left dates, daily sizes.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03 21:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bankcrm.models.base import UTCDateTime

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "segment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=400), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("spec", sa.Text(), nullable=True),
        sa.Column("visibility", sa.String(length=10), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["app_user.id"], name=op.f("fk_segment_owner_id_app_user")),
        sa.ForeignKeyConstraint(["unit_id"], ["org_unit.id"], name=op.f("fk_segment_unit_id_org_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_segment")),
    )
    op.create_index(op.f("ix_segment_owner_id"), "segment", ["owner_id"])
    op.create_table(
        "segment_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("entered_on", sa.Date(), nullable=False),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["segment_id"], ["segment.id"], name=op.f("fk_segment_member_segment_id_segment"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_segment_member_customer_id_customer")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_segment_member")),
    )
    op.create_index("ix_segment_member_segment", "segment_member", ["segment_id", "left_on", "customer_id"])
    op.create_index(op.f("ix_segment_member_customer_id"), "segment_member", ["customer_id"])
    op.create_table(
        "segment_size",
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["segment_id"], ["segment.id"], name=op.f("fk_segment_size_segment_id_segment"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("segment_id", "day", name=op.f("pk_segment_size")),
    )


def downgrade() -> None:
    op.drop_table("segment_size")
    op.drop_table("segment_member")
    op.drop_table("segment")
