"""Corporate groups (集团客户) and guarantee circles (担保圈), derived from customer links.

New permissions: group.read (groups and circles, members masked outside the reader's scope) for
risk_manager, management and account_manager; group.review (derive on demand, accept or reject a
proposed group) for risk_manager. The group statuses are a code table (reference_data/group_status.csv).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bankcrm.models.base import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "corporate_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("core_customer_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("shape", sa.String(length=64), nullable=False),
        sa.Column("member_count", sa.Integer(), nullable=False),
        sa.Column("controller_count", sa.Integer(), nullable=False),
        sa.Column("loan_balance", sa.BigInteger(), nullable=False),
        sa.Column("guarantees_given", sa.BigInteger(), nullable=False),
        sa.Column("deposit_balance", sa.BigInteger(), nullable=False),
        sa.Column("replaces_id", sa.Integer(), nullable=True),
        sa.Column("triggered_by", sa.Integer(), nullable=True),
        sa.Column("derived_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("refreshed_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("ended_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["core_customer_id"], ["customer.id"], name=op.f("fk_corporate_group_core_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(["decided_by"], ["app_user.id"], name=op.f("fk_corporate_group_decided_by_app_user")),
        sa.ForeignKeyConstraint(
            ["replaces_id"], ["corporate_group.id"], name=op.f("fk_corporate_group_replaces_id_corporate_group")
        ),
        sa.ForeignKeyConstraint(
            ["triggered_by"], ["app_user.id"], name=op.f("fk_corporate_group_triggered_by_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_corporate_group")),
    )
    with op.batch_alter_table("corporate_group", schema=None) as batch_op:
        batch_op.create_index("ix_corporate_group_core_status", ["core_customer_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_corporate_group_core_customer_id"), ["core_customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_corporate_group_status"), ["status"], unique=False)
    op.create_table(
        "corporate_group_member",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("parent_customer_id", sa.Integer(), nullable=True),
        sa.Column("via_link_type", sa.String(length=40), nullable=True),
        sa.Column("via_forward", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_corporate_group_member_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["corporate_group.id"], name=op.f("fk_corporate_group_member_group_id_corporate_group")
        ),
        sa.ForeignKeyConstraint(
            ["parent_customer_id"],
            ["customer.id"],
            name=op.f("fk_corporate_group_member_parent_customer_id_customer"),
        ),
        sa.PrimaryKeyConstraint("group_id", "customer_id", name=op.f("pk_corporate_group_member")),
    )
    with op.batch_alter_table("corporate_group_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_corporate_group_member_customer_id"), ["customer_id"], unique=False)
    op.create_table(
        "guarantee_circle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("member_count", sa.Integer(), nullable=False),
        sa.Column("total_amount", sa.BigInteger(), nullable=False),
        sa.Column("derived_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("refreshed_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guarantee_circle")),
    )
    with op.batch_alter_table("guarantee_circle", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_guarantee_circle_fingerprint"), ["fingerprint"], unique=False)
        batch_op.create_index(batch_op.f("ix_guarantee_circle_status"), ["status"], unique=False)
    op.create_table(
        "guarantee_circle_member",
        sa.Column("circle_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["circle_id"], ["guarantee_circle.id"], name=op.f("fk_guarantee_circle_member_circle_id_guarantee_circle")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_guarantee_circle_member_customer_id_customer")
        ),
        sa.PrimaryKeyConstraint("circle_id", "customer_id", name=op.f("pk_guarantee_circle_member")),
    )
    with op.batch_alter_table("guarantee_circle_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_guarantee_circle_member_customer_id"), ["customer_id"], unique=False)
    _grant_permissions()


PERMISSIONS = [
    ("group.read", "View corporate groups and guarantee circles", "查看集团客户和担保圈"),
    ("group.review", "Derive corporate groups and accept or reject them", "识别集团客户并审核确认或驳回"),
]
# Credit exposure of a group is for risk, management and the managers serving its members;
# product managers work on products, not on customers' credit.
GRANTS = {
    "risk_manager": ["group.read", "group.review"],
    "management": ["group.read"],
    "account_manager": ["group.read"],
}


def _grant_permissions() -> None:
    perms = sa.table("permission", sa.column("code"), sa.column("label_en"), sa.column("label_zh"))
    op.bulk_insert(perms, [dict(zip(("code", "label_en", "label_zh"), p, strict=True)) for p in PERMISSIONS])
    conn = op.get_bind()
    grants = sa.table("role_permission", sa.column("role_id"), sa.column("permission_code"))
    for role_code, codes in GRANTS.items():
        role_id = conn.execute(sa.text("SELECT id FROM role WHERE code = :c"), {"c": role_code}).scalar_one()
        op.bulk_insert(grants, [{"role_id": role_id, "permission_code": c} for c in codes])


def downgrade() -> None:
    op.execute("DELETE FROM role_permission WHERE permission_code IN ('group.read', 'group.review')")
    op.execute("DELETE FROM permission WHERE code IN ('group.read', 'group.review')")
    with op.batch_alter_table("guarantee_circle_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guarantee_circle_member_customer_id"))
    op.drop_table("guarantee_circle_member")
    with op.batch_alter_table("guarantee_circle", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guarantee_circle_status"))
        batch_op.drop_index(batch_op.f("ix_guarantee_circle_fingerprint"))
    op.drop_table("guarantee_circle")
    with op.batch_alter_table("corporate_group_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_corporate_group_member_customer_id"))
    op.drop_table("corporate_group_member")
    with op.batch_alter_table("corporate_group", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_corporate_group_status"))
        batch_op.drop_index(batch_op.f("ix_corporate_group_core_customer_id"))
        batch_op.drop_index("ix_corporate_group_core_status")
    op.drop_table("corporate_group")
