"""Customer lifecycle: the current stage, the history of moves with the rule and figures, playbook tasks raised.

The stages are the code table lifecycle_stage (reference_data), synced after the upgrade like every code table.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03 21:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bankcrm.models.base import UTCDateTime

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_stage",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=12), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("rule", sa.String(length=30), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_customer_stage_customer_id_customer")),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_customer_stage")),
    )
    op.create_index("ix_customer_stage_stage", "customer_stage", ["stage"])
    op.create_table(
        "customer_stage_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("from_stage", sa.String(length=12), nullable=True),
        sa.Column("to_stage", sa.String(length=12), nullable=False),
        sa.Column("rule", sa.String(length=30), nullable=False),
        sa.Column("figures", sa.Text(), nullable=False),
        sa.Column("decided_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_customer_stage_history_customer_id_customer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_stage_history")),
        sa.UniqueConstraint("customer_id", "month", name=op.f("uq_customer_stage_history_customer_id")),
    )
    op.create_index("ix_customer_stage_history_month", "customer_stage_history", ["month", "to_stage"])
    op.create_table(
        "lifecycle_task",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("stage", sa.String(length=12), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_lifecycle_task_customer_id_customer")),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"], name=op.f("fk_lifecycle_task_task_id_task")),
        sa.PrimaryKeyConstraint("customer_id", "month", "stage", name=op.f("pk_lifecycle_task")),
    )


def downgrade() -> None:
    op.drop_table("lifecycle_task")
    op.drop_index("ix_customer_stage_history_month", table_name="customer_stage_history")
    op.drop_table("customer_stage_history")
    op.drop_index("ix_customer_stage_stage", table_name="customer_stage")
    op.drop_table("customer_stage")
