"""Rejected ingest rows stored masked (the delivered row only encrypted), runs keep their header, re-runs.

ingest_reject.raw held rows as delivered, in clear. It now holds them masked, and raw_enc the
delivered row encrypted; the migration has no key, so rows stored before it are starred value by
value and stay without raw_enc (they can be neither shown whole nor re-run). ingest_run gains the
file's header (for its rejects' columns) and rerun_of (a re-run of an earlier run's rejects; no
foreign key, like ingest_batch.current_run_id).

New permissions: ingest.rerun (operations_manager) re-runs a run's rejected rows;
ingest.rejects.unmask (granted to no role: an administrator grants it to whoever may see whole
files, whatever their data scope) downloads rejected rows as delivered, audited.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 15:00:00.000000
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

PERMISSIONS = [
    ("ingest.rerun", "Re-run the rejected rows of ingest runs", "重新导入数据导入的拒绝记录"),
    (
        "ingest.rejects.unmask",
        "See rejected ingest rows as delivered (unmasked, every customer)",
        "查看数据导入拒绝记录原文（不脱敏，含全部客户）",
    ),
]
GRANTS = {"operations_manager": ["ingest.rerun"]}
STARS = "****"
PAGE = 1000


def upgrade() -> None:
    # Plain ADD COLUMN, no batch: on SQLite a batch rebuild of ingest_run would drop the table, and
    # the rejects' ON DELETE CASCADE would delete every stored reject with it.
    op.add_column("ingest_run", sa.Column("header", sa.Text(), nullable=False, server_default="[]"))
    op.add_column("ingest_run", sa.Column("rerun_of", sa.Integer(), nullable=True))
    op.create_index(op.f("ix_ingest_run_rerun_of"), "ingest_run", ["rerun_of"], unique=False)
    op.add_column("ingest_reject", sa.Column("raw_enc", sa.Text(), nullable=True))
    _star_stored_rows()
    _grant_permissions()


def _star_stored_rows() -> None:
    """Every value of a row stored in clear becomes stars (which column held what is not known here)."""
    conn = op.get_bind()
    after = 0
    while rows := conn.execute(
        sa.text("SELECT id, raw FROM ingest_reject WHERE id > :after ORDER BY id LIMIT :n"), {"after": after, "n": PAGE}
    ).all():
        after = rows[-1][0]
        starred = []
        for row_id, raw in rows:
            try:
                values = json.loads(raw)
            except ValueError:
                values = [raw]
            if not isinstance(values, list):
                values = [values]
            starred.append({"i": row_id, "raw": json.dumps([None if v is None else STARS for v in values])})
        conn.execute(sa.text("UPDATE ingest_reject SET raw = :raw WHERE id = :i"), starred)


def _grant_permissions() -> None:
    perms = sa.table("permission", sa.column("code"), sa.column("label_en"), sa.column("label_zh"))
    op.bulk_insert(perms, [dict(zip(("code", "label_en", "label_zh"), p, strict=True)) for p in PERMISSIONS])
    conn = op.get_bind()
    grants = sa.table("role_permission", sa.column("role_id"), sa.column("permission_code"))
    for role_code, codes in GRANTS.items():
        role_id = conn.execute(sa.text("SELECT id FROM role WHERE code = :c"), {"c": role_code}).scalar_one()
        op.bulk_insert(grants, [{"role_id": role_id, "permission_code": c} for c in codes])


def downgrade() -> None:
    op.execute("DELETE FROM role_permission WHERE permission_code IN ('ingest.rerun', 'ingest.rejects.unmask')")
    op.execute("DELETE FROM permission WHERE code IN ('ingest.rerun', 'ingest.rejects.unmask')")
    # Plain DROP COLUMN (SQLite 3.35+), for the reason given in upgrade().
    op.drop_column("ingest_reject", "raw_enc")
    op.drop_index(op.f("ix_ingest_run_rerun_of"), table_name="ingest_run")
    op.drop_column("ingest_run", "rerun_of")
    op.drop_column("ingest_run", "header")
