"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bankcrm.models.base import Base


def test_models_and_migrations_agree(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_catalogues_are_seeded(db):
    from bankcrm.models.access import Role
    from bankcrm.models.org import OrgUnitKind

    assert [k.code for k in db.query(OrgUnitKind).order_by(OrgUnitKind.level)] == [
        "head_office",
        "branch",
        "sub_branch",
        "outlet",
    ]
    assert [(r.code, r.data_scope) for r in db.query(Role).order_by(Role.sort_order)] == [
        ("admin", "all"),
        ("management", "unit"),
        ("account_manager", "own"),
        ("lobby_manager", "unit"),
        ("teller", "unit"),
        ("product_manager", "all"),
        ("risk_manager", "all"),
        ("operations_manager", "unit"),
    ]
    assert all(r.label_zh and r.label_en for r in db.query(Role))
