"""Batch-job run records (job_run) and the outbox of messages to customers (outbox_message).

A job_run row is written by the runner for every step it runs (ok / failed / skipped) and by a
request that queues a whole-bank step instead of running it (queued, picked up by `bankcrm batch
run` or the nightly batch). outbox_message rows are written in the business change's transaction
and delivered by the deliver-outbox job. New permissions (job.read, job.run) come from the module
registry at upgrade, like every other.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bankcrm.models.base import UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_code", sa.String(length=40), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("trigger", sa.String(length=10), nullable=False),
        sa.Column("triggered_by", sa.Integer(), nullable=True),
        sa.Column("queued_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("started_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["triggered_by"], ["app_user.id"], name=op.f("fk_job_run_triggered_by_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_run")),
    )
    op.create_index(op.f("ix_job_run_job_code"), "job_run", ["job_code"], unique=False)
    op.create_index(op.f("ix_job_run_outcome"), "job_run", ["outcome"], unique=False)
    op.create_index(op.f("ix_job_run_created_at"), "job_run", ["created_at"], unique=False)
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
    )
    op.create_index(op.f("ix_outbox_message_status"), "outbox_message", ["status"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_outbox_message_status"), table_name="outbox_message")
    op.drop_table("outbox_message")
    op.drop_index(op.f("ix_job_run_created_at"), table_name="job_run")
    op.drop_index(op.f("ix_job_run_outcome"), table_name="job_run")
    op.drop_index(op.f("ix_job_run_job_code"), table_name="job_run")
    op.drop_table("job_run")
