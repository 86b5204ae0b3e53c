"""Online backups while the app serves: SQLite through its backup API, PostgreSQL through ``pg_dump -Fc``.

Either way the copy is one consistent snapshot, and the row counts reported are those of the snapshot.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, func, inspect, make_url, select, table, text

from bankcrm.db import make_engine, normalise_url


class BackupError(Exception):
    """The backup could not be made; the message says why and what to do."""


@dataclass(frozen=True)
class BackupReport:
    """What was written: the file, its size, and the rows of each table in the snapshot."""

    path: Path
    size: int
    rows: dict[str, int]
    method: str

    @property
    def total_rows(self) -> int:
        """Rows in all tables together."""
        return sum(self.rows.values())


def backup(url: str, dest: Path, *, force: bool = False) -> BackupReport:
    """Write a backup of the database at ``url`` to ``dest``; an existing file is replaced only with ``force``."""
    if dest.exists() and not force:
        raise BackupError(f"{dest} already exists; choose another name, or pass --force to replace it.")
    if not dest.parent.is_dir():
        raise BackupError(f"{dest.parent} is not a folder.")
    # Written beside the destination, then renamed: a crash never leaves a half-written file under its name.
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        url = normalise_url(url)
        if url.startswith("sqlite"):
            rows, method = _sqlite(url, partial), "SQLite online backup"
        elif url.startswith("postgresql"):
            rows, method = _pg_dump(url, partial), "pg_dump -Fc"
        else:
            raise BackupError(f"No backup method for {make_url(url).get_backend_name()} databases.")
        os.replace(partial, dest)
    finally:
        partial.unlink(missing_ok=True)
    return BackupReport(dest, dest.stat().st_size, rows, method)


def row_counts(conn: Connection) -> dict[str, int]:
    """Rows of every table, by name."""
    tables = sorted(inspect(conn).get_table_names())
    return {t: conn.execute(select(func.count()).select_from(table(t))).scalar_one() for t in tables}


def _sqlite(url: str, partial: Path) -> dict[str, int]:
    source = make_url(url).database
    if not source or source == ":memory:" or not Path(source).is_file():
        raise BackupError(f"There is no SQLite database file at {source}.")
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(partial)
    try:
        # One step (pages=-1) copies every page inside one read transaction: a consistent snapshot, and in
        # WAL mode the app's writers carry on meanwhile (in steps, each write would restart the copy).
        src.backup(dst, pages=-1)
        # One self-contained file: no -wal beside it (the app switches it back to WAL when it opens it).
        dst.execute("PRAGMA journal_mode=DELETE")
        check = dst.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"The copy failed SQLite's quick_check: {check}")
    finally:
        dst.close()
        src.close()
    with open(partial, "rb") as fh:
        os.fsync(fh.fileno())
    engine = make_engine(f"sqlite:///{partial}")
    try:
        with engine.connect() as conn:
            return row_counts(conn)
    finally:
        engine.dispose()


def _pg_dump(url: str, partial: Path) -> dict[str, int]:
    binary = shutil.which("pg_dump")
    if binary is None:
        raise BackupError(
            "pg_dump is not on PATH. Install the PostgreSQL client of the server's major version, "
            "or run pg_dump -Fc yourself (docs/operations.md, Backup and restore)."
        )
    target = make_url(url)
    env = os.environ | ({"PGPASSWORD": target.password} if target.password else {})
    # libpq's URI, without the password (it goes in the environment, not on a command line others can read).
    uri = target.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    engine = make_engine(url)
    try:
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
            # pg_dump reads the snapshot this transaction exports, so the counts below are the dump's.
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            done = subprocess.run(  # noqa: S603 - pg_dump found on PATH, arguments passed as a list, no shell
                [binary, "-Fc", f"--snapshot={snapshot}", "--file", str(partial), "--dbname", uri],
                env=env,
                capture_output=True,
                text=True,
            )
            if done.returncode != 0:
                raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
            return row_counts(conn)
    finally:
        engine.dispose()
