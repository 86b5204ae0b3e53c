"""Leads and referrals: leads (customer or prospect, C2 phone/ID encrypted and indexed), assignment spells,
round-robin rotas, the referrers' points ledger.

Sources, interests and reasons are code tables; statuses the ``lead`` workflow; both synced after the upgrade.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-04 00:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bankcrm.models.base import UTCDateTime

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"))


def upgrade() -> None:
    op.create_table(
        "lead",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("interest", sa.String(length=20), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("prospect_name", sa.String(length=100), nullable=True),
        sa.Column("phone_enc", sa.Text(), nullable=True),
        sa.Column("phone_index", sa.String(length=64), nullable=True),
        sa.Column("phone_masked", sa.String(length=30), nullable=True),
        sa.Column("id_type", sa.String(length=10), nullable=True),
        sa.Column("id_no_enc", sa.Text(), nullable=True),
        sa.Column("id_no_index", sa.String(length=64), nullable=True),
        sa.Column("id_no_masked", sa.String(length=40), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=True),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("assigned_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("assigned_by_rule", sa.String(length=30), nullable=True),
        sa.Column("accept_due_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("accepted_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("referrer_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("external_system", sa.String(length=20), nullable=True),
        sa.Column("external_ref", sa.String(length=60), nullable=True),
        sa.Column("batch_id", sa.BigInteger(), nullable=True),
        sa.Column("change_request_id", sa.Integer(), nullable=True),
        sa.Column("opportunity_id", sa.BigInteger(), nullable=True),
        sa.Column("converted_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        _fk("lead", "customer_id", "customer"),
        _fk("lead", "unit_id", "org_unit"),
        sa.ForeignKeyConstraint(["assignee_id"], ["app_user.id"], name=op.f("fk_lead_assignee_id_app_user")),
        sa.ForeignKeyConstraint(["referrer_id"], ["app_user.id"], name=op.f("fk_lead_referrer_id_app_user")),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], name=op.f("fk_lead_created_by_app_user")),
        _fk("lead", "change_request_id", "change_request"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead")),
        sa.UniqueConstraint("external_system", "external_ref", name=op.f("uq_lead_external_system")),
    )
    op.create_index("ix_lead_customer_id", "lead", ["customer_id"])
    op.create_index("ix_lead_phone_index", "lead", ["phone_index"])
    op.create_index("ix_lead_id_no_index", "lead", ["id_no_index"])
    op.create_index("ix_lead_referrer_id", "lead", ["referrer_id"])
    op.create_index("ix_lead_created_by", "lead", ["created_by"])
    op.create_index("ix_lead_unit_status", "lead", ["unit_id", "status", "id"])
    op.create_index("ix_lead_assignee_status", "lead", ["assignee_id", "status", "id"])
    op.create_index("ix_lead_accept_due", "lead", ["status", "accept_due_at"])
    op.create_table(
        "lead_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=30), nullable=False),
        sa.Column("assigned_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("assigned_by", sa.String(length=60), nullable=False),
        sa.Column("ended_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_how", sa.String(length=20), nullable=True),
        _fk("lead_assignment", "lead_id", "lead"),
        sa.ForeignKeyConstraint(["assignee_id"], ["app_user.id"], name=op.f("fk_lead_assignment_assignee_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_assignment")),
    )
    op.create_index("ix_lead_assignment_lead_id", "lead_assignment", ["lead_id"])
    op.create_table(
        "lead_rota",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("interest", sa.String(length=20), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("given", sa.BigInteger(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _fk("lead_rota", "unit_id", "org_unit"),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_lead_rota_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_rota")),
        sa.UniqueConstraint("unit_id", "interest", "user_id", name=op.f("uq_lead_rota_unit_id")),
    )
    op.create_table(
        "referral_points",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("earned_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_referral_points_user_id_app_user")),
        _fk("referral_points", "unit_id", "org_unit"),
        _fk("referral_points", "lead_id", "lead"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_points")),
        sa.UniqueConstraint("lead_id", name=op.f("uq_referral_points_lead_id")),
    )
    op.create_index("ix_referral_points_month", "referral_points", ["month", "unit_id"])


def downgrade() -> None:
    op.drop_table("referral_points")
    op.drop_table("lead_rota")
    op.drop_table("lead_assignment")
    op.drop_table("lead")
