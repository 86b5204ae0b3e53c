"""Tags: the tag catalogue and customers' tags with history (applied and removed by whom and when).

The shipped tags come from reference_data/catalogue/tag.csv (migrate.sync_tags); the permissions
tag.read and tag.admin come from the module registry.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 17:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bankcrm.models.base import UTCDateTime

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tag",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("label_en", sa.String(length=100), nullable=False),
        sa.Column("label_zh", sa.String(length=100), nullable=False),
        sa.Column("description_en", sa.String(length=400), nullable=False),
        sa.Column("description_zh", sa.String(length=400), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("colour", sa.String(length=12), nullable=False),
        sa.Column("permission", sa.String(length=60), nullable=True),
        sa.Column("rule", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("shipped", sa.Boolean(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_tag")),
    )
    op.create_table(
        "customer_tag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("tag_code", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("applied_by", sa.Integer(), nullable=True),
        sa.Column("applied_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("removed_by", sa.Integer(), nullable=True),
        sa.Column("removed_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("removed_batch_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_customer_tag_customer_id_customer")),
        sa.ForeignKeyConstraint(["tag_code"], ["tag.code"], name=op.f("fk_customer_tag_tag_code_tag")),
        sa.ForeignKeyConstraint(["batch_id"], ["ingest_batch.id"], name=op.f("fk_customer_tag_batch_id_ingest_batch")),
        sa.ForeignKeyConstraint(
            ["removed_batch_id"], ["ingest_batch.id"], name=op.f("fk_customer_tag_removed_batch_id_ingest_batch")
        ),
        sa.ForeignKeyConstraint(["applied_by"], ["app_user.id"], name=op.f("fk_customer_tag_applied_by_app_user")),
        sa.ForeignKeyConstraint(["removed_by"], ["app_user.id"], name=op.f("fk_customer_tag_removed_by_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_tag")),
    )
    op.create_index("ix_customer_tag_customer", "customer_tag", ["customer_id", "tag_code"])
    op.create_index("ix_customer_tag_tag", "customer_tag", ["tag_code", "removed_at"])
    op.create_index(op.f("ix_customer_tag_batch_id"), "customer_tag", ["batch_id"])
    op.create_index(op.f("ix_customer_tag_removed_batch_id"), "customer_tag", ["removed_batch_id"])


def downgrade() -> None:
    op.drop_table("customer_tag")
    op.drop_table("tag")
