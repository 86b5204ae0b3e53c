"""Early warnings: the warning with its reasons, severity, assignee, escalation and outcome; its timeline; the staff
brought in. Statuses, actions, outcomes and lost reasons are code tables synced after the upgrade.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-04 00:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bankcrm.models.base import UTCDateTime

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str, **kw: str) -> sa.ForeignKeyConstraint:
    ref = target.split(".")[0]
    return sa.ForeignKeyConstraint([column], [target], name=op.f(f"fk_{table}_{column}_{ref}"), **kw)


def upgrade() -> None:
    op.create_table(
        "early_warning",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("model_id", sa.String(length=40), nullable=True),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("probability", sa.Float(), nullable=True),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("leading_factor", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String(length=12), nullable=False),
        sa.Column("aum", sa.BigInteger(), nullable=False),
        sa.Column("value_before", sa.BigInteger(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("acted_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("escalated_to_id", sa.Integer(), nullable=True),
        sa.Column("escalated_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("retained_amount", sa.BigInteger(), nullable=True),
        sa.Column("lost_reason", sa.String(length=20), nullable=True),
        sa.Column("lost_to_bank", sa.String(length=200), nullable=True),
        sa.Column("outcome_note", sa.Text(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.Column("winback_plan", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        _fk("early_warning", "customer_id", "customer.id"),
        _fk("early_warning", "assignee_id", "app_user.id"),
        _fk("early_warning", "unit_id", "org_unit.id"),
        _fk("early_warning", "escalated_to_id", "app_user.id"),
        _fk("early_warning", "closed_by", "app_user.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_early_warning")),
    )
    op.create_index("ix_early_warning_customer_status", "early_warning", ["customer_id", "status"])
    op.create_index("ix_early_warning_assignee_status", "early_warning", ["assignee_id", "status"])
    op.create_index("ix_early_warning_escalated_to", "early_warning", ["escalated_to_id"])
    op.create_index("ix_early_warning_raised_on", "early_warning", ["raised_on"])
    op.create_table(
        "early_warning_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("warning_id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=True),
        sa.Column("contact_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        _fk("early_warning_event", "warning_id", "early_warning.id", ondelete="CASCADE"),
        _fk("early_warning_event", "actor_id", "app_user.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_early_warning_event")),
    )
    op.create_index("ix_early_warning_event_warning_id", "early_warning_event", ["warning_id"])
    op.create_table(
        "early_warning_participant",
        sa.Column("warning_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("added_by", sa.Integer(), nullable=True),
        sa.Column("added_at", UTCDateTime(timezone=True), nullable=False),
        _fk("early_warning_participant", "warning_id", "early_warning.id", ondelete="CASCADE"),
        _fk("early_warning_participant", "user_id", "app_user.id"),
        _fk("early_warning_participant", "added_by", "app_user.id"),
        sa.PrimaryKeyConstraint("warning_id", "user_id", name=op.f("pk_early_warning_participant")),
    )
    op.create_index("ix_early_warning_participant_user_id", "early_warning_participant", ["user_id"])


def downgrade() -> None:
    op.drop_table("early_warning_participant")
    op.drop_table("early_warning_event")
    op.drop_table("early_warning")
