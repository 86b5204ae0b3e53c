"""A real HTTP server for the HTTP benches: the demo bank in a bench-owned database, served by uvicorn."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.run import fresh_postgres

PG_URL = os.environ.get("BANKCRM_BENCH_LOAD_PG_URL", "postgresql://postgres@127.0.0.1:5432/bankcrm_load")
SRC = Path(__file__).resolve().parent.parent / "src"
# One uvicorn worker process per core: a worker runs the sync endpoints in its thread pool, but Python
# code holds the GIL, so one process uses about one core; a third process would add memory and context
# switches, not CPU, on a machine whose two cores also carry the load generator (and PostgreSQL).
WORKERS = int(os.environ.get("BANKCRM_BENCH_SERVER_WORKERS", str(os.cpu_count() or 2)))
# Seconds an idle keep-alive connection stays open: longer than a user's think time (uvicorn's 5 s
# default closes it between two clicks, and a request sent as it closes fails), as a proxy in front would.
KEEP_ALIVE = int(os.environ.get("BANKCRM_BENCH_KEEP_ALIVE", "75"))


def app_env(url: str) -> dict[str, str]:
    """The environment the demo builder and the server run with (this worktree's source first)."""
    env = dict(os.environ, BANKCRM_MODE="demo", BANKCRM_DATABASE_URL=url)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), str(SRC.parent), env.get("PYTHONPATH", "")) if p)
    return env


def demo_database(database: str, workdir: Path) -> str:
    """A fresh database with the demo bank in it (``bankcrm demo --no-serve``), built once per run."""
    if database == "sqlite":
        url = f"sqlite:///{workdir / 'load.db'}"
    else:
        maybe = fresh_postgres(PG_URL)
        if maybe is None:
            raise SystemExit("PostgreSQL not reachable")
        url = maybe
    # cwd: the demo writes its core-banking files beside a SQLite file, or under ./var
    subprocess.run(
        [sys.executable, "-m", "bankcrm", "demo", "--no-serve"],
        env=app_env(url),
        cwd=workdir,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return url


def free_port() -> int:
    """A TCP port nobody listens on now, on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def proc_status(pid: int, key: str) -> int:
    """A kB figure from /proc/<pid>/status (VmHWM: peak resident memory), 0 once the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a live process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Server:
    """A running uvicorn: its address, worker pids and log file."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path
    workers: list[int] = field(default_factory=list)

    def peak_rss_mb(self) -> list[int]:
        """Peak resident memory of each worker process so far, MB."""
        return [round(proc_status(pid, "VmHWM") / 1024) for pid in self.workers]

    def cpu_seconds(self) -> float:
        """CPU seconds the workers have used so far."""
        return sum(cpu_seconds(pid) for pid in self.workers)


@contextmanager
def serve(url: str, workdir: Path, workers: int = WORKERS) -> Iterator[Server]:
    """uvicorn on 127.0.0.1 with ``workers`` processes against ``url``; stopped (SIGINT) on exit.

    Started through bench/uvicorn_workers.py (``uvicorn --workers`` with TCP_NODELAY kept). The
    access log is off (it would cost the workers CPU per request); errors and tracebacks go to the
    log file, which the benches read for the cause of any failed request.
    """
    port = free_port()
    log = workdir / f"server-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.uvicorn_workers", "127.0.0.1", str(port), str(workers), str(KEEP_ALIVE)],
            env=app_env(url),
            cwd=workdir,
            stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        _wait_ready(server, workers)
        yield server
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(server: Server, workers: int) -> None:
    """Until every worker has started and the sign-in page answers."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(f"the server stopped: {server.log.read_text()[-2000:]}")
        started = server.log.read_text().count("Application startup complete")
        if started >= workers:
            try:
                with urllib.request.urlopen(server.url + "/login", timeout=5) as r:  # noqa: S310 - our own server
                    if r.status == 200:
                        server.workers = [p for p in _children(server.process.pid) if _is_worker(p)]
                        return
            except OSError:
                pass
        time.sleep(0.3)
    raise SystemExit(f"the server did not start: {server.log.read_text()[-2000:]}")


def _is_worker(pid: int) -> bool:
    try:
        return b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def server_errors(log: Path, limit: int = 20) -> list[str]:
    """The error lines of the server log: each unhandled error's route and its exception line."""
    lines = log.read_text(errors="replace").splitlines()
    out: list[str] = []
    for i, line in enumerate(lines):
        if line.startswith("ERROR"):
            out.append(line)
        elif (
            line
            and not line.startswith((" ", "Traceback", "INFO", "WARNING", "The above", "During"))
            and (i > 0 and lines[i - 1].startswith("    "))
        ):
            out.append(line)  # the exception at the end of a traceback
    counts: dict[str, int] = {}
    for line in out:
        counts[line] = counts.get(line, 0) + 1
    return [f"{n} × {line}" for line, n in sorted(counts.items(), key=lambda kv: -kv[1])][:limit]
