"""Importing the State Council's notice as the bank's entries: all or nothing, each bad line and field named."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from bankcrm.access.principal import SYSTEM
from bankcrm.cli.main import app
from bankcrm.errors import ValidationFailed
from bankcrm.models.workcalendar import CalendarDay
from bankcrm.workcalendar.service import days, edit

HEADER = "day,kind,label_en,label_zh\n"
GOOD = (
    HEADER
    + "2027-02-11,HOLIDAY,Spring Festival,春节\n"
    + "2027-02-20,WORKDAY,Make-up working day for the Spring Festival,春节调休上班\n"
)
BAD = (
    HEADER
    + "2027-02-11,HOLIDAY,Spring Festival,春节\n"
    + "2027-02-30,HOLIDAY,Spring Festival,春节\n"
    + "2027-02-20,SOMETIMES,Make-up,调休\n"
    + "2027-02-21,WORKDAY,,调休\n"
    + "2027-02-11,WORKDAY,Again,又一次\n"
)


def test_a_good_file_enters_every_day(db: Session) -> None:
    assert edit.import_file(db, SYSTEM, GOOD) == 2
    cal = days.current(db)
    assert (cal.is_working_day(date(2027, 2, 11)), cal.is_working_day(date(2027, 2, 20))) == (False, True)


def test_a_file_with_a_bad_line_enters_nothing_and_names_each_line_and_field(db: Session) -> None:
    with pytest.raises(ValidationFailed) as refused:
        edit.import_file(db, SYSTEM, BAD)
    assert [e.field for e in refused.value.errors] == ["line 3.day", "line 4.kind", "line 5.label_en", "line 6.day"]
    assert db.query(CalendarDay).count() == 0
    with pytest.raises(ValidationFailed) as header:
        edit.import_file(db, SYSTEM, "date,kind\n2027-02-11,HOLIDAY\n")
    assert [e.field for e in header.value.errors] == ["line 1"]


def test_the_cli_imports_all_or_nothing_and_shows_the_year(db_file: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    # Given a file with bad lines: exit 1, each line and field named, nothing entered
    (tmp_path / "bad.csv").write_text(BAD, encoding="utf-8")
    refused = runner.invoke(app, ["calendar", "import", str(tmp_path / "bad.csv")])
    assert refused.exit_code == 1
    assert "line 3.day: Enter a date as YYYY-MM-DD." in refused.output
    assert "line 4.kind: Choose one of: HOLIDAY, WORKDAY." in refused.output
    assert sqlite3.connect(db_file).execute("SELECT count(*) FROM calendar_day").fetchone() == (0,)
    # When the good file is imported: both days entered, audited, and `show` lists them as the bank's
    (tmp_path / "good.csv").write_text(GOOD, encoding="utf-8")
    done = runner.invoke(app, ["calendar", "import", str(tmp_path / "good.csv")])
    assert done.exit_code == 0 and "2 days entered from good.csv." in done.output
    audited = sqlite3.connect(db_file).execute("SELECT count(*) FROM audit_event WHERE action = 'calendar_day.set'")
    assert audited.fetchone() == (2,)
    shown = runner.invoke(app, ["calendar", "show", "--year", "2027"])
    assert shown.exit_code == 0
    assert "2027-02-11  HOLIDAY  bank     Spring Festival / 春节" in shown.output
    assert "2027-02-06  HOLIDAY  package" in shown.output
    assert "no make-up working days" not in shown.output
