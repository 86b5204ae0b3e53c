"""``bankcrm match run`` against a real SQLite file: a first full run, then an incremental one."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from bankcrm.cli.main import app

runner = CliRunner()


def test_match_run_reports_and_records_the_step(db_file: Path) -> None:
    # Given an empty, migrated database
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    # When duplicates are looked for on demand, twice
    first = runner.invoke(app, ["match", "run"])
    second = runner.invoke(app, ["match", "run", "--full"])
    # Then each says what it compared, and each is a recorded, audited run of the match step
    assert first.exit_code == 0, first.output
    assert " ".join(first.output.split()) == (
        "Compared every customer: 0 individuals, 0 corporates; 0 reviews opened "
        "(0 pairs decided different, 0 already under review)."
    )
    assert second.exit_code == 0, second.output
    with sqlite3.connect(db_file) as conn:
        assert conn.execute("select job_code, outcome, trigger from job_run order by id").fetchall() == [
            ("match", "ok", "cli"),
            ("match", "ok", "cli"),
        ]
        assert conn.execute("select count(*) from audit_event where action = 'match.duplicates_found'").fetchone() == (
            2,
        )
