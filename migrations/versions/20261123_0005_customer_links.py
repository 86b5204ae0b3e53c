"""Customer-to-customer links (spouse, shareholder, guarantor ...).

Reading links needs customer.read and creating or ending them customer.write: no new permission.
The link types and their reverse readings are code tables (reference_data/link_type.csv, link_reading.csv).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 16:05:12.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bankcrm.models.base import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("from_customer_id", sa.Integer(), nullable=False),
        sa.Column("to_customer_id", sa.Integer(), nullable=False),
        sa.Column("link_type", sa.String(length=40), nullable=False),
        sa.Column("share_pct_bp", sa.Integer(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_by", sa.Integer(), nullable=True),
        sa.Column("ended_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], name=op.f("fk_customer_link_created_by_app_user")),
        sa.ForeignKeyConstraint(["ended_by"], ["app_user.id"], name=op.f("fk_customer_link_ended_by_app_user")),
        sa.ForeignKeyConstraint(
            ["from_customer_id"], ["customer.id"], name=op.f("fk_customer_link_from_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["to_customer_id"], ["customer.id"], name=op.f("fk_customer_link_to_customer_id_customer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_link")),
    )
    with op.batch_alter_table("customer_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customer_link_from_customer_id"), ["from_customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_customer_link_to_customer_id"), ["to_customer_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("customer_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_link_to_customer_id"))
        batch_op.drop_index(batch_op.f("ix_customer_link_from_customer_id"))
    op.drop_table("customer_link")
