"""Customers from source systems: source records (客户号对照), CIF aliases, match reviews, merges.

source_system and survivorship_rule are catalogues synced from reference_data/catalogue at upgrade
(a bank's later choice of a source's trust and priority, or a field's rule, is never overwritten).
New permissions (match.read, match.review, match.approve) come from the module registry.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 14:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bankcrm.models.base import UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "source_system",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("label_en", sa.String(length=200), nullable=False),
        sa.Column("label_zh", sa.String(length=200), nullable=False),
        sa.Column("trusted", sa.Boolean(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_source_system")),
    )
    op.create_table(
        "survivorship_rule",
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("rule", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("field", name=op.f("pk_survivorship_rule")),
    )
    op.create_table(
        "customer_source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("source_customer_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("change_request_id", sa.Integer(), nullable=True),
        sa.Column("match_method", sa.String(length=20), nullable=True),
        sa.Column("match_probability", sa.Float(), nullable=True),
        sa.Column("values_enc", sa.Text(), nullable=False),
        sa.Column("values_hash", sa.String(length=64), nullable=False),
        sa.Column("id_no_index", sa.String(length=64), nullable=True),
        sa.Column("first_seen", sa.Date(), nullable=False),
        sa.Column("last_seen", sa.Date(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_customer_source_customer_id_customer")),
        sa.ForeignKeyConstraint(
            ["change_request_id"],
            ["change_request.id"],
            name=op.f("fk_customer_source_change_request_id_change_request"),
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["ingest_batch.id"], name=op.f("fk_customer_source_batch_id_ingest_batch")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_source")),
        sa.UniqueConstraint("source", "source_customer_id", name=op.f("uq_customer_source_source")),
    )
    for column in ("source", "customer_id", "change_request_id", "id_no_index", "batch_id"):
        op.create_index(op.f(f"ix_customer_source_{column}"), "customer_source", [column], unique=False)
    op.create_table(
        "customer_merge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survivor_id", sa.Integer(), nullable=False),
        sa.Column("merged_id", sa.Integer(), nullable=False),
        sa.Column("merged_cif_no", sa.String(length=20), nullable=False),
        sa.Column("snapshot_enc", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("maker_id", sa.Integer(), nullable=True),
        sa.Column("checker_id", sa.Integer(), nullable=True),
        sa.Column("merged_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("unmerged_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("unmerged_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["survivor_id"], ["customer.id"], name=op.f("fk_customer_merge_survivor_id_customer")),
        sa.ForeignKeyConstraint(["merged_id"], ["customer.id"], name=op.f("fk_customer_merge_merged_id_customer")),
        sa.ForeignKeyConstraint(["maker_id"], ["app_user.id"], name=op.f("fk_customer_merge_maker_id_app_user")),
        sa.ForeignKeyConstraint(["checker_id"], ["app_user.id"], name=op.f("fk_customer_merge_checker_id_app_user")),
        sa.ForeignKeyConstraint(["unmerged_by"], ["app_user.id"], name=op.f("fk_customer_merge_unmerged_by_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_merge")),
    )
    op.create_index(op.f("ix_customer_merge_survivor_id"), "customer_merge", ["survivor_id"], unique=False)
    op.create_index(op.f("ix_customer_merge_merged_id"), "customer_merge", ["merged_id"], unique=False)
    op.create_table(
        "customer_alias",
        sa.Column("cif_no", sa.String(length=20), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("merge_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_customer_alias_customer_id_customer")),
        sa.ForeignKeyConstraint(
            ["merge_id"], ["customer_merge.id"], name=op.f("fk_customer_alias_merge_id_customer_merge")
        ),
        sa.PrimaryKeyConstraint("cif_no", name=op.f("pk_customer_alias")),
    )
    op.create_index(op.f("ix_customer_alias_customer_id"), "customer_alias", ["customer_id"], unique=False)
    op.create_index(op.f("ix_customer_alias_merge_id"), "customer_alias", ["merge_id"], unique=False)
    op.create_table(
        "match_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("other_customer_id", sa.Integer(), nullable=True),
        sa.Column("source_record_id", sa.Integer(), nullable=True),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("comparisons", sa.Text(), nullable=False),
        sa.Column("merge_id", sa.Integer(), nullable=True),
        sa.Column("maker_id", sa.Integer(), nullable=True),
        sa.Column("checker_id", sa.Integer(), nullable=True),
        sa.Column("decision_payload", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_match_review_customer_id_customer")),
        sa.ForeignKeyConstraint(
            ["other_customer_id"], ["customer.id"], name=op.f("fk_match_review_other_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["source_record_id"], ["customer_source.id"], name=op.f("fk_match_review_source_record_id_customer_source")
        ),
        sa.ForeignKeyConstraint(
            ["merge_id"], ["customer_merge.id"], name=op.f("fk_match_review_merge_id_customer_merge")
        ),
        sa.ForeignKeyConstraint(["maker_id"], ["app_user.id"], name=op.f("fk_match_review_maker_id_app_user")),
        sa.ForeignKeyConstraint(["checker_id"], ["app_user.id"], name=op.f("fk_match_review_checker_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_review")),
    )
    op.create_index(op.f("ix_match_review_customer_id"), "match_review", ["customer_id"], unique=False)
    op.create_index(op.f("ix_match_review_other_customer_id"), "match_review", ["other_customer_id"], unique=False)
    op.create_index(op.f("ix_match_review_source_record_id"), "match_review", ["source_record_id"], unique=False)
    op.create_index("ix_match_review_status_probability", "match_review", ["status", "probability"], unique=False)
    op.create_table(
        "match_distinct",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("other_customer_id", sa.Integer(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_match_distinct_customer_id_customer")),
        sa.ForeignKeyConstraint(
            ["other_customer_id"], ["customer.id"], name=op.f("fk_match_distinct_other_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(["decided_by"], ["app_user.id"], name=op.f("fk_match_distinct_decided_by_app_user")),
        sa.PrimaryKeyConstraint("customer_id", "other_customer_id", name=op.f("pk_match_distinct")),
    )
    op.create_index(op.f("ix_match_distinct_other_customer_id"), "match_distinct", ["other_customer_id"], unique=False)


def downgrade() -> None:
    op.drop_table("match_distinct")
    op.drop_index("ix_match_review_status_probability", table_name="match_review")
    op.drop_table("match_review")
    op.drop_table("customer_alias")
    op.drop_table("customer_merge")
    op.drop_table("customer_source")
    op.drop_table("survivorship_rule")
    op.drop_table("source_system")
