"""The PostgreSQL backup and restore drill of docs/operations.md, step by step: dump, restore, compare, verify."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.orm import sessionmaker

from bankcrm.access.principal import SYSTEM_PRINCIPAL
from bankcrm.access.schemas import OrgUnitCreate
from bankcrm.access.service import units as unit_service
from bankcrm.db import make_engine, session_scope
from tests.conftest import PG_URL
from tests.factories import make_customer
from tests.fresh_db import database_beside, drop, fresh_database

# The row-count query of docs/operations.md ("Backup and restore"), verbatim.
COUNTS = (
    "SELECT table_name, (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I.%I',"
    " table_schema, table_name), false, true, '')))[1]::text::bigint AS n FROM information_schema.tables"
    " WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
)


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _run(*args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(args, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _bankcrm(url: str, *args: str) -> str:
    env = os.environ | {"BANKCRM_DATABASE_URL": url, "BANKCRM_MODE": "test"}
    return _run(sys.executable, "-m", "bankcrm", *args, env=env)


@pytest.mark.skipif(not PG_URL, reason="needs BANKCRM_TEST_DATABASE_URL (PostgreSQL)")
def test_a_dump_restored_into_a_new_database_has_every_row_and_an_intact_audit_chain(tmp_path: Path) -> None:
    assert PG_URL is not None
    with fresh_database(PG_URL, "bankcrm_drill_src", tmp_path) as source:
        # Given a database with staff, customers and audit events
        engine = make_engine(source)
        with session_scope(sessionmaker(bind=engine)) as db:
            for i in range(10):
                make_customer(db, f"9100000{i:04d}")
        with engine.connect() as conn:
            events = conn.execute(text("SELECT count(*) FROM audit_event")).scalar_one()
        engine.dispose()
        dump = tmp_path / "bankcrm.dump"
        # When it is dumped, and the dump restored into a new database
        _run("pg_dump", "-Fc", "--file", str(dump), _libpq(source))
        restored = database_beside(PG_URL, "bankcrm_drill_restore", tmp_path)
        try:
            _run("pg_restore", "--no-owner", "--exit-on-error", "--dbname", _libpq(restored), str(dump))
            # Then every table has as many rows as the source's
            source_counts = _run("psql", "-Atc", COUNTS, _libpq(source))
            assert len(source_counts.splitlines()) > 40
            assert "customer|10" in source_counts.splitlines()
            assert _run("psql", "-Atc", COUNTS, _libpq(restored)) == source_counts
            # And `bankcrm audit verify` passes on the restored database, over every event
            assert _bankcrm(restored, "audit", "verify").strip() == f"Audit chain intact: {events} events verified."
            # And the restored database takes new writes (sequences came with it), still verifying
            restored_engine = make_engine(restored)
            with session_scope(sessionmaker(bind=restored_engine)) as db:
                head = db.execute(text("SELECT id FROM org_unit WHERE code = 'HO'")).scalar_one()
                data = OrgUnitCreate(code="DRILL", name_en="Drill", name_zh="演练", kind_code="branch", parent_id=head)
                unit_service.create_unit(db, SYSTEM_PRINCIPAL, data)
            restored_engine.dispose()
            assert _bankcrm(restored, "audit", "verify").strip() == f"Audit chain intact: {events + 1} events verified."
        finally:
            drop(restored)
