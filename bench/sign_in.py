"""Refused sign-ins take comparable time whatever the reason (unknown name, wrong password, locked account).

``python -m bench.sign_in``: one SQLite database, the real app in process, the production argon2
parameters; each case timed N times, interleaved so a busy machine slows all three alike.
Writes bench/results/sign_in.json.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import sessionmaker

from bankcrm.app import create_app
from bankcrm.config import Settings
from bankcrm.db import make_engine, session_scope
from bankcrm.demo import org as demo_org
from bankcrm.kit.time import utcnow
from bankcrm.migrate import upgrade
from bankcrm.models.access import User
from bench.common import RESULTS, machine

ROUNDS = int(os.environ.get("BANKCRM_BENCH_ROUNDS", "30"))


def main() -> None:
    """Time each kind of refusal and write the medians side by side."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        engine = make_engine(url)
        with session_scope(sessionmaker(bind=engine)) as db:
            demo_org.build(db)
            db.execute(update(User).where(User.username == "am2").values(locked_until=utcnow() + timedelta(days=1)))
        client = TestClient(create_app(Settings(mode="test", database_url=url), engine))
        cases = {"unknown name": ("nobody", "bad"), "wrong password": ("am1", "bad"), "locked account": ("am2", "bad")}
        times: dict[str, list[float]] = {case: [] for case in cases}
        for _ in range(ROUNDS):
            for case, (username, password) in cases.items():
                with engine.begin() as conn:  # am1 never reaches the lock: each wrong password is its first
                    conn.execute(update(User).where(User.username == "am1").values(failed_logins=0))
                started = time.perf_counter()
                answer = client.post("/api/v1/auth/token", data={"username": username, "password": password})
                times[case].append((time.perf_counter() - started) * 1000)
                assert answer.status_code == 401, answer.text
        engine.dispose()
    medians = {case: round(statistics.median(ms), 1) for case, ms in times.items()}
    out = {
        "machine": machine(),
        "rounds": ROUNDS,
        "median_ms": medians,
        "locked_vs_wrong_password": round(medians["locked account"] / medians["wrong password"], 2),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "sign_in.json").write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
