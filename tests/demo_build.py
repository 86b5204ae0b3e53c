"""The demo bank built once per test session, shared by every test (and xdist worker) that reads it.

``bankcrm demo --no-serve --customers 200`` runs once, under a file lock, into a folder under the session's
base temporary directory (the one above the workers' own with xdist); the others wait for it and reuse it.
Every process reads its own copy (``copy_to``): the app's SQLite sessions begin IMMEDIATE, so two workers on
one file would wait on each other's write lock.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bankcrm.cli.main import app
from bankcrm.config import get_settings

COMMAND = ["demo", "--no-serve", "--customers", "200"]  # the default --months: the demo as users get it


@dataclass(frozen=True)
class DemoBuild:
    """The built demo: its SQLite file, the core-banking files it loaded, what the command printed."""

    path: Path
    files: Path
    output: str

    def copy_to(self, target: Path) -> Path:
        """A private copy of the database at target (the backup API copies what the WAL holds too)."""
        with sqlite3.connect(self.path) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        return target


def shared_demo(tmp_path_factory: pytest.TempPathFactory) -> DemoBuild:
    """Build the demo unless this session already has (in any worker), and return it."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = root / "demo-bank"
    folder.mkdir(exist_ok=True)
    path, printed = folder / "demo.db", folder / "output.txt"
    with (root / "demo-bank.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also if the build fails
        if not printed.exists():
            path.unlink(missing_ok=True)  # a build that failed half-way in another worker
            _build(path, printed)
    return DemoBuild(path, folder / "core-banking", printed.read_text(encoding="utf-8"))


def _build(path: Path, printed: Path) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BANKCRM_DATABASE_URL", f"sqlite:///{path}")
        mp.setenv("BANKCRM_MODE", "dev")
        mp.setenv("COLUMNS", "200")  # rich wraps the summary at the terminal's width
        get_settings.cache_clear()
        try:
            result = CliRunner().invoke(app, COMMAND)
        finally:
            get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    printed.write_text(result.output, encoding="utf-8")  # written last: it marks the build complete
