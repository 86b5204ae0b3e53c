"""``bankcrm batch households`` derives households on demand against a real SQLite file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from bankcrm.cli.main import app

runner = CliRunner()


def test_batch_households_derives_and_is_audited(db_file: Path) -> None:
    # Given an empty, migrated database
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    # When households are derived on demand
    result = runner.invoke(app, ["batch", "households"])
    # Then it reports what it did and the run is audited
    assert result.exit_code == 0, result.output
    assert "Households: 0 with 0 members (0 created, 0 dissolved)." in result.output
    with sqlite3.connect(db_file) as conn:
        assert conn.execute("select count(*) from audit_event where action = 'household.derived'").fetchone() == (1,)
