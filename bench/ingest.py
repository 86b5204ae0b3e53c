"""Voucher ingest at scale beside the raw floor, on SQLite and PostgreSQL, measured in one run on the same file.

``python -m bench.ingest`` (``make bench``): generates N vouchers (``BANKCRM_BENCH_VOUCHERS``, default
10,000,000) over A accounts (``BANKCRM_BENCH_ACCOUNTS``, default 100,000), then per database:
the raw floor (PostgreSQL ``COPY`` of the file into an unindexed text table; SQLite ``executemany``
of the parsed rows in one transaction) and ``bankcrm ingest`` of the same file (checks, lookups,
indexes, rejects, audit). Results: bench/results/ingest-<database>.json.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
from sqlalchemy import insert, text
from sqlalchemy.orm import sessionmaker

from bankcrm.config import Settings
from bankcrm.db import make_engine, session_scope
from bankcrm.demo import org as demo_org
from bankcrm.ingest.formats import TRANSACTIONS
from bankcrm.ingest.jobs import run_ingest
from bankcrm.ingest.service.plans import ACCOUNT_PURPOSE
from bankcrm.ingest.service.run import IngestRequest
from bankcrm.kit.crypto import aad_for
from bankcrm.migrate import upgrade
from bankcrm.models.customer import Customer
from bankcrm.models.holding import Account
from bankcrm.models.ingest import IngestBatch
from bench.common import RESULTS, machine, peak_rss_mb

PG_URL = os.environ.get("BANKCRM_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/bankcrm_bench")
DAY = date(2026, 10, 30)
CHANNELS = ["COUNTER", "ATM", "MOBILE", "ONLINE", "POS", "WECHAT", "BATCH"]
PURPOSES = ["SALARY", "TRANSFER", "CASH", "CONSUME", "INTEREST", "LOAN", "OTHER"]
NAMES = ["北京星河科技有限公司", "张伟", "王芳", "上海浦江贸易有限公司", "美团", "京东商城", "中国石化"]
BANKS = ["中国工商银行", "招商银行", "中国建设银行", "", "中国银行"]


def account_no(i: int) -> str:
    """The i-th bench account number."""
    return f"6222{i:015d}"


def write_vouchers(path: Path, rows: int, accounts: int, seed: int = 7) -> None:
    """A transactions file of ``rows`` vouchers, vectorised (the file, not Python, is what is measured)."""
    rng = np.random.default_rng(seed)
    step = 1_000_000
    with path.open("wb") as fh:
        fh.write((",".join(TRANSACTIONS.names) + "\n").encode())
        for start in range(0, rows, step):
            n = min(step, rows - start)
            seconds = rng.integers(0, 86_400, n)
            frame = pl.DataFrame(
                {
                    "voucher_no": [f"V{i:011d}" for i in range(start, start + n)],
                    "account_no": pl.Series(rng.integers(0, accounts, n)).map_elements(
                        account_no, return_dtype=pl.String
                    ),
                    "txn_time": pl.Series(seconds).map_elements(
                        lambda s: f"2026-10-30 {s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}", return_dtype=pl.String
                    ),
                    "amount": [f"{a // 100}.{a % 100:02d}" for a in rng.integers(1, 5_000_000, n).tolist()],
                    "direction": pl.Series(rng.choice(["D", "C"], n)),
                    "channel": pl.Series(rng.choice(CHANNELS, n)),
                    "counterparty_name": pl.Series(rng.choice(NAMES, n)),
                    "counterparty_bank": pl.Series(rng.choice(BANKS, n)),
                    "purpose_code": pl.Series(rng.choice(PURPOSES, n)),
                    "summary": pl.Series(rng.choice(["工资", "消费", "转账", "还款"], n)),
                }
            )
            frame.write_csv(fh, include_header=False)


def prepare(url: str, settings: Settings, accounts: int) -> None:
    """A fresh database with the demo org, 1 customer per 3 accounts and the accounts (numbers encrypted)."""
    if url.startswith("postgresql"):
        admin = make_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            name = url.rsplit("/", 1)[1]
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    upgrade(url)
    cipher = settings.field_cipher()
    engine = make_engine(url)
    with session_scope(sessionmaker(bind=engine)) as db:
        demo_org.build(db)
        unit = db.scalar(text("SELECT id FROM org_unit WHERE code = 'BJ'"))
        customers = (accounts + 2) // 3
        db.execute(
            insert(Customer),
            [
                {"cif_no": f"8{i:010d}", "kind": "individual", "status": "ACTIVE", "name": "张伟",
                 "name_pinyin": "zhangwei", "name_initials": "zw", "home_unit_id": unit}
                for i in range(customers)
            ],
        )  # fmt: skip
        batch = IngestBatch(source="BENCH", file_type="accounts", business_date=DAY, checksum="-")
        db.add(batch)
        db.flush()
        first = db.scalar(text("SELECT min(id) FROM customer"))
        rows = []
        for i in range(accounts):
            number = account_no(i)
            index = cipher.blind_index(number, ACCOUNT_PURPOSE)
            rows.append(
                {"customer_id": first + i // 3, "account_no_index": index,
                 "account_no_enc": cipher.encrypt(number, aad_for("account", "account_no", index)),
                 "account_no_masked": "*" * 15 + number[-4:], "product_code": "DD-CNY", "unit_id": unit,
                 "currency": "CNY", "status": "ACTIVE", "open_date": date(2024, 1, 1), "balance": 0,
                 "batch_id": batch.id}
            )  # fmt: skip
        for start in range(0, len(rows), 20_000):
            db.execute(insert(Account), rows[start : start + 20_000])
    engine.dispose()


def raw_floor(url: str, path: Path) -> float:
    """Seconds to put the file's rows into an unindexed table the plainest way the database allows."""
    cols = ", ".join(f"{c} TEXT" for c in TRANSACTIONS.names)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS raw_voucher"))
        conn.execute(text(f"CREATE TABLE raw_voucher ({cols})"))
    started = time.perf_counter()
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if url.startswith("postgresql"):
            with path.open("rb") as fh, cur.copy("COPY raw_voucher FROM STDIN (FORMAT csv, HEADER true)") as copy:  # type: ignore[attr-defined]
                while block := fh.read(1 << 20):
                    copy.write(block)
        else:
            with path.open(encoding="utf-8", newline="") as fh:
                reader = csv.reader(fh)
                next(reader)
                cur.execute("BEGIN")
                marks = ", ".join("?" * len(TRANSACTIONS.names))
                cur.executemany(f"INSERT INTO raw_voucher VALUES ({marks})", reader)
        raw.commit()
    finally:
        raw.close()
    elapsed = time.perf_counter() - started
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE raw_voucher"))
    engine.dispose()
    return elapsed


def run_one(backend: str, path: Path, rows: int, accounts: int, workdir: Path) -> dict[str, object]:
    """Floor and ingest on one database."""
    url = f"sqlite:///{workdir / 'bench.db'}" if backend == "sqlite" else PG_URL
    settings = Settings(mode="test", database_url=url)
    prepare(url, settings, accounts)
    floor = raw_floor(url, path)
    started = time.perf_counter()
    result, _ = run_ingest(settings, IngestRequest(path, "transactions", DAY, "CORE"))
    ingest = time.perf_counter() - started
    assert result.run.rows_loaded == rows, (result.run.rows_loaded, result.run.rows_rejected)
    return {
        "database": backend,
        "vouchers": rows,
        "accounts": accounts,
        "file_mb": round(path.stat().st_size / 1e6, 1),
        "raw_floor_s": round(floor, 1),
        "raw_floor_rows_per_s": round(rows / floor),
        "ingest_s": round(ingest, 1),
        "ingest_rows_per_s": round(rows / ingest),
        "share_of_floor": round(floor / ingest, 3),
        "peak_rss_mb": peak_rss_mb(),
        "machine": machine(),
    }


def main() -> None:
    """Generate the file once, then measure each database in its own process (peak memory is its own)."""
    rows = int(os.environ.get("BANKCRM_BENCH_VOUCHERS", "10000000"))
    accounts = int(os.environ.get("BANKCRM_BENCH_ACCOUNTS", "100000"))
    RESULTS.mkdir(exist_ok=True)
    if len(sys.argv) == 3:  # child: python -m bench.ingest <backend> <file>
        backend, file = sys.argv[1], Path(sys.argv[2])
        with tempfile.TemporaryDirectory() as tmp:
            out = run_one(backend, file, rows, accounts, Path(tmp))
        (RESULTS / f"ingest-{backend}.json").write_text(json.dumps(out, indent=2) + "\n")
        print(json.dumps(out))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "vouchers.csv"
        started = time.perf_counter()
        write_vouchers(path, rows, accounts)
        print(
            f"generated {rows:,} vouchers ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.0f} s"
        )
        for backend in ("sqlite", "postgresql"):
            subprocess.run([sys.executable, "-m", "bench.ingest", backend, str(path)], check=True)


if __name__ == "__main__":
    main()
