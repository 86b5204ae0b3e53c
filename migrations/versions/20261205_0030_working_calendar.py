"""The bank's working-calendar entries: days it closes (HOLIDAY) or opens (WORKDAY) over the holidays package.

The kinds are the code table calendar_day_kind, synced after the upgrade.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-05 00:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bankcrm.models.base import UTCDateTime

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("label_en", sa.String(length=100), nullable=False),
        sa.Column("label_zh", sa.String(length=100), nullable=False),
        sa.Column("changed_by", sa.String(length=100), nullable=False),
        sa.Column("changed_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_calendar_day")),
    )
    op.create_index("ix_calendar_day_changed_at", "calendar_day", ["changed_at"])


def downgrade() -> None:
    op.drop_index("ix_calendar_day_changed_at", table_name="calendar_day")
    op.drop_table("calendar_day")
