"""The issuing country of an individual's ID document (ISO 3166-1 alpha-2), part of the document's identity:
the same number issued by two countries is two documents. Documents only China issues get CN; others (passports)
stay without a country until one is recorded. A create request keeps the country for its duplicate guard.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 18:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

# The document types China alone issues (reference_data/catalogue/id_document_rule.csv at this revision).
CHINESE_DOCUMENTS = ("RIC", "HMT_RESIDENCE", "FOREIGN_PR", "HKMO_PERMIT", "TW_PERMIT")


def upgrade() -> None:
    with op.batch_alter_table("customer") as batch_op:
        batch_op.add_column(sa.Column("id_country", sa.String(length=2), nullable=True))
        batch_op.drop_index("ix_customer_id_type_index")
        batch_op.create_index("ix_customer_id_document", ["id_type", "id_country", "id_no_index"], unique=False)
    with op.batch_alter_table("change_request") as batch_op:
        batch_op.add_column(sa.Column("id_country", sa.String(length=2), nullable=True))
    customer = sa.table("customer", sa.column("id_type", sa.String), sa.column("id_country", sa.String))
    op.execute(customer.update().where(customer.c.id_type.in_(CHINESE_DOCUMENTS)).values(id_country="CN"))


def downgrade() -> None:
    with op.batch_alter_table("change_request") as batch_op:
        batch_op.drop_column("id_country")
    with op.batch_alter_table("customer") as batch_op:
        batch_op.drop_index("ix_customer_id_document")
        batch_op.create_index("ix_customer_id_type_index", ["id_type", "id_no_index"], unique=False)
        batch_op.drop_column("id_country")
