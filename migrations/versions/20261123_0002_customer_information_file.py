"""Customer information file: customers, profiles, contacts, change requests, field history, code tables.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 11:25:00.396863
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bankcrm.models.base import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "code_item",
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("parent_code", sa.String(length=40), nullable=True),
        sa.Column("label_en", sa.String(length=200), nullable=False),
        sa.Column("label_zh", sa.String(length=200), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("category", "code", name=op.f("pk_code_item")),
    )
    op.create_table(
        "counter",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_counter")),
    )
    op.create_table(
        "customer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cif_no", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=True),
        sa.Column("name_pinyin", sa.String(length=400), nullable=False),
        sa.Column("name_initials", sa.String(length=100), nullable=False),
        sa.Column("id_type", sa.String(length=20), nullable=True),
        sa.Column("id_no_enc", sa.Text(), nullable=True),
        sa.Column("id_no_index", sa.String(length=64), nullable=True),
        sa.Column("id_no_masked", sa.String(length=40), nullable=True),
        sa.Column("uscc", sa.String(length=18), nullable=True),
        sa.Column("home_unit_id", sa.Integer(), nullable=False),
        sa.Column("account_manager_id", sa.Integer(), nullable=True),
        sa.Column("source_channel", sa.String(length=20), nullable=True),
        sa.Column("wechat_id", sa.String(length=60), nullable=True),
        sa.Column("preferred_channel", sa.String(length=20), nullable=True),
        sa.Column("preferred_time", sa.String(length=20), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_manager_id"], ["app_user.id"], name=op.f("fk_customer_account_manager_id_app_user")
        ),
        sa.ForeignKeyConstraint(["home_unit_id"], ["org_unit.id"], name=op.f("fk_customer_home_unit_id_org_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer")),
        sa.UniqueConstraint("cif_no", name=op.f("uq_customer_cif_no")),
        sa.UniqueConstraint("uscc", name=op.f("uq_customer_uscc")),
    )
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customer_account_manager_id"), ["account_manager_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_customer_home_unit_id"), ["home_unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_customer_id_no_index"), ["id_no_index"], unique=False)
        batch_op.create_index("ix_customer_id_type_index", ["id_type", "id_no_index"], unique=False)
        batch_op.create_index(batch_op.f("ix_customer_name_initials"), ["name_initials"], unique=False)
        batch_op.create_index(batch_op.f("ix_customer_name_pinyin"), ["name_pinyin"], unique=False)

    op.create_table(
        "change_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("customer_kind", sa.String(length=12), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("fields", sa.String(length=400), nullable=False),
        sa.Column("payload_enc", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("id_no_index", sa.String(length=64), nullable=True),
        sa.Column("home_unit_id", sa.Integer(), nullable=False),
        sa.Column("maker_id", sa.Integer(), nullable=True),
        sa.Column("maker_name", sa.String(length=120), nullable=False),
        sa.Column("checker_id", sa.Integer(), nullable=True),
        sa.Column("checker_name", sa.String(length=120), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("submitted_at", UTCDateTime(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["checker_id"], ["app_user.id"], name=op.f("fk_change_request_checker_id_app_user")),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_change_request_customer_id_customer")),
        sa.ForeignKeyConstraint(
            ["home_unit_id"], ["org_unit.id"], name=op.f("fk_change_request_home_unit_id_org_unit")
        ),
        sa.ForeignKeyConstraint(["maker_id"], ["app_user.id"], name=op.f("fk_change_request_maker_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_request")),
    )
    with op.batch_alter_table("change_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_change_request_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_change_request_id_no_index"), ["id_no_index"], unique=False)
        batch_op.create_index(batch_op.f("ix_change_request_status"), ["status"], unique=False)

    op.create_table(
        "contact_person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("phone_enc", sa.Text(), nullable=True),
        sa.Column("phone_masked", sa.String(length=30), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_contact_person_customer_id_customer"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_person")),
    )
    with op.batch_alter_table("contact_person", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_person_customer_id"), ["customer_id"], unique=False)

    op.create_table(
        "corporate_profile",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("company_type", sa.String(length=20), nullable=True),
        sa.Column("legal_rep_name", sa.String(length=100), nullable=True),
        sa.Column("registered_capital", sa.BigInteger(), nullable=True),
        sa.Column("capital_currency", sa.String(length=3), nullable=True),
        sa.Column("established_on", sa.Date(), nullable=True),
        sa.Column("operating_term_to", sa.Date(), nullable=True),
        sa.Column("business_scope", sa.Text(), nullable=True),
        sa.Column("registered_address", sa.String(length=300), nullable=True),
        sa.Column("registration_authority", sa.String(length=200), nullable=True),
        sa.Column("licence_expiry", sa.Date(), nullable=True),
        sa.Column("industry_section", sa.String(length=1), nullable=True),
        sa.Column("industry_division", sa.String(length=2), nullable=True),
        sa.Column("enterprise_size", sa.String(length=10), nullable=True),
        sa.Column("listed", sa.Boolean(), nullable=False),
        sa.Column("stock_code", sa.String(length=12), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_corporate_profile_customer_id_customer"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_corporate_profile")),
    )
    op.create_table(
        "customer_contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=300), nullable=True),
        sa.Column("value_enc", sa.Text(), nullable=True),
        sa.Column("value_index", sa.String(length=64), nullable=True),
        sa.Column("value_masked", sa.String(length=300), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("preferred", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_customer_contact_customer_id_customer"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_contact")),
    )
    with op.batch_alter_table("customer_contact", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customer_contact_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_customer_contact_value_index"), ["value_index"], unique=False)

    op.create_table(
        "family_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("relation", sa.String(length=20), nullable=False),
        sa.Column("member_customer_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_family_member_customer_id_customer"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["member_customer_id"], ["customer.id"], name=op.f("fk_family_member_member_customer_id_customer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_family_member")),
    )
    with op.batch_alter_table("family_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_family_member_customer_id"), ["customer_id"], unique=False)

    op.create_table(
        "individual_profile",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("gender", sa.String(length=1), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("nationality", sa.String(length=3), nullable=True),
        sa.Column("ethnicity", sa.String(length=4), nullable=True),
        sa.Column("id_issue_date", sa.Date(), nullable=True),
        sa.Column("id_expiry_date", sa.Date(), nullable=True),
        sa.Column("marital_status", sa.String(length=4), nullable=True),
        sa.Column("education", sa.String(length=4), nullable=True),
        sa.Column("employer", sa.String(length=200), nullable=True),
        sa.Column("industry", sa.String(length=4), nullable=True),
        sa.Column("occupation", sa.String(length=4), nullable=True),
        sa.Column("position", sa.String(length=100), nullable=True),
        sa.Column("employed_since", sa.Date(), nullable=True),
        sa.Column("income_band", sa.String(length=4), nullable=True),
        sa.Column("household_size", sa.Integer(), nullable=True),
        sa.Column("dependants", sa.Integer(), nullable=True),
        sa.Column("household_income", sa.BigInteger(), nullable=True),
        sa.Column("home_ownership", sa.String(length=12), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_individual_profile_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_individual_profile")),
    )
    with op.batch_alter_table("individual_profile", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_individual_profile_birth_date"), ["birth_date"], unique=False)

    op.create_table(
        "customer_field_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=60), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_by_name", sa.String(length=120), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.Column("change_request_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["change_request_id"],
            ["change_request.id"],
            name=op.f("fk_customer_field_change_change_request_id_change_request"),
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_id"], ["app_user.id"], name=op.f("fk_customer_field_change_changed_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_customer_field_change_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_field_change")),
    )
    with op.batch_alter_table("customer_field_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customer_field_change_customer_id"), ["customer_id"], unique=False)

    _grant_customer_permissions()


PERMISSIONS = [
    ("customer.read", "View customers", "查看客户"),
    ("customer.write", "Enter and change customers", "录入和修改客户"),
    ("customer.approve", "Approve customer changes", "审批客户信息变更"),
    ("pii.unmask", "Reveal masked personal data", "查看完整个人敏感信息"),
]
# Front-office roles enter customers; leadership and operations approve; account managers (who call
# their customers), leadership, operations and risk may unmask, each reveal audited.
# The administrator runs the system and sees no customer data (separation of duties).
GRANTS = {
    "management": ["customer.read", "customer.approve", "pii.unmask"],
    "account_manager": ["customer.read", "customer.write", "pii.unmask"],
    "lobby_manager": ["customer.read", "customer.write"],
    "teller": ["customer.read", "customer.write"],
    "product_manager": ["customer.read"],
    "risk_manager": ["customer.read", "pii.unmask"],
    "operations_manager": ["customer.read", "customer.write", "customer.approve", "pii.unmask"],
}


def _grant_customer_permissions() -> None:
    perms = sa.table("permission", sa.column("code"), sa.column("label_en"), sa.column("label_zh"))
    op.bulk_insert(perms, [dict(zip(("code", "label_en", "label_zh"), p, strict=True)) for p in PERMISSIONS])
    conn = op.get_bind()
    grants = sa.table("role_permission", sa.column("role_id"), sa.column("permission_code"))
    for role_code, codes in GRANTS.items():
        role_id = conn.execute(sa.text("SELECT id FROM role WHERE code = :c"), {"c": role_code}).scalar_one()
        op.bulk_insert(grants, [{"role_id": role_id, "permission_code": c} for c in codes])


def downgrade() -> None:
    op.execute(
        "DELETE FROM role_permission WHERE permission_code IN "
        "('customer.read', 'customer.write', 'customer.approve', 'pii.unmask')"
    )
    op.execute(
        "DELETE FROM permission WHERE code IN ('customer.read', 'customer.write', 'customer.approve', 'pii.unmask')"
    )
    with op.batch_alter_table("customer_field_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_field_change_customer_id"))

    op.drop_table("customer_field_change")
    with op.batch_alter_table("individual_profile", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_individual_profile_birth_date"))

    op.drop_table("individual_profile")
    with op.batch_alter_table("family_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_family_member_customer_id"))

    op.drop_table("family_member")
    with op.batch_alter_table("customer_contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_contact_value_index"))
        batch_op.drop_index(batch_op.f("ix_customer_contact_customer_id"))

    op.drop_table("customer_contact")
    op.drop_table("corporate_profile")
    with op.batch_alter_table("contact_person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_person_customer_id"))

    op.drop_table("contact_person")
    with op.batch_alter_table("change_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_change_request_status"))
        batch_op.drop_index(batch_op.f("ix_change_request_id_no_index"))
        batch_op.drop_index(batch_op.f("ix_change_request_customer_id"))

    op.drop_table("change_request")
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_name_pinyin"))
        batch_op.drop_index(batch_op.f("ix_customer_name_initials"))
        batch_op.drop_index("ix_customer_id_type_index")
        batch_op.drop_index(batch_op.f("ix_customer_id_no_index"))
        batch_op.drop_index(batch_op.f("ix_customer_home_unit_id"))
        batch_op.drop_index(batch_op.f("ix_customer_account_manager_id"))

    op.drop_table("customer")
    op.drop_table("counter")
    op.drop_table("code_item")
