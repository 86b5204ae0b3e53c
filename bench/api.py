"""API throughput beside the floor: ``GET /api/v1/customers/{cif_no}`` against the raw driver.

``python -m bench.api`` (or ``make bench``) runs each database in its own process, on the demo bank
(bench/server.py builds it into a fresh bench-owned database). In one run, for the same customers:

- the SQL of the route: each customer's request is made once in-process through the ASGI app while
  an engine event listener records every statement and its parameters, as sent to the driver;
- the full stack: the real uvicorn server (bench/server.py: one worker per core) and CLIENTS client
  threads with keep-alive connections (http.client), each asking for the customers in turn, bearer
  token of a bank-wide reader, for SECONDS;
- the floor: the same statements through the raw driver (sqlite3 / psycopg), one transaction per
  request as the route has, in as many processes as the server has workers, each with CLIENTS / workers
  threads and one connection per thread, for SECONDS;
- CPU per request of each: the server workers' CPU seconds over the full-stack run (the client's
  and PostgreSQL's own are not counted), and the floor processes' over theirs;
- where the server's time goes: py-spy samples one worker (the thread holding the GIL: CPU, not
  waits) during a second full-stack run (unless BANKCRM_BENCH_API_PROFILE=0), summed into the
  costs named in PROFILE_BUCKETS.

Results go to bench/results/api-<database>.json; the Markdown table printed at the end goes into
docs/benchmarks.md. Settings: BANKCRM_BENCH_API_SECONDS (20), BANKCRM_BENCH_API_CLIENTS (8).
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import resource
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import event, text

from bankcrm.app import create_app
from bankcrm.config import Settings
from bankcrm.db import make_engine
from bench.common import RESULTS, machine, peak_rss_mb, per_database
from bench.server import WORKERS, demo_database, serve

SECONDS = float(os.environ.get("BANKCRM_BENCH_API_SECONDS", "20"))
CLIENTS = int(os.environ.get("BANKCRM_BENCH_API_CLIENTS", "8"))
PROFILE = os.environ.get("BANKCRM_BENCH_API_PROFILE", "1") != "0"
READER = "risk"  # a bank-wide reader (risk manager): every customer is in scope
PASSWORD = "demo1234"  # noqa: S105 - the demo bank's documented password
Trace = list[tuple[str, Any]]


def token_for(base: str) -> str:
    """A bearer token from the server's OAuth2 password endpoint."""
    host = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
    body = urllib.parse.urlencode({"username": READER, "password": PASSWORD})
    conn.request("POST", "/api/v1/auth/token", body, {"Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    data = json.loads(response.read())
    conn.close()
    return str(data["access_token"])


def capture(url: str, token: str, cifs: list[str]) -> tuple[dict[str, Trace], dict[str, bytes]]:
    """Each customer's request once through the app in-process: the statements it sent, and its body."""
    engine = make_engine(url)
    app = create_app(Settings(mode="demo", database_url=url), engine)
    traces: dict[str, Trace] = {}
    bodies: dict[str, bytes] = {}
    current: list[Trace] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if current:
            current[0].append((statement, parameters))

    for cif in cifs:
        current[:] = [[]]
        status, body = asyncio.run(_asgi_get(app, f"/api/v1/customers/{cif}", token))
        if status != 200:
            raise SystemExit(f"GET /api/v1/customers/{cif}: {status} {body[:300]!r}")
        traces[cif], bodies[cif] = current[0], body
        current.clear()
    engine.dispose()
    return traces, bodies


async def _asgi_get(app: Any, path: str, token: str) -> tuple[int, bytes]:
    """One GET through the ASGI app, as uvicorn would call it (no network)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), (b"authorization", f"Bearer {token}".encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


# --- the full stack: client threads with keep-alive connections ------------------------------------


def full_stack(base: str, token: str, cifs: list[str], bodies: dict[str, bytes], seconds: float) -> dict[str, Any]:
    """Requests/s of CLIENTS threads for ``seconds``; every answer checked against the in-process body."""
    host = urllib.parse.urlsplit(base)
    stop = threading.Event()
    counts = [0] * CLIENTS
    errors: Counter[str] = Counter()
    latencies: list[list[float]] = [[] for _ in range(CLIENTS)]
    headers = {"Authorization": f"Bearer {token}", "Connection": "keep-alive"}

    def client(i: int) -> None:
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
        n = i
        while not stop.is_set():
            cif = cifs[n % len(cifs)]
            started = time.perf_counter()
            conn.request("GET", f"/api/v1/customers/{cif}", headers=headers)
            response = conn.getresponse()
            body = response.read()
            latencies[i].append(time.perf_counter() - started)
            if response.status != 200 or json.loads(body) != json.loads(bodies[cif]):
                errors[f"{response.status} {body[:120]!r}"] += 1
            counts[i] += 1
            n += CLIENTS
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    ms = sorted(x * 1000 for lat in latencies for x in lat)
    return {
        "requests": sum(counts),
        "rps": round(sum(counts) / elapsed, 1),
        "p50_ms": round(ms[len(ms) // 2], 2),
        "p95_ms": round(ms[int(len(ms) * 0.95)], 2),
        "errors": dict(errors),
    }


# --- the floor: the same statements through the raw driver -------------------------------------------


def _floor_worker(url: str, traces: list[Trace], threads: int, seconds: float, offset: int, out: Any) -> None:
    """One process: ``threads`` threads, each with its own connection, replaying traces for ``seconds``."""
    stop = threading.Event()
    counts = [0] * threads
    retries = [0] * threads

    def run(i: int) -> None:
        conn = _connect(url)
        n = offset + i
        while not stop.is_set():
            try:
                _replay(conn, traces[n % len(traces)])
            except sqlite3.OperationalError as exc:
                # As the app's engine does (db.py): a BEGIN IMMEDIATE that found the lock taken past
                # the busy timeout is tried again.
                if "locked" not in str(exc):
                    raise
                conn.rollback()
                retries[i] += 1
                continue
            counts[i] += 1
            n += threads
        conn.close()

    pool = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    started = time.perf_counter()
    for t in pool:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in pool:
        t.join()
    out.put((sum(counts), time.perf_counter() - started, sum(retries)))


def _replay(conn: Any, trace: Trace) -> None:
    """One request's statements, then its commit."""
    cur = conn.cursor()
    for statement, parameters in trace:
        cur.execute(statement, parameters)
        if cur.description is not None:
            cur.fetchall()
    conn.commit()


def _connect(url: str) -> Any:
    """A raw driver connection set up as the app's engine sets up its own."""
    if url.startswith("sqlite:///"):
        conn = sqlite3.connect(url[len("sqlite:///") :], check_same_thread=False)
        conn.isolation_level = None  # as db.py: the statements carry their own BEGIN
        for pragma in ("foreign_keys=ON", "busy_timeout=10000", "journal_mode=WAL", "synchronous=NORMAL"):
            conn.execute(f"PRAGMA {pragma}")
        return conn
    return psycopg.connect(url)


def floor(url: str, traces: dict[str, Trace], cifs: list[str], seconds: float) -> dict[str, Any]:
    """Requests/s of the raw driver, WORKERS processes × CLIENTS / WORKERS threads."""
    reads = [[(s, p) for s, p in traces[c] if _replayable(s)] for c in cifs]
    ctx = get_context("fork")
    queue = ctx.Queue()
    per = max(1, CLIENTS // WORKERS)
    procs = [ctx.Process(target=_floor_worker, args=(url, reads, per, seconds, w * per, queue)) for w in range(WORKERS)]
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    total = sum(n for n, _, _ in results)
    seconds = max(s for _, s, _ in results)
    return {"requests": total, "rps": round(total / seconds, 1), "lock_retries": sum(r for _, _, r in results)}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _replayable(statement: str) -> bool:
    """Reads and transaction control; an occasional write (a token's last-use stamp) is left out."""
    return statement.lstrip().upper().startswith(("SELECT", "WITH", "BEGIN"))


# --- where the server's time goes ------------------------------------------------------------------

# (label, substrings of a frame "function (file)"), first match wins, checked from the innermost frame out.
PROFILE_BUCKETS: list[tuple[str, tuple[str, ...]]] = [
    ("principal (roles, permissions, unit)", ("principal_for",)),
    ("token resolution (resolve_token)", ("resolve_token",)),
    ("customer queries (service)", ("customers/service/reads.py",)),
    ("response validation and serialization", ("serialize_response", "_prepare_response_content", "jsonable_encoder")),
    ("JSON encoding", ("json/encoder.py", "render (starlette", "render (fastapi")),
    ("commit / session close", ("get_db",)),
    ("other work in the thread pool (dependencies, endpoint glue)", ("anyio/",)),
    ("HTTP parsing and writing (uvicorn, h11)", ("h11", "httptools", "uvicorn/protocols")),
    ("routing and middleware (starlette, fastapi)", ("starlette/", "fastapi/", "bankcrm/web/middleware.py")),
    ("asyncio event loop", ("asyncio/",)),
]
INNER_BUCKETS: list[tuple[str, tuple[str, ...]]] = [
    ("SQL: driver execute and fetch", ("do_execute", "sqlite3", "psycopg/cursor", "psycopg/connection")),
    ("SQL: statement compilation and caching", ("compiler.py", "_compile_w_cache", "elements.py")),
    ("ORM: result rows to objects", ("orm/loading.py", "engine/result.py", "orm/strategies.py")),
    ("pydantic validation", ("pydantic",)),
]


def profile(server_pid: int, workdir: Path, run: Any) -> dict[str, Any] | None:
    """py-spy on one worker while ``run()`` loads the server: share of samples per cost."""
    spy = Path(sys.executable).parent / "py-spy"
    if not PROFILE or not spy.exists():
        return None
    out = workdir / "profile.txt"
    proc = subprocess.Popen(
        [str(spy), "record", "--pid", str(server_pid), "--format", "raw", "--output", str(out), "--rate", "200",
         "--duration", str(int(SECONDS)), "--nonblocking", "--gil"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    time.sleep(1)
    run()
    proc.wait()
    return summarise_profile(out.read_text()) if out.exists() else None


def summarise_profile(raw: str) -> dict[str, Any]:
    """Collapsed stacks → share of busy samples per bucket (outer costs) and per inner cost."""
    outer: Counter[str] = Counter()
    inner: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    ours: Counter[str] = Counter()
    busy = 0
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        n = int(count)
        leaf = frames[-1]
        # Idle threads: waiting for work or for the network, not using the CPU.
        if any(w in leaf for w in ("wait (threading.py", "select (selectors.py", "_worker (concurrent", "get (queue")):
            continue
        busy += n
        outer[_bucket(frames, PROFILE_BUCKETS)] += n
        inner[_bucket(frames, INNER_BUCKETS)] += n
        leaves[_short(leaf)] += n
        for f in {_short(f) for f in frames if "bankcrm/" in f}:
            ours[f] += n
    share = lambda c: {k: round(100 * v / busy, 1) for k, v in c.most_common()}  # noqa: E731
    top = lambda c: {k: round(100 * v / busy, 1) for k, v in c.most_common(15)}  # noqa: E731
    return {
        "busy_samples": busy,
        "outer_percent": share(outer),
        "inner_percent": share(inner),
        "top_self_percent": top(leaves),
        "top_bankcrm_inclusive_percent": top(ours),
    }


def _short(frame: str) -> str:
    """``function (path/to/file.py:12)`` → ``function (file.py)``."""
    name, _, where = frame.partition(" (")
    return f"{name} ({where.rsplit('/', 1)[-1].split(':')[0].rstrip(')')})"


def _bucket(frames: list[str], buckets: list[tuple[str, tuple[str, ...]]]) -> str:
    for label, needles in buckets:
        if any(n in f for f in frames for n in needles):
            return label
    return "other"


def run_one(database: str, _customers: int, workdir: Path) -> dict[str, Any]:
    """Build the demo bank, capture the route's SQL, then full stack and floor in turn."""
    url = demo_database(database, workdir)
    engine = make_engine(url)
    with engine.connect() as conn:
        cifs = [r[0] for r in conn.execute(text("SELECT cif_no FROM customer ORDER BY cif_no"))]
    engine.dispose()
    with serve(url, workdir) as server:
        token = token_for(server.url)
        traces, bodies = capture(url, token, cifs)
        full_stack(server.url, token, cifs, bodies, 3)  # warm the workers' caches and connection pools
        cpu = server.cpu_seconds()
        stack = full_stack(server.url, token, cifs, bodies, SECONDS)
        stack["server_cpu_ms_per_request"] = round(1000 * (server.cpu_seconds() - cpu) / stack["requests"], 2)
        before = _children_cpu()
        floor_result = floor(url, traces, cifs, SECONDS)
        floor_result["cpu_ms_per_request"] = round(1000 * (_children_cpu() - before) / floor_result["requests"], 3)
        spied = profile(server.workers[0], workdir, lambda: full_stack(server.url, token, cifs, bodies, SECONDS))
        worker_peaks = server.peak_rss_mb()
    statements = Counter(len(t) for t in traces.values())
    skipped = sorted({s.split()[0] for t in traces.values() for s, _ in t if not _replayable(s)})
    return {
        "database": database,
        "customers": len(cifs),
        "clients": CLIENTS,
        "server_workers": len(server.workers),
        "seconds": SECONDS,
        "statements_per_request": dict(sorted(statements.items())),
        "statements_left_out_of_floor": skipped,
        "full_stack": stack,
        "floor": floor_result,
        "share_of_floor_percent": round(100 * stack["rps"] / floor_result["rps"], 1),
        "profile": spied,
        "server_peak_rss_mb": worker_peaks,
        "peak_rss_mb": peak_rss_mb(),
        "machine": machine(),
    }


def table(results: list[dict[str, Any]]) -> str:
    """The Markdown table for docs/benchmarks.md."""
    lines = ["| figure | " + " | ".join(r["database"] for r in results) + " |", "|---" * (len(results) + 1) + "|"]

    def row(label: str, cells: list[str]) -> None:
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    row("statements per request", [", ".join(map(str, r["statements_per_request"])) for r in results])
    row("full stack, requests/s", [f"{r['full_stack']['rps']:,}" for r in results])
    row("full stack, ms p50 / p95", ["{p50_ms} / {p95_ms}".format(**r["full_stack"]) for r in results])
    row("raw driver floor, requests/s", [f"{r['floor']['rps']:,}" for r in results])
    row("full stack as a share of the floor", [f"**{r['share_of_floor_percent']} %**" for r in results])
    row("errors", [str(sum(r["full_stack"]["errors"].values())) for r in results])
    return "\n".join(lines)


def main() -> None:
    """Each database in its own process (``python -m bench.api [sqlite|postgresql]``), then the table."""
    per_database("api", run_one)
    if len(sys.argv) == 1:
        results = [json.loads((RESULTS / f"api-{d}.json").read_text()) for d in ("sqlite", "postgresql")]
        print(table(results))


if __name__ == "__main__":
    main()
