"""`bankcrm batch nightly` derives groups and circles after the figures, on a real SQLite file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.orm import sessionmaker
from typer.testing import CliRunner

from bankcrm.cli.main import app
from bankcrm.config import get_settings
from bankcrm.db import make_engine, session_scope
from bankcrm.demo import org as demo_org
from bankcrm.migrate import upgrade
from tests.relationships.groups_fixtures import given_group_customers, given_guarantees, given_shareholdings

runner = CliRunner()


@pytest.fixture
def db_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    path = tmp_path / "nightly.db"
    url = f"sqlite:///{path}"
    monkeypatch.setenv("BANKCRM_DATABASE_URL", url)
    monkeypatch.setenv("BANKCRM_MODE", "dev")
    get_settings.cache_clear()
    upgrade(url)
    engine = make_engine(url)
    with session_scope(sessionmaker(bind=engine)) as db:
        demo_org.build(db)
        made = given_group_customers(db)
        given_shareholdings(db, made)
        given_guarantees(db, made)
    engine.dispose()
    yield path
    get_settings.cache_clear()


def test_the_nightly_batch_proposes_groups_and_finds_circles_once(db_file: Path) -> None:
    # When the nightly batch runs twice
    first = runner.invoke(app, ["batch", "nightly"])
    second = runner.invoke(app, ["batch", "nightly"])
    # Then the first proposes both groups and finds both circles, the second changes nothing
    assert first.exit_code == 0, first.output
    assert "Corporate groups: 2 (2 proposed for review); guarantee circles: 2 (2 new, 0 ended)." in " ".join(
        first.output.split()
    )
    assert "Corporate groups: 2 (0 proposed for review); guarantee circles: 2 (0 new, 0 ended)." in " ".join(
        second.output.split()
    )
    with sqlite3.connect(db_file) as conn:
        assert conn.execute("SELECT status, triggered_by FROM corporate_group").fetchall() == [
            ("PROPOSED", None),
            ("PROPOSED", None),
        ]
        derived = conn.execute("SELECT actor_username FROM audit_event WHERE action = 'relationships.derived'")
        assert derived.fetchall() == [("system",), ("system",)]
