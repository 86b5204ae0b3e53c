"""Status workflows as data: workflow_state, workflow_transition, status_history.

Change requests, corporate groups and follow-up tasks move through the workflow engine
(bankcrm.workflow): the allowed moves and the permission each needs are a catalogue
(reference_data/catalogue/workflow_*.csv, loaded by ``db upgrade`` after the schema), and every move
writes a status_history row. The group statuses' labels move from the group_status code table to
workflow_state, so their code_item rows are removed here. No existing CHECK constraint names these
statuses, so no table is rebuilt. Rows decided before this revision have no history.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bankcrm.models.base import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workflow_state",
        sa.Column("workflow", sa.String(length=40), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("label_en", sa.String(length=200), nullable=False),
        sa.Column("label_zh", sa.String(length=200), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("initial", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("workflow", "code", name=op.f("pk_workflow_state")),
    )
    op.create_table(
        "workflow_transition",
        sa.Column("workflow", sa.String(length=40), nullable=False),
        sa.Column("from_state", sa.String(length=20), nullable=False),
        sa.Column("to_state", sa.String(length=20), nullable=False),
        sa.Column("permission", sa.String(length=60), nullable=False),
        sa.Column("label_en", sa.String(length=200), nullable=False),
        sa.Column("label_zh", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("workflow", "from_state", "to_state", name=op.f("pk_workflow_transition")),
    )
    op.create_table(
        "status_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workflow", sa.String(length=40), nullable=False),
        sa.Column("entity_type", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("from_state", sa.String(length=20), nullable=False),
        sa.Column("to_state", sa.String(length=20), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=120), nullable=False),
        sa.Column("moved_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["actor_id"], ["app_user.id"], name=op.f("fk_status_history_actor_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_history")),
    )
    with op.batch_alter_table("status_history", schema=None) as batch_op:
        batch_op.create_index("ix_status_history_entity", ["entity_type", "entity_id"], unique=False)
    op.execute(sa.text("DELETE FROM code_item WHERE category = 'group_status'"))


def downgrade() -> None:
    # The group_status code rows come back with the next ``db upgrade`` of the older code (it syncs its CSVs).
    with op.batch_alter_table("status_history", schema=None) as batch_op:
        batch_op.drop_index("ix_status_history_entity")
    op.drop_table("status_history")
    op.drop_table("workflow_transition")
    op.drop_table("workflow_state")
