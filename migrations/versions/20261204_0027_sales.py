"""Sales: opportunities and their stage history, activities and visit plans, targets, calendar feeds.

Stages, target kinds and the code tables (loss reasons, competitors, activity kinds) are synced after the upgrade.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-04 00:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bankcrm.models.base import UTCDateTime

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_feed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_calendar_feed_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feed")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feed_token_hash")),
    )
    with op.batch_alter_table("calendar_feed", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calendar_feed_user_id"), ["user_id"], unique=False)

    op.create_table(
        "sales_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=True),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("set_by", sa.Integer(), nullable=True),
        sa.Column("set_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["manager_id"], ["app_user.id"], name=op.f("fk_sales_target_manager_id_app_user")),
        sa.ForeignKeyConstraint(["set_by"], ["app_user.id"], name=op.f("fk_sales_target_set_by_app_user")),
        sa.ForeignKeyConstraint(["unit_id"], ["org_unit.id"], name=op.f("fk_sales_target_unit_id_org_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_target")),
        sa.UniqueConstraint("kind", "period", "unit_id", "manager_id", name=op.f("uq_sales_target_kind")),
    )
    with op.batch_alter_table("sales_target", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sales_target_manager_id"), ["manager_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sales_target_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "opportunity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("product_code", sa.String(length=20), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("stage", sa.String(length=12), nullable=False),
        sa.Column("probability_pct", sa.SmallInteger(), nullable=False),
        sa.Column("expected_close", sa.Date(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("lost_reason", sa.String(length=20), nullable=True),
        sa.Column("competitor", sa.String(length=20), nullable=True),
        sa.Column("won_amount", sa.BigInteger(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("proposed_amount", sa.BigInteger(), nullable=True),
        sa.Column("proposed_on", sa.Date(), nullable=True),
        sa.Column("stage_since", UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], name=op.f("fk_opportunity_created_by_app_user")),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_opportunity_customer_id_customer")),
        sa.ForeignKeyConstraint(["owner_id"], ["app_user.id"], name=op.f("fk_opportunity_owner_id_app_user")),
        sa.ForeignKeyConstraint(["product_code"], ["product.code"], name=op.f("fk_opportunity_product_code_product")),
        sa.ForeignKeyConstraint(["unit_id"], ["org_unit.id"], name=op.f("fk_opportunity_unit_id_org_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opportunity")),
    )
    with op.batch_alter_table("opportunity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_opportunity_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index("ix_opportunity_customer_product", ["customer_id", "product_code"], unique=False)
        batch_op.create_index("ix_opportunity_owner_stage", ["owner_id", "stage", "expected_close"], unique=False)
        batch_op.create_index("ix_opportunity_stage_close", ["stage", "expected_close"], unique=False)
        batch_op.create_index("ix_opportunity_close", ["expected_close", "id"], unique=False)
        batch_op.create_index("ix_opportunity_unit_stage", ["unit_id", "stage", "expected_close"], unique=False)

    op.create_table(
        "activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("starts_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("duration_min", sa.SmallInteger(), nullable=False),
        sa.Column("participants", sa.String(length=500), nullable=True),
        sa.Column("outcome", sa.String(length=12), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("opportunity_id", sa.Integer(), nullable=True),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("warning_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_activity_customer_id_customer")),
        sa.ForeignKeyConstraint(
            ["opportunity_id"], ["opportunity.id"], name=op.f("fk_activity_opportunity_id_opportunity")
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["app_user.id"], name=op.f("fk_activity_owner_id_app_user")),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"], name=op.f("fk_activity_task_id_task")),
        sa.ForeignKeyConstraint(["unit_id"], ["org_unit.id"], name=op.f("fk_activity_unit_id_org_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity")),
    )
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_activity_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index("ix_activity_owner_starts", ["owner_id", "starts_at"], unique=False)
        batch_op.create_index("ix_activity_unit_starts", ["unit_id", "starts_at"], unique=False)

    op.create_table(
        "opportunity_stage_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("from_stage", sa.String(length=12), nullable=True),
        sa.Column("to_stage", sa.String(length=12), nullable=False),
        sa.Column("changed_by", sa.Integer(), nullable=True),
        sa.Column("changed_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["changed_by"], ["app_user.id"], name=op.f("fk_opportunity_stage_history_changed_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_id"], ["opportunity.id"], name=op.f("fk_opportunity_stage_history_opportunity_id_opportunity")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opportunity_stage_history")),
    )
    with op.batch_alter_table("opportunity_stage_history", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_opportunity_stage_history_opportunity_id"), ["opportunity_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("opportunity_stage_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_opportunity_stage_history_opportunity_id"))

    op.drop_table("opportunity_stage_history")
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.drop_index("ix_activity_unit_starts")
        batch_op.drop_index("ix_activity_owner_starts")
        batch_op.drop_index(batch_op.f("ix_activity_customer_id"))

    op.drop_table("activity")
    with op.batch_alter_table("opportunity", schema=None) as batch_op:
        batch_op.drop_index("ix_opportunity_unit_stage")
        batch_op.drop_index("ix_opportunity_stage_close")
        batch_op.drop_index("ix_opportunity_close")
        batch_op.drop_index("ix_opportunity_owner_stage")
        batch_op.drop_index("ix_opportunity_customer_product")
        batch_op.drop_index(batch_op.f("ix_opportunity_customer_id"))

    op.drop_table("opportunity")
    with op.batch_alter_table("sales_target", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sales_target_unit_id"))
        batch_op.drop_index(batch_op.f("ix_sales_target_manager_id"))

    op.drop_table("sales_target")
    with op.batch_alter_table("calendar_feed", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_feed_user_id"))

    op.drop_table("calendar_feed")
