"""Lead list indexes: each part of a reader's scope (assigned to, referred by, made by, a unit) read newest first
from an index in id order, so the list's first page never walks the whole table.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-04 12:40:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_lead_referrer_id", table_name="lead")
    op.drop_index("ix_lead_created_by", table_name="lead")
    op.create_index("ix_lead_referrer_id", "lead", ["referrer_id", "id"])
    op.create_index("ix_lead_created_by", "lead", ["created_by", "id"])
    op.create_index("ix_lead_assignee_id", "lead", ["assignee_id", "id"])
    op.create_index("ix_lead_unit_id", "lead", ["unit_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_lead_unit_id", table_name="lead")
    op.drop_index("ix_lead_assignee_id", table_name="lead")
    op.drop_index("ix_lead_created_by", table_name="lead")
    op.drop_index("ix_lead_referrer_id", table_name="lead")
    op.create_index("ix_lead_created_by", "lead", ["created_by"])
    op.create_index("ix_lead_referrer_id", "lead", ["referrer_id"])
