"""The command line starts without the heavy libraries only some commands need (they load where used)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

HEAVY = ["alembic", "faker", "numpy", "polars", "pygments", "scipy"]


def _loaded_after(code: str) -> list[str]:
    """The heavy modules a fresh interpreter holds after running ``code``."""
    probe = f"import sys, json; {code}; print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], env=os.environ | {"BANKCRM_MODE": "test"}, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    loaded: list[str] = json.loads(out.stdout.splitlines()[-1])
    return loaded


def test_importing_the_cli_loads_no_heavy_library() -> None:
    # Given a fresh interpreter, when it imports the command line, then none of the heavy libraries is loaded
    assert _loaded_after("import bankcrm.cli.main") == []


def test_help_of_every_command_group_loads_no_heavy_library() -> None:
    # When --help of the app and of ingest are rendered (as `bankcrm --help` does), nothing heavy is loaded
    # (but pygments: Typer's own rich help renderer imports its lexer registry)
    code = (
        "from typer.testing import CliRunner; from bankcrm.cli.main import app; r = CliRunner();"
        "assert r.invoke(app, ['--help']).exit_code == 0; assert r.invoke(app, ['ingest', '--help']).exit_code == 0"
    )
    assert _loaded_after(code) == ["pygments"]


def test_the_ingest_command_loads_what_loading_needs_and_no_more() -> None:
    # When the ingest job is imported (as `bankcrm ingest FILE` does), then Polars and NumPy come, and
    # neither the demo's Faker, the migrations' Alembic, the groups' SciPy nor the names' pypinyin
    heavy = ["alembic", "faker", "numpy", "polars", "pypinyin", "scipy"]
    code = (
        "from bankcrm.ingest import jobs; import bankcrm.cli.main; "
        f"print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", f"import sys, json; {code}"],
        env=os.environ | {"BANKCRM_MODE": "test"},
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == ["numpy", "polars"]
