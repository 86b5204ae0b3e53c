"""The customers feed at scale: an initial CORE feed of 1,000,000 customers and a daily delta of 20,000 records.

``python -m bench.customers_feed`` (``make bench``): writes the feed with the demo's generator (bankcrm.demo.feed
and feed_files: valid resident IDs, USCCs, mobiles, addresses; the CREDIT file and the truth file beside it) and a
delta (changes to existing customers and new ones), timing the generation. Then, when ingest knows the ``customers``
file type, per database: ``bankcrm ingest`` of the initial feed (validation, encryption, search keys) and of the
delta, each timed. Targets (issue 14): initial feed ≤ 5 min, delta ≤ 30 s.
Sizes: ``BANKCRM_BENCH_FEED_CUSTOMERS`` (default 1,000,000), ``BANKCRM_BENCH_FEED_DELTA`` (default 20,000).
Results: bench/results/customers_feed-generate.json and customers_feed-<database>.json.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from bankcrm.demo import feed_files
from bankcrm.kit import workers
from bench.common import RESULTS, machine, peak_rss_mb

PG_URL = os.environ.get("BANKCRM_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/bankcrm_bench")
DAY = date(2026, 10, 30)
SEED = 2026
INITIAL_TARGET_S = 300
DELTA_TARGET_S = 30


def cpu_seconds() -> float:
    """User and system CPU seconds of this process, of its finished children (the generator's workers) and of
    the load's worker processes (kit/workers.py: children of the fork server, not of this process)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime + pool_cpu_seconds()


def pool_cpu_seconds() -> float:
    """The fork server's CPU seconds and its finished workers' (its utime, stime, cutime, cstime in /proc)."""
    from multiprocessing import forkserver

    pid = getattr(forkserver._forkserver, "_forkserver_pid", None)
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def generate(out: Path, customers: int, delta: int) -> tuple[feed_files.FeedFiles, Path, dict[str, object]]:
    """Write the feed (with its CREDIT and truth files) and the delta; what it took."""
    started, cpu_before = time.perf_counter(), cpu_seconds()
    files = feed_files.write_feed(out, customers, DAY, seed=SEED)
    feed_s, feed_cpu = time.perf_counter() - started, cpu_seconds() - cpu_before
    delta_path = out / f"customers-CORE-{DAY + timedelta(days=1):%Y%m%d}.csv"
    started = time.perf_counter()
    feed_files.write_delta(delta_path, SEED, customers, delta)
    delta_s = time.perf_counter() - started
    assert files.truth is not None
    return (
        files,
        delta_path,
        {
            "customers": customers,
            "credit_records": files.credit_rows,
            "delta_records": delta,
            "core_mb": round(files.core.stat().st_size / 1e6, 1),
            "all_files_mb": round(sum(p.stat().st_size for p in (files.core, files.credit, files.truth)) / 1e6, 1),
            "generate_s": round(feed_s, 1),
            "generate_customers_per_s": round(customers / feed_s),
            # CPU of this process and its workers: what the generation costs whatever else the machine runs
            "generate_cpu_s": round(feed_cpu, 1),
            "generate_cpu_us_per_customer": round(feed_cpu / customers * 1e6, 1),
            "load_average_1min": round(os.getloadavg()[0], 1),
            "delta_generate_s": round(delta_s, 2),
            "workers": min(os.cpu_count() or 1, 4),
            "peak_rss_mb": peak_rss_mb(),
            "machine": machine(),
        },
    )


def prepare(url: str) -> None:
    """A fresh database with the demo org tree (the feed's branch codes)."""
    from sqlalchemy import text
    from sqlalchemy.orm import sessionmaker

    from bankcrm.db import make_engine, session_scope
    from bankcrm.demo import org as demo_org
    from bankcrm.migrate import upgrade

    if url.startswith("postgresql"):
        admin = make_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            name = url.rsplit("/", 1)[1]
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    upgrade(url)
    engine = make_engine(url)
    with session_scope(sessionmaker(bind=engine)) as db:
        demo_org.build(db)
    engine.dispose()


def load_one(backend: str, core: Path, delta: Path, customers: int, workdir: Path) -> dict[str, object]:
    """The initial feed then the delta, through ``bankcrm ingest``'s own job, on one database."""
    from bankcrm.config import Settings
    from bankcrm.ingest.jobs import run_ingest
    from bankcrm.ingest.service.run import IngestRequest

    url = f"sqlite:///{workdir / 'bench.db'}" if backend == "sqlite" else PG_URL
    settings = Settings(mode="test", database_url=url)
    prepare(url)
    started, cpu_before, pool_before = time.perf_counter(), cpu_seconds(), pool_cpu_seconds()
    initial, _ = run_ingest(settings, IngestRequest(core, feed_files.FILE_TYPE, DAY, "CORE"))
    initial_s, initial_cpu = time.perf_counter() - started, cpu_seconds() - cpu_before
    initial_pool = pool_cpu_seconds() - pool_before
    load_initial = os.getloadavg()[0]
    started, cpu_before, pool_before = time.perf_counter(), cpu_seconds(), pool_cpu_seconds()
    later, _ = run_ingest(settings, IngestRequest(delta, feed_files.FILE_TYPE, DAY + timedelta(days=1), "CORE"))
    delta_s, delta_cpu = time.perf_counter() - started, cpu_seconds() - cpu_before
    delta_pool = pool_cpu_seconds() - pool_before
    return {
        "database": backend,
        "customers": customers,
        "initial_loaded": initial.run.rows_loaded,
        "initial_rejected": initial.run.rows_rejected,
        "initial_s": round(initial_s, 1),
        "initial_rows_per_s": round(customers / initial_s),
        "initial_within_target": initial_s <= INITIAL_TARGET_S,
        # CPU of the loading process and its worker processes (the database server's is not in it): what the
        # load costs on a shared machine; of it, the workers' (with the fork server's one start per process)
        "initial_cpu_s": round(initial_cpu, 1),
        "initial_cpu_us_per_customer": round(initial_cpu / customers * 1e6),
        "initial_worker_cpu_s": round(initial_pool, 1),
        "workers": workers.workers(),
        "load_average_1min_after_initial": round(load_initial, 1),
        "delta_loaded": later.run.rows_loaded,
        "delta_rejected": later.run.rows_rejected,
        "delta_s": round(delta_s, 1),
        "delta_within_target": delta_s <= DELTA_TARGET_S,
        "delta_cpu_s": round(delta_cpu, 1),
        "delta_cpu_us_per_record": round(delta_cpu / max(1, later.run.rows_in) * 1e6),
        "delta_worker_cpu_s": round(delta_pool, 1),
        "load_average_1min_after_delta": round(os.getloadavg()[0], 1),
        "peak_rss_mb": peak_rss_mb(),
        "machine": machine(),
    }


def main() -> None:
    """Generate once, then load on each database in its own process (peak memory is its own)."""
    customers = int(os.environ.get("BANKCRM_BENCH_FEED_CUSTOMERS", "1000000"))
    delta = int(os.environ.get("BANKCRM_BENCH_FEED_DELTA", "20000"))
    RESULTS.mkdir(exist_ok=True)
    if len(sys.argv) == 4:  # child: python -m bench.customers_feed <backend> <core file> <delta file>
        backend = sys.argv[1]
        with tempfile.TemporaryDirectory() as tmp:
            out = load_one(backend, Path(sys.argv[2]), Path(sys.argv[3]), customers, Path(tmp))
        (RESULTS / f"customers_feed-{backend}.json").write_text(json.dumps(out, indent=2) + "\n")
        print(json.dumps(out))
        return
    with tempfile.TemporaryDirectory() as tmp:
        files, delta_path, made = generate(Path(tmp), customers, delta)
        (RESULTS / "customers_feed-generate.json").write_text(json.dumps(made, indent=2) + "\n")
        print(json.dumps(made))
        if not feed_files.loader_ready():
            print("ingest has no `customers` file type yet: the load is pending; only the generation was measured")
            return
        for backend in ("sqlite", "postgresql"):
            subprocess.run(
                [sys.executable, "-m", "bench.customers_feed", backend, str(files.core), str(delta_path)], check=True
            )


if __name__ == "__main__":
    main()
