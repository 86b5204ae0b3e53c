"""Holdings from core banking, file ingest, derived figures and follow-up tasks.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 14:38:47.029681
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bankcrm.models.base import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ingest_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("file_type", sa.String(length=20), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("current_run_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_batch")),
        sa.UniqueConstraint("source", "file_type", "business_date", name=op.f("uq_ingest_batch_source")),
    )
    op.create_table(
        "product",
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("category", sa.String(length=12), nullable=False),
        sa.Column("label_en", sa.String(length=200), nullable=False),
        sa.Column("label_zh", sa.String(length=200), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("term_months", sa.Integer(), nullable=True),
        sa.Column("risk_level", sa.String(length=2), nullable=True),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_product")),
    )
    op.create_table(
        "ingest_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("encoding", sa.String(length=10), nullable=False),
        sa.Column("replaced", sa.Boolean(), nullable=False),
        sa.Column("rows_in", sa.Integer(), nullable=False),
        sa.Column("rows_loaded", sa.Integer(), nullable=False),
        sa.Column("rows_rejected", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=60), nullable=False),
        sa.Column("started_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["ingest_batch.id"], name=op.f("fk_ingest_run_batch_id_ingest_batch")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_run")),
    )
    with op.batch_alter_table("ingest_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ingest_run_batch_id"), ["batch_id"], unique=False)

    op.create_table(
        "ingest_reject",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=60), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["ingest_run.id"], name=op.f("fk_ingest_reject_run_id_ingest_run"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_reject")),
    )
    with op.batch_alter_table("ingest_reject", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ingest_reject_run_id"), ["run_id"], unique=False)

    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("account_no_enc", sa.Text(), nullable=False),
        sa.Column("account_no_index", sa.String(length=64), nullable=False),
        sa.Column("account_no_masked", sa.String(length=40), nullable=False),
        sa.Column("product_code", sa.String(length=20), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("open_date", sa.Date(), nullable=False),
        sa.Column("close_date", sa.Date(), nullable=True),
        sa.Column("rate_bp", sa.Integer(), nullable=True),
        sa.Column("maturity_date", sa.Date(), nullable=True),
        sa.Column("auto_renew", sa.Boolean(), nullable=True),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        sa.Column("balance_date", sa.Date(), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["ingest_batch.id"], name=op.f("fk_account_batch_id_ingest_batch")),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_account_customer_id_customer")),
        sa.ForeignKeyConstraint(["product_code"], ["product.code"], name=op.f("fk_account_product_code_product")),
        sa.ForeignKeyConstraint(["unit_id"], ["org_unit.id"], name=op.f("fk_account_unit_id_org_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account")),
        sa.UniqueConstraint("account_no_index", name=op.f("uq_account_account_no_index")),
    )
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_account_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_account_maturity_date"), ["maturity_date"], unique=False)

    op.create_table(
        "customer_figure",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("aum", sa.BigInteger(), nullable=False),
        sa.Column("deposit_balance", sa.BigInteger(), nullable=False),
        sa.Column("loan_balance", sa.BigInteger(), nullable=False),
        sa.Column("monthly_avg_balance", sa.BigInteger(), nullable=False),
        sa.Column("product_count", sa.Integer(), nullable=False),
        sa.Column("last_txn_date", sa.Date(), nullable=True),
        sa.Column("balance_series", sa.Text(), nullable=False),
        sa.Column("computed_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_customer_figure_customer_id_customer")),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_customer_figure")),
    )
    op.create_table(
        "customer_figure_dirty",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_customer_figure_dirty_customer_id_customer")
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_customer_figure_dirty")),
    )
    op.create_table(
        "loan_contract",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("contract_no_enc", sa.Text(), nullable=False),
        sa.Column("contract_no_index", sa.String(length=64), nullable=False),
        sa.Column("contract_no_masked", sa.String(length=40), nullable=False),
        sa.Column("product_code", sa.String(length=20), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("drawn", sa.BigInteger(), nullable=False),
        sa.Column("outstanding", sa.BigInteger(), nullable=False),
        sa.Column("rate_bp", sa.Integer(), nullable=False),
        sa.Column("term_months", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("maturity_date", sa.Date(), nullable=False),
        sa.Column("repayment_method", sa.String(length=20), nullable=False),
        sa.Column("guarantee_type", sa.String(length=20), nullable=False),
        sa.Column("classification", sa.String(length=20), nullable=False),
        sa.Column("days_overdue", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["ingest_batch.id"], name=op.f("fk_loan_contract_batch_id_ingest_batch")),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_loan_contract_customer_id_customer")),
        sa.ForeignKeyConstraint(["product_code"], ["product.code"], name=op.f("fk_loan_contract_product_code_product")),
        sa.ForeignKeyConstraint(["unit_id"], ["org_unit.id"], name=op.f("fk_loan_contract_unit_id_org_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loan_contract")),
        sa.UniqueConstraint("contract_no_index", name=op.f("uq_loan_contract_contract_no_index")),
    )
    with op.batch_alter_table("loan_contract", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_loan_contract_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_loan_contract_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_loan_contract_maturity_date"), ["maturity_date"], unique=False)

    op.create_table(
        "task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("holding_kind", sa.String(length=12), nullable=True),
        sa.Column("holding_id", sa.Integer(), nullable=True),
        sa.Column("product_code", sa.String(length=20), nullable=True),
        sa.Column("maturity_date", sa.Date(), nullable=True),
        sa.Column("window_days", sa.Integer(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("amount_due", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("amount_kept", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("completed_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("completed_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["assignee_id"], ["app_user.id"], name=op.f("fk_task_assignee_id_app_user")),
        sa.ForeignKeyConstraint(["completed_by"], ["app_user.id"], name=op.f("fk_task_completed_by_app_user")),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_task_customer_id_customer")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task")),
        sa.UniqueConstraint("kind", "holding_kind", "holding_id", "maturity_date", name=op.f("uq_task_kind")),
    )
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_assignee_id"), ["assignee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_task_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_task_maturity_date"), ["maturity_date"], unique=False)

    op.create_table(
        "account_transaction",
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("voucher_no", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("txn_time", UTCDateTime(timezone=True), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("direction", sa.String(length=1), nullable=False),
        sa.Column("channel", sa.String(length=12), nullable=False),
        sa.Column("counterparty_name", sa.String(length=200), nullable=True),
        sa.Column("counterparty_bank", sa.String(length=200), nullable=True),
        sa.Column("purpose_code", sa.String(length=12), nullable=True),
        sa.Column("summary", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("batch_id", "voucher_no", name=op.f("pk_account_transaction")),
    )
    with op.batch_alter_table("account_transaction", schema=None) as batch_op:
        batch_op.create_index("ix_account_transaction_customer_time", ["customer_id", "txn_time"], unique=False)

    op.create_table(
        "balance_snapshot",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("balance_date", sa.Date(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], name=op.f("fk_balance_snapshot_account_id_account")),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["ingest_batch.id"], name=op.f("fk_balance_snapshot_batch_id_ingest_batch")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_balance_snapshot_customer_id_customer")
        ),
        sa.PrimaryKeyConstraint("account_id", "balance_date", name=op.f("pk_balance_snapshot")),
    )
    with op.batch_alter_table("balance_snapshot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_balance_snapshot_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index("ix_balance_snapshot_customer_date", ["customer_id", "balance_date"], unique=False)

    _grant_permissions()


PERMISSIONS = [
    ("ingest.read", "View file ingest runs and their rejects", "查看数据导入记录及拒绝明细"),
    ("task.work", "Work follow-up tasks", "处理跟进任务"),
]
# Rejected rows are shown as delivered (account numbers in clear), so only operations sees them.
GRANTS = {
    "operations_manager": ["ingest.read", "task.work"],
    "management": ["task.work"],
    "account_manager": ["task.work"],
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
    op.execute("DELETE FROM role_permission WHERE permission_code IN ('ingest.read', 'task.work')")
    op.execute("DELETE FROM permission WHERE code IN ('ingest.read', 'task.work')")
    with op.batch_alter_table("balance_snapshot", schema=None) as batch_op:
        batch_op.drop_index("ix_balance_snapshot_customer_date")
        batch_op.drop_index(batch_op.f("ix_balance_snapshot_batch_id"))

    op.drop_table("balance_snapshot")
    with op.batch_alter_table("account_transaction", schema=None) as batch_op:
        batch_op.drop_index("ix_account_transaction_customer_time")

    op.drop_table("account_transaction")
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_maturity_date"))
        batch_op.drop_index(batch_op.f("ix_task_customer_id"))
        batch_op.drop_index(batch_op.f("ix_task_assignee_id"))

    op.drop_table("task")
    with op.batch_alter_table("loan_contract", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_loan_contract_maturity_date"))
        batch_op.drop_index(batch_op.f("ix_loan_contract_customer_id"))
        batch_op.drop_index(batch_op.f("ix_loan_contract_batch_id"))

    op.drop_table("loan_contract")
    op.drop_table("customer_figure_dirty")
    op.drop_table("customer_figure")
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_maturity_date"))
        batch_op.drop_index(batch_op.f("ix_account_customer_id"))
        batch_op.drop_index(batch_op.f("ix_account_batch_id"))

    op.drop_table("account")
    with op.batch_alter_table("ingest_reject", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ingest_reject_run_id"))

    op.drop_table("ingest_reject")
    with op.batch_alter_table("ingest_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ingest_run_batch_id"))

    op.drop_table("ingest_run")
    op.drop_table("product")
    op.drop_table("ingest_batch")
