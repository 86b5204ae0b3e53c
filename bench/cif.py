"""CIF at scale: generate N customers on SQLite and PostgreSQL, then time search per key type.

``python -m bench.cif`` (or ``make bench``) runs each database in its own process so that peak
memory is that database's alone. N defaults to 1,000,000 (``BANKCRM_BENCH_CUSTOMERS``). Results go
to bench/results/cif-<database>.json; the Markdown table printed at the end goes into
docs/benchmarks.md.
"""

from __future__ import annotations

import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, text
from sqlalchemy.orm import Session, sessionmaker

from bankcrm.access.principal import Principal
from bankcrm.config import Settings
from bankcrm.customers.service import queries
from bankcrm.customers.service.records import ID_PURPOSE, PHONE_PURPOSE
from bankcrm.db import make_engine, session_scope
from bankcrm.demo import org as demo_org
from bankcrm.kit import masking, validators
from bankcrm.kit.crypto import FieldCipher, aad_for
from bankcrm.kit.pagination import PageRequest
from bankcrm.kit.pinyin import pinyin_full, pinyin_initials
from bankcrm.kit.search_keys import keys_for
from bankcrm.kit.time import utcnow
from bankcrm.migrate import upgrade
from bankcrm.models import Counter, Customer, CustomerContact, CustomerSearchKey, IndividualProfile

RESULTS = Path(__file__).resolve().parent / "results"
PG_URL = os.environ.get("BANKCRM_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/bankcrm_bench")
BATCH = 20_000
QUERIES = 1_000
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉宇浩凯健俊帆晨欣怡博文思雨佳琪子涵梓轩"
)
REGIONS = ("110105", "110108", "310115", "310101", "440106", "440104", "330106", "510107", "420106", "320102")


@cache
def _name_fields(name: str) -> tuple[str, str, tuple[str, ...]]:
    """Pinyin and keys per distinct name (names repeat; the work per customer is the same as in the app)."""
    return pinyin_full(name), pinyin_initials(name), tuple(sorted(keys_for(name)))


def _mobile(rng: random.Random) -> str:
    return "+86" + rng.choice(("138", "139", "136", "150", "186", "177", "133", "188")) + f"{rng.randrange(10**8):08d}"


def generate(engine: Engine, cipher: FieldCipher, count: int, seed: int = 7) -> dict[str, list[str]]:
    """Insert ``count`` customers in batches; returns samples of each search key for the timing part."""
    rng = random.Random(seed)
    now = utcnow()
    with engine.connect() as conn:
        units = [r[0] for r in conn.execute(text("SELECT id FROM org_unit WHERE kind_code <> 'head_office'"))]
    samples: dict[str, list[str]] = {
        k: [] for k in ("cif_no", "id_no", "mobile", "name", "given_name", "pinyin", "initials")
    }
    keep = max(1, count // (QUERIES * 2))
    today = date(2026, 11, 1)
    for start in range(1, count + 1, BATCH):
        customers, profiles, contacts, keys = [], [], [], []
        for i in range(start, min(start + BATCH, count + 1)):
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
            born = today - timedelta(days=rng.randint(20 * 365, 80 * 365))
            gender = rng.choice("MF")
            first17 = rng.choice(REGIONS) + born.strftime("%Y%m%d") + f"{rng.randrange(100):02d}"
            first17 += rng.choice("13579" if gender == "M" else "02468")
            id_no = first17 + validators.resident_id_check_char(first17)
            mobile = _mobile(rng)
            pinyin, initials, name_keys = _name_fields(name)
            cif_no = validators.cif_number(i)
            customers.append(
                {
                    "id": i,
                    "cif_no": cif_no,
                    "kind": "individual",
                    "status": "ACTIVE",
                    "name": name,
                    "name_pinyin": pinyin,
                    "name_initials": initials,
                    "id_type": "RIC",
                    "id_no_enc": cipher.encrypt(id_no, aad_for("customer", "id_no", i)),
                    "id_no_index": cipher.blind_index(id_no, ID_PURPOSE),
                    "id_no_masked": masking.mask_id_number(id_no),
                    "home_unit_id": rng.choice(units),
                    "created_at": now,
                    "updated_at": now,
                }
            )
            profiles.append({"customer_id": i, "gender": gender, "birth_date": born})
            contacts.append(
                {
                    "id": i,
                    "customer_id": i,
                    "channel": "phone",
                    "purpose": "mobile",
                    "value_enc": cipher.encrypt(mobile, aad_for("customer_contact", "value", i)),
                    "value_index": cipher.blind_index(mobile, PHONE_PURPOSE),
                    "value_masked": masking.mask_phone(mobile),
                    "preferred": True,
                }
            )
            keys.extend({"key": k, "customer_id": i} for k in name_keys)
            if i % keep == 0:
                for kind, value in (
                    ("cif_no", cif_no),
                    ("id_no", id_no),
                    ("mobile", mobile[3:]),
                    ("name", name),
                    ("given_name", name[1:]),
                    ("pinyin", pinyin),
                    ("initials", initials),
                ):
                    samples[kind].append(value)
        with engine.begin() as conn:
            conn.execute(insert(Customer.__table__), customers)
            conn.execute(insert(IndividualProfile.__table__), profiles)
            conn.execute(insert(CustomerContact.__table__), contacts)
            conn.execute(insert(CustomerSearchKey.__table__), keys)
        print(f"  {min(start + BATCH - 1, count):>9,} customers", file=sys.stderr, flush=True)
    with engine.begin() as conn:
        conn.execute(insert(Counter.__table__), [{"name": "cif", "value": count}])
        if engine.dialect.name == "postgresql":
            for table in ("customer_contact", "customer"):  # explicit ids were inserted: move the sequences on
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {count})"))
        conn.execute(text("ANALYZE"))
    return samples


def time_searches(engine: Engine, cipher: FieldCipher, samples: dict[str, list[str]]) -> dict[str, dict[str, float]]:
    """p50/p95/p99 milliseconds of the real search service, per key type, as a whole-bank reader."""
    reader = Principal(None, "bench", "Bench", 1, "/1/", ("risk_manager",), frozenset({"customer.read"}), "all")
    factory = sessionmaker(bind=engine)
    out: dict[str, dict[str, float]] = {}
    rng = random.Random(11)
    for kind, values in samples.items():
        picks = [rng.choice(values) for _ in range(QUERIES)]
        timings, found = [], 0
        with Session(bind=engine) as db:
            queries.search(db, reader, cipher, PageRequest(1, 25), q=picks[0])  # warm the caches
        for q in picks:
            with session_scope(factory) as db:
                started = time.perf_counter()
                page, _ = queries.search(db, reader, cipher, PageRequest(1, 25), q=q)
                timings.append((time.perf_counter() - started) * 1000)
                found += page.total > 0
        cuts = statistics.quantiles(timings, n=100)
        out[kind] = {"p50": cuts[49], "p95": cuts[94], "p99": cuts[98], "found_share": found / len(picks)}
    return out


def worker(database: str, count: int) -> None:
    """Build one database from scratch, generate, time searches, write the results file."""
    cipher = Settings(mode="test").field_cipher()  # the built-in development keys: bench data is synthetic
    if database == "sqlite":
        tmp = Path(tempfile.mkdtemp(prefix="bankcrm-bench-"))
        url = f"sqlite:///{tmp / 'bench.db'}"
    else:
        from bench.run import fresh_postgres

        maybe = fresh_postgres(PG_URL)
        if maybe is None:
            print("PostgreSQL not reachable; skipped", file=sys.stderr)
            return
        url = maybe
    upgrade(url)
    engine = make_engine(url)
    with session_scope(sessionmaker(bind=engine)) as db:
        demo_org.build(db)
    started = time.perf_counter()
    samples = generate(engine, cipher, count)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    latencies = time_searches(engine, cipher, samples)
    engine.dispose()
    result: dict[str, Any] = {
        "database": database,
        "customers": count,
        "generation_seconds": round(seconds, 1),
        "peak_rss_mb": round(peak_mb),
        "search_ms": {k: {m: round(v, 2) for m, v in d.items()} for k, d in latencies.items()},
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"cif-{database}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")


def table(results: list[dict[str, Any]]) -> str:
    """The Markdown table for docs/benchmarks.md."""
    lines = ["| figure | " + " | ".join(r["database"] for r in results) + " |", "|---" * (len(results) + 1) + "|"]
    lines.append("| customers generated | " + " | ".join(f"{r['customers']:,}" for r in results) + " |")
    lines.append("| generation, s | " + " | ".join(str(r["generation_seconds"]) for r in results) + " |")
    lines.append("| peak RSS, MB | " + " | ".join(str(r["peak_rss_mb"]) for r in results) + " |")
    for kind in results[0]["search_ms"]:
        cells = ["{p50:.1f} / {p95:.1f} / {p99:.1f}".format(**r["search_ms"][kind]) for r in results]
        lines.append(f"| search by {kind}, ms p50 / p95 / p99 | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    """Run each database in its own process, then print the table."""
    count = int(os.environ.get("BANKCRM_BENCH_CUSTOMERS", "1000000"))
    if len(sys.argv) == 3:
        worker(sys.argv[1], int(sys.argv[2]))
        return
    for database in ("sqlite", "postgresql"):
        print(f"{database}: generating {count:,} customers", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "bench.cif", database, str(count)], check=True)
    results = [json.loads((RESULTS / f"cif-{d}.json").read_text()) for d in ("sqlite", "postgresql")]
    print(table(results))


if __name__ == "__main__":
    main()
