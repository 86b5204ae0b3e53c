"""Account-manager assignments (primary and co-managers with shares), transfers with approval.

New permissions: assignment.request (management, account_manager) files a change of managers;
assignment.approve (management) decides one. Every customer that has an account manager gets one
primary assignment with share 100 %, valid from the (UTC) date the customer was created.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bankcrm.models.base import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

PERMISSIONS = [
    ("assignment.request", "Request changes of customers' account managers", "申请变更客户的客户经理"),
    ("assignment.approve", "Approve changes of customers' account managers", "审批客户经理变更"),
]
GRANTS = {
    "management": ["assignment.request", "assignment.approve"],
    "account_manager": ["assignment.request"],
}


def upgrade() -> None:
    op.create_table(
        "assignment_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("from_manager_id", sa.Integer(), nullable=True),
        sa.Column("to_manager_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("customer_count", sa.Integer(), nullable=False),
        sa.Column("maker_id", sa.Integer(), nullable=True),
        sa.Column("maker_name", sa.String(length=120), nullable=False),
        sa.Column("checker_id", sa.Integer(), nullable=True),
        sa.Column("checker_name", sa.String(length=120), nullable=True),
        sa.Column("decision_reason", sa.String(length=500), nullable=True),
        sa.Column("submitted_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('transfer', 'change')", name=op.f("ck_assignment_request_kind")),
        sa.CheckConstraint(
            "status IN ('submitted', 'approved', 'rejected')", name=op.f("ck_assignment_request_status")
        ),
        sa.ForeignKeyConstraint(
            ["checker_id"], ["app_user.id"], name=op.f("fk_assignment_request_checker_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["from_manager_id"], ["app_user.id"], name=op.f("fk_assignment_request_from_manager_id_app_user")
        ),
        sa.ForeignKeyConstraint(["maker_id"], ["app_user.id"], name=op.f("fk_assignment_request_maker_id_app_user")),
        sa.ForeignKeyConstraint(
            ["to_manager_id"], ["app_user.id"], name=op.f("fk_assignment_request_to_manager_id_app_user")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["org_unit.id"], name=op.f("fk_assignment_request_unit_id_org_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_request")),
    )
    with op.batch_alter_table("assignment_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assignment_request_maker_id"), ["maker_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assignment_request_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_assignment_request_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "assignment_request_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("before", sa.Text(), nullable=False),
        sa.Column("after", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_assignment_request_item_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["assignment_request.id"],
            name=op.f("fk_assignment_request_item_request_id_assignment_request"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_request_item")),
    )
    with op.batch_alter_table("assignment_request_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assignment_request_item_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assignment_request_item_request_id"), ["request_id"], unique=False)

    op.create_table(
        "manager_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("share_bp", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("ended_request_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('primary', 'co')", name=op.f("ck_manager_assignment_role")),
        sa.CheckConstraint("share_bp BETWEEN 0 AND 10000", name=op.f("ck_manager_assignment_share_bp")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["app_user.id"], name=op.f("fk_manager_assignment_created_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_manager_assignment_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["ended_request_id"],
            ["assignment_request.id"],
            name=op.f("fk_manager_assignment_ended_request_id_assignment_request"),
        ),
        sa.ForeignKeyConstraint(
            ["manager_id"], ["app_user.id"], name=op.f("fk_manager_assignment_manager_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"], ["assignment_request.id"], name=op.f("fk_manager_assignment_request_id_assignment_request")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_manager_assignment")),
    )
    with op.batch_alter_table("manager_assignment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_manager_assignment_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_manager_assignment_manager_id"), ["manager_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_manager_assignment_request_id"), ["request_id"], unique=False)

    _backfill_primaries()
    _grant_permissions()


def _backfill_primaries() -> None:
    """One open primary assignment, share 100 %, for every customer with an account manager."""
    conn = op.get_bind()
    # The UTC calendar date of created_at (SQLite keeps naive UTC text, PostgreSQL timestamptz).
    day = "date(created_at)" if conn.dialect.name == "sqlite" else "CAST(created_at AT TIME ZONE 'UTC' AS DATE)"
    columns = "customer_id, manager_id, role, share_bp, valid_from, created_at"
    chosen = f"id, account_manager_id, 'primary', 10000, {day}, CURRENT_TIMESTAMP"
    where = "account_manager_id IS NOT NULL"
    op.execute(f"INSERT INTO manager_assignment ({columns}) SELECT {chosen} FROM customer WHERE {where}")  # noqa: S608


def _grant_permissions() -> None:
    perms = sa.table("permission", sa.column("code"), sa.column("label_en"), sa.column("label_zh"))
    op.bulk_insert(perms, [dict(zip(("code", "label_en", "label_zh"), p, strict=True)) for p in PERMISSIONS])
    conn = op.get_bind()
    grants = sa.table("role_permission", sa.column("role_id"), sa.column("permission_code"))
    for role_code, codes in GRANTS.items():
        role_id = conn.execute(sa.text("SELECT id FROM role WHERE code = :c"), {"c": role_code}).scalar_one()
        op.bulk_insert(grants, [{"role_id": role_id, "permission_code": c} for c in codes])


def downgrade() -> None:
    op.execute("DELETE FROM role_permission WHERE permission_code IN ('assignment.request', 'assignment.approve')")
    op.execute("DELETE FROM permission WHERE code IN ('assignment.request', 'assignment.approve')")
    with op.batch_alter_table("manager_assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_manager_assignment_request_id"))
        batch_op.drop_index(batch_op.f("ix_manager_assignment_manager_id"))
        batch_op.drop_index(batch_op.f("ix_manager_assignment_customer_id"))
    op.drop_table("manager_assignment")
    with op.batch_alter_table("assignment_request_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignment_request_item_request_id"))
        batch_op.drop_index(batch_op.f("ix_assignment_request_item_customer_id"))
    op.drop_table("assignment_request_item")
    with op.batch_alter_table("assignment_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignment_request_unit_id"))
        batch_op.drop_index(batch_op.f("ix_assignment_request_status"))
        batch_op.drop_index(batch_op.f("ix_assignment_request_maker_id"))
    op.drop_table("assignment_request")
