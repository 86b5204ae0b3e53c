"""Running totals of opportunities per (unit, owner, stage), filled from the opportunities already there; the
round robins' order (a position per manager, first among equal turns).

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-04 12:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "opportunity_stage_total",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=12), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("weighted100", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["org_unit.id"], name=op.f("fk_opportunity_stage_total_unit_id_org_unit")),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["app_user.id"], name=op.f("fk_opportunity_stage_total_owner_id_app_user")
        ),
        sa.PrimaryKeyConstraint("unit_id", "owner_id", "stage", name=op.f("pk_opportunity_stage_total")),
    )
    with op.batch_alter_table("lead_rota") as batch:
        batch.add_column(sa.Column("position", sa.SmallInteger(), server_default="0", nullable=False))
    op.create_index("ix_opportunity_stage_total_owner", "opportunity_stage_total", ["owner_id", "stage"])
    op.execute(
        "INSERT INTO opportunity_stage_total (unit_id, owner_id, stage, n, amount, weighted100) "
        "SELECT unit_id, owner_id, stage, count(*), sum(amount), sum(amount * probability_pct) "
        "FROM opportunity GROUP BY unit_id, owner_id, stage"
    )


def downgrade() -> None:
    with op.batch_alter_table("lead_rota") as batch:
        batch.drop_column("position")
    op.drop_index("ix_opportunity_stage_total_owner", table_name="opportunity_stage_total")
    op.drop_table("opportunity_stage_total")
