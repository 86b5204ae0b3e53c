"""What the benches share: the machine line, peak memory, and one process per database."""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> str:
    """Architecture, cores and Python, as the results record them."""
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def peak_rss_mb() -> int:
    """This process's peak resident memory, MB."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def per_database(
    name: str,
    run_one: Callable[[str, int, Path], dict[str, Any]],
    customers_env: str = "BANKCRM_BENCH_CUSTOMERS",
    default_customers: int = 1_000_000,
) -> None:
    """``python -m bench.<name>``: each database in its own process (peak memory is its own).

    A child (``python -m bench.<name> <database>``) runs ``run_one(database, customers, workdir)``
    and writes bench/results/<name>-<database>.json; the number of customers is ``customers_env``'s.
    """
    customers = int(os.environ.get(customers_env, str(default_customers)))
    RESULTS.mkdir(exist_ok=True)
    if len(sys.argv) == 2:
        with tempfile.TemporaryDirectory() as tmp:
            out = run_one(sys.argv[1], customers, Path(tmp))
        (RESULTS / f"{name}-{sys.argv[1]}.json").write_text(json.dumps(out, indent=2) + "\n")
        print(json.dumps(out))
        return
    for backend in ("sqlite", "postgresql"):
        subprocess.run([sys.executable, "-m", f"bench.{name}", backend], check=True)
