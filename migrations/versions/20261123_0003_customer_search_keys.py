"""Customer search keys: substring, pinyin and initials search from an index instead of a scan.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 11:47:05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bankcrm.kit.search_keys import keys_for

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_search_key",
        sa.Column(
            "key",
            sa.String(length=160).with_variant(sa.String(length=160, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_customer_search_key_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("key", "customer_id", name=op.f("pk_customer_search_key")),
    )
    with op.batch_alter_table("customer_search_key", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customer_search_key_customer_id"), ["customer_id"], unique=False)
    # The LIKE-scan indexes are superseded by the keys.
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_name_pinyin"))
        batch_op.drop_index(batch_op.f("ix_customer_name_initials"))
    _backfill()


def _backfill() -> None:
    """Keys for the customers already on file."""
    conn = op.get_bind()
    keys = sa.table("customer_search_key", sa.column("key"), sa.column("customer_id"))
    rows = conn.execute(sa.text("SELECT id, name, name_en FROM customer")).all()
    batch = [{"key": k, "customer_id": cid} for cid, name, name_en in rows for k in keys_for(name, name_en)]
    if batch:
        op.bulk_insert(keys, batch)


def downgrade() -> None:
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customer_name_initials"), ["name_initials"], unique=False)
        batch_op.create_index(batch_op.f("ix_customer_name_pinyin"), ["name_pinyin"], unique=False)
    with op.batch_alter_table("customer_search_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_search_key_customer_id"))
    op.drop_table("customer_search_key")
