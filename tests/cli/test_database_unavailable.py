"""A command whose database cannot be reached says so in one line and exits 75 (temporary failure), no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import make_url

from tests.conftest import PG_URL


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL"))]
)
def test_a_command_against_an_unreachable_database_exits_75_with_the_message(backend: str, tmp_path: Path) -> None:
    # Given a database URL nothing answers at (no such folder; nothing listening on the port)
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'no-such-folder' / 'bankcrm.db'}"
    else:
        assert PG_URL is not None
        url = make_url(PG_URL).set(port=1).render_as_string(hide_password=False)
    # When a command needs it
    done = subprocess.run(
        [sys.executable, "-m", "bankcrm", "audit", "verify"],
        env=os.environ | {"BANKCRM_DATABASE_URL": url, "BANKCRM_MODE": "test"},
        capture_output=True,
        text=True,
    )
    # Then it exits 75 and says the database is unavailable, with the driver's reason below
    assert done.returncode == 75, done.stderr
    lines = done.stderr.splitlines()
    assert lines[0] == "The database is unavailable; try again shortly."
    assert len(lines) == 2 and "Traceback" not in done.stderr
