"""Migration 0023: customers holding a document China alone issues get CN as its issuing country; others none."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, text

from bankcrm.db import make_engine
from bankcrm.migrate import alembic_config, upgrade
from tests.conftest import BACKENDS, PG_URL, _drop_postgres, _fresh_postgres


@pytest.fixture(params=BACKENDS)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'idcountry.db'}"
    assert PG_URL is not None
    url = _fresh_postgres(PG_URL, "_idc")
    request.addfinalizer(lambda: _drop_postgres(url))
    return url


def test_existing_chinese_documents_get_cn_and_passports_stay_without_a_country(empty_url: str) -> None:
    # Given a database at 0022 (before the issuing country) with a resident ID holder, a permit holder, a passport
    # holder and a company
    upgrade(empty_url, revision="0022")
    engine = make_engine(empty_url)
    with engine.begin() as conn:
        unit = conn.execute(text("SELECT id FROM org_unit ORDER BY id")).scalars().first()
        for i, (kind, id_type) in enumerate(
            (("individual", "RIC"), ("individual", "HKMO_PERMIT"), ("individual", "PASSPORT"), ("corporate", None)),
            start=1,
        ):
            conn.execute(
                text(
                    "INSERT INTO customer (id, cif_no, kind, status, name, name_pinyin, name_initials, id_type, "
                    "home_unit_id, created_at, updated_at) VALUES (:i, :cif, :kind, 'ACTIVE', 'x', 'x', 'x', :t, :u, "
                    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"i": i, "cif": f"0000000000{i}", "kind": kind, "t": id_type, "u": unit},
            )

    # When it is upgraded to head
    upgrade(empty_url)

    # Then the Chinese documents are issued by CN; the passport and the company have no issuing country
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id_type, id_country FROM customer ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [("RIC", "CN"), ("HKMO_PERMIT", "CN"), ("PASSPORT", None), (None, None)]

    # When it is downgraded to 0022, the column is gone again
    command.downgrade(alembic_config(empty_url), "0022")
    columns = {c["name"] for c in inspect(engine).get_columns("customer")}
    engine.dispose()
    assert "id_country" not in columns
