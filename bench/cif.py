"""CIF at scale: generate N customers on SQLite and PostgreSQL, then time search per key type.

``python -m bench.cif`` (or ``make bench``) runs each database in its own process so that peak
memory is that database's alone. N defaults to 1,000,000 (``BANKCRM_BENCH_CUSTOMERS``). Results go
to bench/results/cif-<database>.json; the Markdown table printed at the end goes into
docs/benchmarks.md.

Generation stores exactly the rows the app would write, but builds them in worker processes (one per
core) while the parent inserts the previous batch through the raw driver (executemany on SQLite,
COPY on PostgreSQL); the secondary indexes of the customer tables are built after the load.
"""

from __future__ import annotations

import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Connection, Dialect, Engine, Table, bindparam, insert, text
from sqlalchemy.orm import Session, sessionmaker

from bankcrm.access.principal import Principal
from bankcrm.config import Settings
from bankcrm.customers.service import reads
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
from bankcrm.models.customer import Counter, Customer, CustomerContact, CustomerSearchKey, IndividualProfile
from bench.common import RESULTS, machine

PG_URL = os.environ.get("BANKCRM_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/bankcrm_bench")
BATCH = 20_000
WORKERS = os.cpu_count() or 2  # row-building processes; the parent inserts meanwhile
SQLITE_LOAD_CACHE_KIB = 128 * 1024  # page cache while loading (default 2 MB): 97 s → 74 s at 1M, for +140 MB RSS
PG_INDEX_MEMORY = "256MB"  # maintenance_work_mem for building the deferred indexes
QUERIES = 1_000
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉宇浩凯健俊帆晨欣怡博文思雨佳琪子涵梓轩"
)
TODAY = date(2026, 11, 1)  # birth dates count back from here
SAMPLE_KINDS = ("cif_no", "id_no", "mobile", "name", "given_name", "pinyin", "initials")
REGIONS = ("110105", "110108", "310115", "310101", "440106", "440104", "330106", "510107", "420106", "320102")


@cache
def _name_fields(name: str) -> tuple[str, str, tuple[str, ...]]:
    """Pinyin and keys per distinct name (names repeat; the work per customer is the same as in the app)."""
    return pinyin_full(name), pinyin_initials(name), tuple(sorted(keys_for(name)))


def _mobile(rng: random.Random) -> str:
    return "+86" + rng.choice(("138", "139", "136", "150", "186", "177", "133", "188")) + f"{rng.randrange(10**8):08d}"


# One customer's random choices: name, age in days, gender, region, serial, last ID digit, mobile, unit.
Draw = tuple[str, int, str, str, int, str, str, int]


def _draw(rng: random.Random, units: list[int]) -> Draw:
    """Drawn in the same order as ever, so that a seed still gives the same bank."""
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    days = rng.randint(20 * 365, 80 * 365)
    gender = rng.choice("MF")
    region = rng.choice(REGIONS)
    serial = rng.randrange(100)
    last = rng.choice("13579" if gender == "M" else "02468")
    return name, days, gender, region, serial, last, _mobile(rng), rng.choice(units)


@dataclass(frozen=True)
class _Setup:
    """What a row-building worker needs; workers are forked, so none of it is pickled."""

    cipher: FieldCipher
    created_at: Any  # utcnow() as SQLAlchemy binds it for this dialect
    preferred: Any
    birth_date: Callable[[date], Any]
    keep: int  # every keep-th customer is a search sample


_setup: _Setup | None = None


def _init_worker(setup: _Setup) -> None:
    global _setup
    _setup = setup


def _bind(column: ColumnElement[Any], dialect: Dialect) -> Callable[[Any], Any]:
    """SQLAlchemy's own conversion of a value for this column, so raw inserts store what the app stores."""
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    return process if process is not None else (lambda value: value)


# Column order of the row tuples _build makes; other columns stay NULL, as the app's inserts leave them.
COLUMNS: dict[Table, tuple[str, ...]] = {
    Customer.__table__: (
        "id", "cif_no", "kind", "status", "name", "name_pinyin", "name_initials", "id_type",
        "id_no_enc", "id_no_index", "id_no_masked", "home_unit_id", "created_at", "updated_at",
    ),
    IndividualProfile.__table__: ("customer_id", "gender", "birth_date"),
    CustomerContact.__table__: (
        "id", "customer_id", "channel", "purpose", "value_enc", "value_index", "value_masked", "preferred",
    ),
    CustomerSearchKey.__table__: ("key", "customer_id"),
}  # fmt: skip
Rows = tuple[list[tuple[Any, ...]], ...]  # one list per table of COLUMNS, in its order
Samples = list[tuple[str, ...]]  # per sampled customer, one value per SAMPLE_KINDS


def _build(start: int, draws: list[Draw]) -> tuple[Rows, Samples]:
    """Rows of customers start, start + 1, ... ready to insert, and the search samples among them."""
    assert _setup is not None
    cipher, now, preferred, birth_date = _setup.cipher, _setup.created_at, _setup.preferred, _setup.birth_date
    customers: list[tuple[Any, ...]] = []
    profiles: list[tuple[Any, ...]] = []
    contacts: list[tuple[Any, ...]] = []
    keys: list[tuple[Any, ...]] = []
    samples: Samples = []
    for i, (name, days, gender, region, serial, last, mobile, unit) in enumerate(draws, start):
        born = TODAY - timedelta(days=days)
        first17 = region + born.strftime("%Y%m%d") + f"{serial:02d}" + last
        id_no = first17 + validators.resident_id_check_char(first17)
        pinyin, initials, name_keys = _name_fields(name)
        cif_no = validators.cif_number(i)
        id_no_enc = cipher.encrypt(id_no, aad_for("customer", "id_no", i))
        id_no_index = cipher.blind_index(id_no, ID_PURPOSE)
        customers.append(
            (i, cif_no, "individual", "ACTIVE", name, pinyin, initials, "RIC", id_no_enc, id_no_index,
             masking.mask_id_number(id_no), unit, now, now)
        )  # fmt: skip
        profiles.append((i, gender, birth_date(born)))
        value_enc = cipher.encrypt(mobile, aad_for("customer_contact", "value", i))
        value_index = cipher.blind_index(mobile, PHONE_PURPOSE)
        contacts.append((i, i, "phone", "mobile", value_enc, value_index, masking.mask_phone(mobile), preferred))
        keys.extend((k, i) for k in name_keys)
        if i % _setup.keep == 0:
            samples.append((cif_no, id_no, mobile[3:], name, name[1:], pinyin, initials))
    return (customers, profiles, contacts, keys), samples


def _index_ddl(conn: Connection) -> set[tuple[str, str]]:
    """Name and definition of every index on the generated tables, as the database reports them."""
    names = bindparam("names", [t.name for t in COLUMNS], expanding=True)
    if conn.dialect.name == "sqlite":
        sql = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN :names"
    else:
        sql = "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN :names"
    return {(r[0], r[1]) for r in conn.execute(text(sql).bindparams(names))}


class _Loader:
    """Inserts batches through the raw driver connection: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, engine: Engine, columns: dict[Table, tuple[str, ...]] | None = None) -> None:
        """Prepare one statement per table of ``columns`` (default: this bench's), in the order the rows
        come; on SQLite, give the connection a cache that holds the load."""
        self.raw = engine.raw_connection()
        self.dbapi: Any = self.raw.driver_connection
        self.sqlite = engine.dialect.name == "sqlite"
        quote = engine.dialect.identifier_preparer.quote
        self.statements: list[str] = []
        for table, table_columns in (columns or COLUMNS).items():
            names = ", ".join(quote(c) for c in table_columns)
            if self.sqlite:
                marks = ", ".join("?" * len(table_columns))
                self.statements.append(f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})")
            else:
                self.statements.append(f"COPY {quote(table.name)} ({names}) FROM STDIN")
        if self.sqlite:
            self.cache_size = self.dbapi.execute("PRAGMA cache_size").fetchone()[0]
            self.dbapi.execute(f"PRAGMA cache_size = -{SQLITE_LOAD_CACHE_KIB}")

    def load(self, rows: Rows) -> None:
        """One transaction per batch, tables in foreign-key order."""
        if self.sqlite:  # the engine's connections are in autocommit mode: the transaction is explicit
            self.dbapi.execute("BEGIN")
            for statement, table_rows in zip(self.statements, rows, strict=True):
                self.dbapi.executemany(statement, table_rows)
            self.dbapi.execute("COMMIT")
            return
        with self.dbapi.cursor() as cur:
            for statement, table_rows in zip(self.statements, rows, strict=True):
                with cur.copy(statement) as copy:
                    for row in table_rows:
                        copy.write_row(row)
        self.dbapi.commit()

    def close(self) -> None:
        """Hand the connection back with the settings the searches always had."""
        if self.sqlite:
            self.dbapi.execute(f"PRAGMA cache_size = {self.cache_size}")
        self.raw.close()


def generate(engine: Engine, cipher: FieldCipher, count: int, seed: int = 7) -> dict[str, list[str]]:
    """Insert ``count`` customers in batches; returns samples of each search key for the timing part."""
    rng = random.Random(seed)
    dialect = engine.dialect
    with engine.connect() as conn:
        units = [r[0] for r in conn.execute(text("SELECT id FROM org_unit WHERE kind_code <> 'head_office'"))]
    setup = _Setup(
        cipher,
        created_at=_bind(Customer.__table__.c.created_at, dialect)(utcnow()),
        preferred=_bind(CustomerContact.__table__.c.preferred, dialect)(True),
        birth_date=_bind(IndividualProfile.__table__.c.birth_date, dialect),
        keep=max(1, count // (QUERIES * 2)),
    )
    # The database is fresh: its secondary indexes are built once after the load (a sort, not a million
    # random B-tree inserts each), from the models' own Index objects, and checked against the migrations.
    deferred = [index for table in COLUMNS for index in table.indexes]
    with engine.begin() as conn:
        schema = _index_ddl(conn)
        for index in deferred:
            index.drop(conn)
    samples: dict[str, list[str]] = {k: [] for k in SAMPLE_KINDS}
    loader = _Loader(engine)

    def take(future: Future[tuple[Rows, Samples]]) -> None:
        rows, batch_samples = future.result()
        loader.load(rows)
        for values in batch_samples:
            for kind, value in zip(SAMPLE_KINDS, values, strict=True):
                samples[kind].append(value)
        last_id = rows[0][-1][0]
        print(f"  {last_id:>9,} customers", file=sys.stderr, flush=True)

    # Workers build the next batches (crypto, masking, pinyin) while this process inserts the current one.
    with ProcessPoolExecutor(WORKERS, get_context("fork"), initializer=_init_worker, initargs=(setup,)) as pool:
        pending: deque[Future[tuple[Rows, Samples]]] = deque()
        for start in range(1, count + 1, BATCH):
            draws = [_draw(rng, units) for _ in range(min(BATCH, count + 1 - start))]
            pending.append(pool.submit(_build, start, draws))
            if len(pending) > WORKERS:
                take(pending.popleft())
        while pending:
            take(pending.popleft())
    loader.close()
    with engine.begin() as conn:
        if dialect.name == "postgresql":
            conn.execute(text(f"SET LOCAL maintenance_work_mem = '{PG_INDEX_MEMORY}'"))
        for index in deferred:
            index.create(conn)
        if _index_ddl(conn) != schema:
            raise RuntimeError("the rebuilt indexes differ from the migrated schema")
        conn.execute(insert(Counter.__table__), [{"name": "cif", "value": count}])
        if dialect.name == "postgresql":
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
            reads.search(db, reader, cipher, PageRequest(1, 25), q=picks[0])  # warm the caches
        for q in picks:
            with session_scope(factory) as db:
                started = time.perf_counter()
                page, _ = reads.search(db, reader, cipher, PageRequest(1, 25), q=q)
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
    worker_peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the largest row builder
    latencies = time_searches(engine, cipher, samples)
    engine.dispose()
    result: dict[str, Any] = {
        "database": database,
        "customers": count,
        "generation_seconds": round(seconds, 1),
        "peak_rss_mb": round(peak_mb),
        "worker_peak_rss_mb": round(worker_peak_mb),
        "search_ms": {k: {m: round(v, 2) for m, v in d.items()} for k, d in latencies.items()},
        "machine": machine(),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"cif-{database}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")


def table(results: list[dict[str, Any]]) -> str:
    """The Markdown table for docs/benchmarks.md."""
    lines = ["| figure | " + " | ".join(r["database"] for r in results) + " |", "|---" * (len(results) + 1) + "|"]
    lines.append("| customers generated | " + " | ".join(f"{r['customers']:,}" for r in results) + " |")
    lines.append("| generation, s | " + " | ".join(str(r["generation_seconds"]) for r in results) + " |")
    lines.append("| peak RSS, MB | " + " | ".join(str(r["peak_rss_mb"]) for r in results) + " |")
    workers = " | ".join(str(r.get("worker_peak_rss_mb", "–")) for r in results)
    lines.append(f"| peak RSS of a row-building worker, MB | {workers} |")
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
