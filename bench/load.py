"""Load test: staff working through the web pages of a real server, with locust, on both databases.

``python -m bench.load`` (or ``make bench``) runs each database in its own process: it builds the demo
bank (``bankcrm demo --no-serve``) into a fresh bench-owned database (a SQLite file in a temporary
directory; PostgreSQL ``bankcrm_load``), serves it with uvicorn (bench/server.py: one worker per core,
access log off) on 127.0.0.1, and runs locust headless against it for a fixed time with a fixed number
of users (bench/load_users.py: sign-in through the login form, search, customer pages and 360° views,
edits, name changes approved by checkers, CSV exports). The run stops by itself. Results go to
bench/results/load-<database>.json; the Markdown table printed at the end goes into docs/benchmarks.md.

Settings (environment): BANKCRM_LOAD_SECONDS (600), BANKCRM_LOAD_USERS_SQLITE (50),
BANKCRM_LOAD_USERS_POSTGRESQL (200), BANKCRM_LOAD_SPAWN_SECONDS (60: all users signed in after this
long), BANKCRM_LOAD_SEED, BANKCRM_LOAD_THINK_MIN / _MAX (3 / 15 s between pages: a clerk reads
a 360° view or fills in a form before the next click).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg

from bench.common import RESULTS, machine, per_database
from bench.server import cpu_seconds, demo_database, proc_status, serve, server_errors

SECONDS = int(os.environ.get("BANKCRM_LOAD_SECONDS", "600"))
USERS = {
    "sqlite": int(os.environ.get("BANKCRM_LOAD_USERS_SQLITE", "50")),
    "postgresql": int(os.environ.get("BANKCRM_LOAD_USERS_POSTGRESQL", "200")),
}
SPAWN_SECONDS = float(os.environ.get("BANKCRM_LOAD_SPAWN_SECONDS", "60"))
SEED = os.environ.get("BANKCRM_LOAD_SEED", "2026")
THINK = (os.environ.get("BANKCRM_LOAD_THINK_MIN", "3"), os.environ.get("BANKCRM_LOAD_THINK_MAX", "15"))
USERS_FILE = Path(__file__).resolve().parent / "load_users.py"
P95_TARGET_MS = 300


class PgActivity:
    """PostgreSQL's view of the server's connections, sampled each second: who holds them, who waits."""

    def __init__(self, url: str) -> None:
        """Watch the connections to the database of ``url``."""
        self.conn = psycopg.connect(url, autocommit=True)
        self.most = {"connections": 0, "lock_waiters": 0, "idle_in_transaction": 0}
        self.longest = 0.0
        self.worst: list[Any] = []

    def sample(self, second: float) -> None:
        """One look at pg_stat_activity; keep the maxima and the rows of the longest transaction seen."""
        rows = self.conn.execute(
            "SELECT state, wait_event_type, wait_event, EXTRACT(EPOCH FROM now() - xact_start)::float, "
            "left(regexp_replace(query, '\\s+', ' ', 'g'), 100) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
        self.most["connections"] = max(self.most["connections"], len(rows))
        self.most["lock_waiters"] = max(self.most["lock_waiters"], sum(r[1] == "Lock" for r in rows))
        idle_tx = sum(r[0] == "idle in transaction" for r in rows)
        self.most["idle_in_transaction"] = max(self.most["idle_in_transaction"], idle_tx)
        age = max((r[3] or 0.0 for r in rows), default=0.0)
        if age > self.longest:
            self.longest = age
            top = sorted(rows, key=lambda r: -(r[3] or 0))[:8]
            self.worst = [
                {"second": round(second), "state": r[0], "wait": f"{r[1]}/{r[2]}", "xact_s": round(r[3] or 0, 1)}
                | {"query": r[4]}
                for r in top
            ]

    def report(self) -> dict[str, Any]:
        """The maxima, and the busiest moment's longest transactions."""
        self.conn.close()
        return {"most": self.most, "longest_transaction_s": round(self.longest, 1), "at_longest": self.worst}


def run_locust(host: str, users: int, workdir: Path, server_cpu: Any, pg: PgActivity | None = None) -> dict[str, Any]:
    """locust headless for SECONDS; its peak memory and CPU, and the server's CPU, sampled meanwhile."""
    rate = max(1.0, users / SPAWN_SECONDS)
    env = dict(os.environ, BANKCRM_LOAD_USERS=str(users), BANKCRM_LOAD_SEED=SEED)
    env.update(BANKCRM_LOAD_THINK_MIN=THINK[0], BANKCRM_LOAD_THINK_MAX=THINK[1])
    started, server_before = time.monotonic(), server_cpu()
    with (workdir / "locust.log").open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "locust", "-f", str(USERS_FILE), "--headless", "--host", host,
             "--users", str(users), "--spawn-rate", f"{rate:.3f}", "--run-time", f"{SECONDS}s",
             "--stop-timeout", "30", "--csv", str(workdir / "locust"), "--csv-full-history", "--only-summary"],
            env=env,
            cwd=workdir,
            stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        peak_kb, cpu, server_cpu_now = 0, 0.0, server_before
        while process.poll() is None:
            peak_kb = max(peak_kb, proc_status(process.pid, "VmHWM"))
            cpu = max(cpu, cpu_seconds(process.pid))
            server_cpu_now = server_cpu()
            if pg is not None:
                pg.sample(time.monotonic() - started)
            time.sleep(1)
    return {
        "wall_seconds": round(time.monotonic() - started, 1),
        "locust_exit_code": process.returncode,
        "locust_peak_rss_mb": round(peak_kb / 1024),
        "locust_cpu_seconds": round(cpu, 1),
        "server_cpu_seconds": round(server_cpu_now - server_before, 1),
        "spawn_rate": round(rate, 3),
    }


def _ms(value: str) -> float | None:
    return None if value in ("", "N/A") else float(value)


def read_stats(workdir: Path) -> dict[str, Any]:
    """Per route and in all: requests, failures, requests/s, p50 / p95 / p99 / max (ms), from locust's CSV."""
    routes: dict[str, Any] = {}
    with (workdir / "locust_stats.csv").open() as f:
        for row in csv.DictReader(f):
            routes[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": round(float(row["Requests/s"]), 2),
                "p50": _ms(row["50%"]),
                "p95": _ms(row["95%"]),
                "p99": _ms(row["99%"]),
                "max": round(float(row["Max Response Time"]), 1),
            }
    with (workdir / "locust_failures.csv").open() as f:
        failures = [
            {"route": r["Name"], "error": r["Error"][:300], "occurrences": int(r["Occurrences"])}
            for r in csv.DictReader(f)
        ]
    total = routes.pop("Aggregated")
    return {"total": total, "routes": dict(sorted(routes.items())), "failures": failures, "timeline": timeline(workdir)}


def timeline(workdir: Path) -> list[dict[str, Any]]:
    """Each minute: users, requests/s and p95 of the last 10 s (locust's rolling window), failures so far.

    (``--csv-full-history``: without it locust writes the run's cumulative percentiles here.)
    """
    out: list[dict[str, Any]] = []
    with (workdir / "locust_stats_history.csv").open() as f:
        rows = [r for r in csv.DictReader(f) if r["Name"] == "Aggregated"]
    start = int(rows[0]["Timestamp"]) if rows else 0
    for r in rows:
        minute = (int(r["Timestamp"]) - start) // 60
        if len(out) <= minute and r["95%"] not in ("", "N/A"):
            out.append({
                "second": int(r["Timestamp"]) - start,
                "users": int(r["User Count"]),
                "rps": round(float(r["Requests/s"]), 1),
                "p95_last_10s": _ms(r["95%"]),
                "failures": int(r["Total Failure Count"]),
            })  # fmt: skip
    return out


def run_one(database: str, _customers: int, workdir: Path) -> dict[str, Any]:
    """Build the demo bank, serve it, load it, and collect the figures."""
    users = USERS[database]
    print(f"{database}: building the demo bank", file=sys.stderr, flush=True)
    url = demo_database(database, workdir)
    with open("/proc/loadavg") as f:
        load_before = f.read().split()[:3]
    pg = PgActivity(url) if database == "postgresql" else None
    with serve(url, workdir) as server:
        print(f"{database}: {users} users for {SECONDS} s against {server.url}", file=sys.stderr, flush=True)
        run = run_locust(server.url, users, workdir, server.cpu_seconds, pg)
        worker_peaks = server.peak_rss_mb()
    kept = Path(tempfile.gettempdir()) / f"bankcrm-load-{database}"
    shutil.rmtree(kept, ignore_errors=True)
    shutil.copytree(workdir, kept, ignore=shutil.ignore_patterns("*.db*", "var"))
    print(f"{database}: server log and locust files kept in {kept}", file=sys.stderr, flush=True)
    with open("/proc/loadavg") as f:
        load_after = f.read().split()[:3]
    stats = read_stats(workdir)
    slow = sorted(name for name, r in stats["routes"].items() if (r["p95"] or 0) > P95_TARGET_MS)
    return {
        "database": database,
        "users": users,
        "run_seconds": SECONDS,
        "seed": SEED,
        "think_seconds": [float(t) for t in THINK],
        "server_workers": len(server.workers),
        **run,
        "server_peak_rss_mb": worker_peaks,
        "loadavg_before": load_before,
        "loadavg_after": load_after,
        **stats,
        "routes_over_p95_target": slow,
        "server_errors": server_errors(server.log),
        "pg_activity": pg.report() if pg is not None else None,
        "machine": machine(),
    }


def table(results: list[dict[str, Any]]) -> str:
    """The Markdown tables for docs/benchmarks.md: the run, then p50 / p95 / p99 per route."""
    cols = " | ".join(r["database"] for r in results)
    lines = [f"| figure | {cols} |", "|---" * (len(results) + 1) + "|"]

    def row(label: str, cells: list[str]) -> None:
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    row("users / run, s", [f"{r['users']} / {r['run_seconds']}" for r in results])
    row("requests", [f"{r['total']['requests']:,}" for r in results])
    row("requests/s", [f"{r['total']['rps']:.1f}" for r in results])
    row("errors", [f"**{r['total']['failures']}**" for r in results])
    row("all requests, ms p50 / p95 / p99", ["{p50:.0f} / {p95:.0f} / {p99:.0f}".format(**r["total"]) for r in results])
    row("server workers, peak RSS MB each", [", ".join(map(str, r["server_peak_rss_mb"])) for r in results])
    row("CPU s: server workers / locust", [f"{r['server_cpu_seconds']} / {r['locust_cpu_seconds']}" for r in results])
    lines += ["", f"| route, ms p50 / p95 / p99 (requests) | {cols} |", "|---" * (len(results) + 1) + "|"]
    names = sorted({n for r in results for n in r["routes"]})
    for name in names:
        cells = []
        for r in results:
            s = r["routes"].get(name)
            cells.append("–" if s is None else "{p50:.0f} / {p95:.0f} / {p99:.0f} ({requests:,})".format(**s))
        row(f"`{name}`", cells)
    return "\n".join(lines)


def main() -> None:
    """Each database in its own process (``python -m bench.load [sqlite|postgresql]``), then the tables."""
    per_database("load", run_one)
    if len(sys.argv) == 1:
        results = [json.loads((RESULTS / f"load-{d}.json").read_text()) for d in ("sqlite", "postgresql")]
        print(table(results))


if __name__ == "__main__":
    main()
