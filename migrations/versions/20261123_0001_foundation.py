"""foundation: org tree, users, roles, sessions, tokens, audit

Revision ID: 0001
Revises:
Create Date: 2026-11-23 03:42:24.024395
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from bankcrm.models.base import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "audit_event",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor_username", sa.String(length=40), nullable=True),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("entity_type", sa.String(length=40), nullable=True),
        sa.Column("entity_id", sa.String(length=64), nullable=True),
        sa.Column("changes", sa.Text(), nullable=True),
        sa.Column("detail", sa.String(length=500), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_event")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_event_hash")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_actor_user_id"), ["actor_user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_occurred_at"), ["occurred_at"], unique=False)

    op.create_table(
        "org_unit_kind",
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("label_en", sa.String(length=60), nullable=False),
        sa.Column("label_zh", sa.String(length=60), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_org_unit_kind")),
    )
    op.create_table(
        "permission",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("label_en", sa.String(length=120), nullable=False),
        sa.Column("label_zh", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_permission")),
    )
    op.create_table(
        "role",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("label_en", sa.String(length=80), nullable=False),
        sa.Column("label_zh", sa.String(length=80), nullable=False),
        sa.Column("data_scope", sa.String(length=10), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.CheckConstraint("data_scope IN ('own', 'unit', 'all')", name=op.f("ck_role_data_scope")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role")),
        sa.UniqueConstraint("code", name=op.f("uq_role_code")),
    )
    op.create_table(
        "org_unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name_en", sa.String(length=120), nullable=False),
        sa.Column("name_zh", sa.String(length=120), nullable=False),
        sa.Column("kind_code", sa.String(length=20), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("path", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["kind_code"], ["org_unit_kind.code"], name=op.f("fk_org_unit_kind_code_org_unit_kind")
        ),
        sa.ForeignKeyConstraint(["parent_id"], ["org_unit.id"], name=op.f("fk_org_unit_parent_id_org_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_unit")),
        sa.UniqueConstraint("code", name=op.f("uq_org_unit_code")),
    )
    with op.batch_alter_table("org_unit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_org_unit_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_org_unit_path"), ["path"], unique=False)

    op.create_table(
        "role_permission",
        sa.Column("role_id", sa.Integer(), nullable=False),
        sa.Column("permission_code", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["permission_code"],
            ["permission.code"],
            name=op.f("fk_role_permission_permission_code_permission"),
        ),
        sa.ForeignKeyConstraint(
            ["role_id"], ["role.id"], name=op.f("fk_role_permission_role_id_role"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("role_id", "permission_code", name=op.f("pk_role_permission")),
    )
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=40), nullable=False),
        sa.Column("display_name", sa.String(length=80), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", UTCDateTime(), nullable=True),
        sa.Column("last_login_at", UTCDateTime(), nullable=True),
        sa.Column("password_changed_at", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["org_unit_id"], ["org_unit.id"], name=op.f("fk_app_user_org_unit_id_org_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("username", name=op.f("uq_app_user_username")),
    )
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_app_user_org_unit_id"), ["org_unit_id"], unique=False)

    op.create_table(
        "api_token",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("last_used_at", UTCDateTime(), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_api_token_user_id_app_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_user_id"), ["user_id"], unique=False)

    op.create_table(
        "user_role",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["role_id"], ["role.id"], name=op.f("fk_user_role_role_id_role")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_user_role_user_id_app_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "role_id", name=op.f("pk_user_role")),
    )
    op.create_table(
        "user_session",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("end_reason", sa.String(length=20), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_user_session_user_id_app_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_session")),
    )
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_session_user_id"), ["user_id"], unique=False)

    _seed_catalogues()
    _make_audit_append_only()


UNIT_KINDS = [
    ("head_office", "Head office", "总行", 1),
    ("branch", "Branch", "分行", 2),
    ("sub_branch", "Sub-branch", "支行", 3),
    ("outlet", "Outlet", "网点", 4),
]

PERMISSIONS = [
    ("org.read", "View org units", "查看机构"),
    ("org.manage", "Create and change org units", "新建和修改机构"),
    ("user.read", "View users", "查看用户"),
    ("user.manage", "Create, disable and change users", "新建、停用和修改用户"),
    ("role.manage", "Change roles' permissions", "修改角色权限"),
    ("audit.read", "View the audit log", "查看审计日志"),
]

# (code, English, Chinese, data scope, sort order, permissions granted at install)
ROLES = [
    (
        "admin",
        "Administrator",
        "系统管理员",
        "all",
        10,
        ["org.read", "org.manage", "user.read", "user.manage", "role.manage", "audit.read"],
    ),
    ("management", "Management", "管理层", "unit", 20, ["org.read", "user.read"]),
    ("account_manager", "Account manager", "客户经理", "own", 30, []),
    ("lobby_manager", "Lobby manager", "大堂经理", "unit", 40, []),
    ("teller", "Teller", "柜员", "unit", 50, []),
    ("product_manager", "Product manager", "产品经理", "all", 60, []),
    ("risk_manager", "Risk manager", "风险经理", "all", 70, []),
    ("operations_manager", "Operations manager", "运营经理", "unit", 80, ["org.read", "user.read"]),
]


def _seed_catalogues() -> None:
    """Catalogues are data: unit kinds, permissions, roles and their initial grants, the head office."""
    kinds = sa.table(
        "org_unit_kind", sa.column("code"), sa.column("label_en"), sa.column("label_zh"), sa.column("level")
    )
    op.bulk_insert(kinds, [dict(zip(("code", "label_en", "label_zh", "level"), k, strict=True)) for k in UNIT_KINDS])
    perms = sa.table("permission", sa.column("code"), sa.column("label_en"), sa.column("label_zh"))
    op.bulk_insert(perms, [dict(zip(("code", "label_en", "label_zh"), p, strict=True)) for p in PERMISSIONS])
    roles = sa.table(
        "role",
        sa.column("id"),
        sa.column("code"),
        sa.column("label_en"),
        sa.column("label_zh"),
        sa.column("data_scope"),
        sa.column("sort_order"),
    )
    grants = sa.table("role_permission", sa.column("role_id"), sa.column("permission_code"))
    for role_id, (code, en, zh, scope, order, granted) in enumerate(ROLES, start=1):
        op.bulk_insert(
            roles,
            [
                {
                    "id": role_id,
                    "code": code,
                    "label_en": en,
                    "label_zh": zh,
                    "data_scope": scope,
                    "sort_order": order,
                }
            ],
        )
        op.bulk_insert(grants, [{"role_id": role_id, "permission_code": p} for p in granted])
    units = sa.table(
        "org_unit",
        sa.column("id"),
        sa.column("code"),
        sa.column("name_en"),
        sa.column("name_zh"),
        sa.column("kind_code"),
        sa.column("parent_id"),
        sa.column("path"),
        sa.column("active"),
        sa.column("created_at", UTCDateTime()),
    )
    op.bulk_insert(
        units,
        [
            {
                "id": 1,
                "code": "HO",
                "name_en": "Head Office",
                "name_zh": "总行",
                "kind_code": "head_office",
                "parent_id": None,
                "path": "/1/",
                "active": True,
                "created_at": datetime.now(UTC),
            }
        ],
    )
    if op.get_bind().dialect.name == "postgresql":
        # Explicit ids above do not advance PostgreSQL sequences.
        op.execute("SELECT setval('role_id_seq', (SELECT max(id) FROM role))")
        op.execute("SELECT setval('org_unit_id_seq', (SELECT max(id) FROM org_unit))")


def _make_audit_append_only() -> None:
    """Refuse UPDATE and DELETE on the audit log in the database itself, not only in code."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event "
                "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")

    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_session_user_id"))

    op.drop_table("user_session")
    op.drop_table("user_role")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_user_id"))

    op.drop_table("api_token")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_app_user_org_unit_id"))

    op.drop_table("app_user")
    op.drop_table("role_permission")
    with op.batch_alter_table("org_unit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_org_unit_path"))
        batch_op.drop_index(batch_op.f("ix_org_unit_parent_id"))

    op.drop_table("org_unit")
    op.drop_table("role")
    op.drop_table("permission")
    op.drop_table("org_unit_kind")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_occurred_at"))
        batch_op.drop_index(batch_op.f("ix_audit_event_actor_user_id"))
        batch_op.drop_index(batch_op.f("ix_audit_event_action"))

    op.drop_table("audit_event")
