"""Households grouped from family links, editable; the ingest batch that created a customer link.

Reading households needs customer.read and editing them customer.write: no new permission.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bankcrm.models.base import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "household",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("head_customer_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("derived_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("dissolved_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["head_customer_id"], ["customer.id"], name=op.f("fk_household_head_customer_id_customer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household")),
    )
    op.create_table(
        "household_member",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("manual", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_household_member_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["household.id"], name=op.f("fk_household_member_household_id_household")
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_household_member")),
    )
    with op.batch_alter_table("household_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_household_member_household_id"), ["household_id"], unique=False)
    op.create_table(
        "household_override",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["app_user.id"], name=op.f("fk_household_override_created_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_household_override_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["household.id"], name=op.f("fk_household_override_household_id_household")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_override")),
    )
    with op.batch_alter_table("household_override", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_household_override_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_household_override_household_id"), ["household_id"], unique=False)
    with op.batch_alter_table("customer_link", schema=None) as batch_op:
        batch_op.add_column(sa.Column("batch_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_customer_link_batch_id_ingest_batch"), "ingest_batch", ["batch_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_customer_link_batch_id"), ["batch_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("customer_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_link_batch_id"))
        batch_op.drop_constraint(batch_op.f("fk_customer_link_batch_id_ingest_batch"), type_="foreignkey")
        batch_op.drop_column("batch_id")
    with op.batch_alter_table("household_override", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_household_override_household_id"))
        batch_op.drop_index(batch_op.f("ix_household_override_customer_id"))
    op.drop_table("household_override")
    with op.batch_alter_table("household_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_household_member_household_id"))
    op.drop_table("household_member")
    op.drop_table("household")
