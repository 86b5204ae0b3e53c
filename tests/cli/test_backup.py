"""``bankcrm backup``: a consistent copy while another thread writes, never over an existing file, audited."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from bankcrm.access.principal import SYSTEM_PRINCIPAL
from bankcrm.access.schemas import OrgUnitCreate
from bankcrm.access.service import units as unit_service
from bankcrm.audit import service as audit_service
from bankcrm.backup import backup, row_counts
from bankcrm.cli.main import app
from bankcrm.config import get_settings
from bankcrm.db import make_engine, session_scope
from tests.conftest import BACKENDS, PG_URL
from tests.fresh_db import database_beside, drop, fresh_database, pg_restore

runner = CliRunner()


@pytest.fixture(params=BACKENDS)
def source(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of this test's own (SQLite file or PostgreSQL database) with the demo org and staff."""
    base = PG_URL if request.param == "postgresql" else f"sqlite:///{tmp_path / 'unused.db'}"
    assert base is not None
    with fresh_database(base, "bankcrm_backup_src", tmp_path) as url:
        yield url


def _copy_url(url: str, dump: Path, tmp_path: Path) -> str:
    """Where the copy can be opened: the SQLite file itself, or the dump restored into a new database."""
    if url.startswith("sqlite"):
        return f"sqlite:///{dump}"
    assert PG_URL is not None
    return pg_restore(dump, PG_URL, "bankcrm_backup_copy", tmp_path)


def _scalar(engine: Engine, sql: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(sql)).scalar_one())


class Writer(threading.Thread):
    """Adds org units one transaction each (the unit and its audit event) until stopped."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.engine = make_engine(url)
        self.committed = 0
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        factory = sessionmaker(bind=self.engine)
        try:
            with Session(self.engine) as db:
                head = db.execute(text("SELECT id FROM org_unit WHERE code = 'HO'")).scalar_one()
            while not self.stop.is_set():
                data = OrgUnitCreate(
                    code=f"T{self.committed:05d}", name_en="Test", name_zh="测试", kind_code="branch", parent_id=head
                )
                with session_scope(factory) as db:
                    unit_service.create_unit(db, SYSTEM_PRINCIPAL, data)
                self.committed += 1
        except BaseException as exc:  # reported by the test, not lost in the thread
            self.error = exc
        finally:
            self.engine.dispose()

    def wait_for(self, commits: int) -> None:
        while self.committed < commits and self.error is None and self.is_alive():
            self.stop.wait(0.01)


UNITS = "SELECT count(*) FROM org_unit WHERE code LIKE 'T%'"
UNIT_EVENTS = "SELECT count(*) FROM audit_event WHERE action = 'org_unit.create'"


def test_a_backup_taken_while_another_thread_writes_is_one_consistent_snapshot(source: str, tmp_path: Path) -> None:
    # Given a database being written to by another thread, one unit and its audit event per transaction
    engine = make_engine(source)
    demo_units = _scalar(engine, UNIT_EVENTS)
    writer = Writer(source)
    writer.start()
    writer.wait_for(20)
    # When a backup is taken meanwhile
    before = writer.committed
    report = backup(source, tmp_path / "copy.bak")
    writer.wait_for(writer.committed + 20)
    writer.stop.set()
    writer.join(60)
    assert writer.error is None, writer.error
    after = _scalar(engine, UNITS)
    assert after > before + 20
    # Then the copy opens, and holds exactly the rows the backup reported, table by table
    copy = make_engine(_copy_url(source, report.path, tmp_path))
    with copy.connect() as conn:
        assert row_counts(conn) == report.rows
    # And it is one moment of the writes: every unit with its audit event, as many as had been committed
    units = _scalar(copy, UNITS)
    assert before <= units <= after
    assert _scalar(copy, UNIT_EVENTS) == demo_units + units
    # And the audit chain of the copy is intact
    with Session(copy) as db:
        chain = audit_service.verify(db)
    assert (chain.ok, chain.checked) == (True, report.rows["audit_event"])
    copy.dispose()
    engine.dispose()
    drop(copy.url.render_as_string(hide_password=False))


@pytest.fixture
def cli_source(source: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The source database as the command line's configured one."""
    monkeypatch.setenv("BANKCRM_DATABASE_URL", source)
    monkeypatch.setenv("BANKCRM_MODE", "test")
    get_settings.cache_clear()
    yield source
    get_settings.cache_clear()


def _backup_events(url: str) -> list[str]:
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT detail FROM audit_event WHERE action = 'db.backup' ORDER BY seq")).scalars()
        details = [str(d) for d in rows]
    engine.dispose()
    return details


def test_the_backup_command_prints_rows_and_size_refuses_to_overwrite_and_is_audited(
    cli_source: str, tmp_path: Path
) -> None:
    dest = tmp_path / "bankcrm.bak"
    # When the database is backed up
    first = runner.invoke(app, ["backup", str(dest)])
    # Then the command names the method, the rows and tables, and the file's size in bytes
    assert first.exit_code == 0, first.output
    method = "SQLite online backup" if cli_source.startswith("sqlite") else "pg_dump -Fc"
    line = rf"Backed up with {re.escape(method)} to (.+): (\d+) rows in (\d+) tables, (\d+) bytes"
    found = re.search(line, first.output)
    assert found is not None, first.output
    assert (Path(found[1]), int(found[4])) == (dest, dest.stat().st_size)
    copy = make_engine(_copy_url(cli_source, dest, tmp_path))
    with copy.connect() as conn:
        counts = row_counts(conn)
    assert (int(found[2]), int(found[3])) == (sum(counts.values()), len(counts))
    copy.dispose()
    drop(copy.url.render_as_string(hide_password=False))
    # And the backup is an audit event of the source database
    assert _backup_events(cli_source) == [found[0].removeprefix("Backed up with ")]
    # When the same destination is given again without --force
    content = dest.read_bytes()
    second = runner.invoke(app, ["backup", str(dest)])
    # Then it is refused, the file is untouched, and nothing is audited
    assert second.exit_code == 1
    assert f"{dest} already exists; choose another name, or pass --force to replace it." in second.output
    assert dest.read_bytes() == content
    assert len(_backup_events(cli_source)) == 1
    # And with --force the file is replaced, and audited again
    assert runner.invoke(app, ["backup", str(dest), "--force"]).exit_code == 0
    assert len(_backup_events(cli_source)) == 2
    assert not dest.with_name(dest.name + ".partial").exists()


def test_a_backup_of_a_missing_sqlite_file_is_refused_and_creates_nothing(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Given a configured SQLite file that does not exist
    monkeypatch.setenv("BANKCRM_DATABASE_URL", database_beside("sqlite://", "missing", tmp_path))
    monkeypatch.setenv("BANKCRM_MODE", "test")
    get_settings.cache_clear()
    # When it is backed up, then the command refuses, and neither the database nor a backup appears
    done = runner.invoke(app, ["backup", str(tmp_path / "copy.bak")])
    get_settings.cache_clear()
    assert done.exit_code == 1
    assert f"There is no SQLite database file at {tmp_path / 'missing.db'}." in done.output
    assert sorted(p.name for p in tmp_path.iterdir()) == []
