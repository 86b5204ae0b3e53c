"""How long ``bankcrm`` takes to start: ``--help``, ``ingest --help`` and a 10-row ``ingest FILE``.

``python -m bench.cli_startup`` (``make bench``): each command runs ``BANKCRM_BENCH_CLI_ROUNDS`` times
(default 10) as a fresh ``python -m bankcrm`` process; the figures are the median and best wall-clock
seconds and the median CPU seconds (user + system). With ``BANKCRM_BENCH_BEFORE_SRC`` pointing at
another source tree (``git archive <ref> src`` unpacked somewhere), the same commands run from that
tree too, interleaved in the same run, so a before/after comparison shares the machine's load. The
tiny ingest runs against a fresh SQLite file and, when it can reach it, a fresh PostgreSQL database
(``BANKCRM_BENCH_PG_URL``). Results: bench/results/cli_startup.json.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import sessionmaker
from tests.holdings.helpers import account, make_customer, write_file

from bankcrm.db import make_engine, session_scope
from bankcrm.demo import org as demo_org
from bankcrm.migrate import upgrade
from bench.common import RESULTS, machine
from bench.run import fresh_postgres

ROUNDS = int(os.environ.get("BANKCRM_BENCH_CLI_ROUNDS", "10"))
PG_URL = os.environ.get("BANKCRM_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/bankcrm_bench_cli")
SRC = Path(__file__).resolve().parents[1] / "src"
HEAVY = ("faker", "alembic", "scipy", "pygments", "polars", "numpy", "sqlalchemy")
PROBE = (
    "import sys, json, bankcrm.cli.main; "
    f"print(json.dumps([len(sys.modules), [m for m in {HEAVY!r} if m in sys.modules]]))"
)


def _env(src: Path, database_url: str | None = None) -> dict[str, str]:
    env = os.environ | {"PYTHONPATH": str(src), "BANKCRM_MODE": "test"}
    if database_url:
        env["BANKCRM_DATABASE_URL"] = database_url
    return env


def _seconds(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) seconds of one run; CPU is the figure a busy machine bends less."""
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], env=env, check=True, capture_output=True)
    wall = time.perf_counter() - start
    now = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (now.ru_utime - cpu.ru_utime) + (now.ru_stime - cpu.ru_stime)


def _prepare(url: str, workdir: Path) -> list[str]:
    """Migrate the database with the demo org and ten customers; the ingest arguments of a 10-row accounts file."""
    upgrade(url)
    engine = make_engine(url)
    with session_scope(sessionmaker(bind=engine)) as db:
        demo_org.build(db)
        for i in range(10):
            make_customer(db, f"9100000{i:04d}")
    engine.dispose()
    rows = [account(f"62220000{i:08d}", f"9100000{i:04d}") for i in range(10)]
    path = write_file(workdir / "accounts.csv", "accounts", rows)
    return ["-m", "bankcrm", "ingest", str(path), "--type", "accounts", "--source", "CORE"]


def _stats(samples: list[tuple[float, float]]) -> dict[str, float]:
    wall, cpu = [s[0] for s in samples], [s[1] for s in samples]
    return {
        "median_s": round(statistics.median(wall), 3),
        "best_s": round(min(wall), 3),
        "median_cpu_s": round(statistics.median(cpu), 3),
    }


def measure(trees: dict[str, Path], workdir: Path) -> dict[str, Any]:
    """Every command from every tree, rounds interleaved; the modules importing the CLI loads."""
    commands: dict[str, tuple[list[str], str | None]] = {
        "help": (["-m", "bankcrm", "--help"], None),
        "ingest_help": (["-m", "bankcrm", "ingest", "--help"], None),
    }
    pg = fresh_postgres(PG_URL)
    databases = {"sqlite": f"sqlite:///{workdir / 'startup.db'}", **({"postgresql": pg} if pg else {})}
    for name, url in databases.items():
        commands[f"ingest_10_rows_{name}"] = (_prepare(url, workdir), url)
    samples: dict[str, dict[str, list[tuple[float, float]]]] = {tree: {cmd: [] for cmd in commands} for tree in trees}
    day = date(2026, 1, 1)
    for _ in range(ROUNDS):
        for tree, src in trees.items():
            day += timedelta(days=1)  # each load a new business date, so none is skipped as already loaded
            for cmd, (args, url) in commands.items():
                extra = ["--business-date", day.isoformat()] if url else []
                samples[tree][cmd].append(_seconds(args + extra, _env(src, url)))
    out: dict[str, Any] = {}
    for tree, src in trees.items():
        probe = subprocess.run(
            [sys.executable, "-c", PROBE], env=_env(src), check=True, capture_output=True, text=True
        ).stdout
        modules, heavy = json.loads(probe)
        out[tree] = {cmd: _stats(s) for cmd, s in samples[tree].items()}
        out[tree]["modules_loaded_by_import"] = modules
        out[tree]["heavy_modules_loaded_by_import"] = heavy
    return out


def main() -> None:
    """Write bench/results/cli_startup.json and print it."""
    trees = {"after": SRC}
    if before := os.environ.get("BANKCRM_BENCH_BEFORE_SRC"):
        trees = {"before": Path(before).resolve(), "after": SRC}
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        figures = measure(trees, Path(tmp))
    # Start-up times are mostly waiting for a core: the load average says how busy the machine was.
    load = [round(load_before, 1), round(os.getloadavg()[0], 1)]
    out = {"rounds": ROUNDS, **figures, "load_average_start_end": load, "machine": machine()}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "cli_startup.json").write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
