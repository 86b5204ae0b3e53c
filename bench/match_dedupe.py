"""Duplicate detection over N synthetic customers: the scoring of ``bankcrm match run --full``, without the DB load.

Generates N individuals in memory (seeded; common surnames and given-name characters, so that namesakes
are frequent as in a real CIF), plants duplicates (2% of customers get a copy with a traditional-script
name, a mobile digit off, a missing field or a birth-date digit swapped), then times ``prepare`` (folding,
pinyin) and ``score`` (Splink on DuckDB, every blocking rule) and reports wall seconds, peak RSS and how
many planted duplicates were found at or above the upper threshold.

Usage: PYTHONPATH=src:. python -m bench.match_dedupe [N] [--threads T]

``db sqlite|postgresql [N]``: the whole ``bankcrm match run --full`` from a database instead. A bench-only
bulk fill writes N customers (the demo generator's CORE customers, each followed by its CREDIT record when
it has one: the planted near-duplicates, hard negatives and new people of ``bankcrm.demo.feed``) as the app
stores them: customer row with name pinyin and initials, encrypted ID with blind index and masked copy,
profile, encrypted mobile and plain address contacts (``bench/cif.py``'s way: rows built in worker processes
with the app's cipher, loaded through the raw driver, secondary indexes rebuilt after). Search keys are not
written: matching never reads them. Then the real CLI runs in a child process and is timed end to end
(read, decrypt, score, write the reviews), with the child's peak RSS and CPU seconds; the reviews it opened
are checked against the generator's truth.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np
import polars as pl

from bankcrm.matching.service import scoring

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = list(
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鑫斌宇浩凯健俊帆帅旭宁龙林欢阳建国"
    "志文辉力明永健世广义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进"
    "林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁"
    "栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘"
)
TRADITIONAL = {
    "伟": "偉",
    "华": "華",
    "国": "國",
    "丽": "麗",
    "红": "紅",
    "军": "軍",
    "龙": "龍",
    "刘": "劉",
    "陈": "陳",
}
CITIES = [
    "北京市朝阳区",
    "北京市海淀区",
    "上海市浦东新区",
    "上海市黄浦区",
    "广州市天河区",
    "深圳市南山区",
    "杭州市西湖区",
]
STREETS = [f"{w}{k}" for w in "建国人民解放中山和平幸福光明新华文化胜利" for k in ("路", "街", "大道")]
COMPANIES = [f"{c}{w}科技有限公司" for c in ("北京", "上海", "广州", "深圳", "杭州") for w in GIVEN[:200]]


def synthetic(n: int, seed: int = 14) -> tuple[pl.DataFrame, int]:
    """``n`` customers of which 2% are planted copies of others; returns the frame and the planted count."""
    rng = np.random.default_rng(seed)
    base = n - n // 50
    surnames = np.array(SURNAMES)[rng.integers(0, len(SURNAMES), base)]
    given1 = np.array(GIVEN)[rng.integers(0, len(GIVEN), base)]
    given2 = np.where(rng.random(base) < 0.7, np.array(GIVEN)[rng.integers(0, len(GIVEN), base)], "")
    names = np.char.add(np.char.add(surnames, given1), given2)
    births = np.datetime64("1945-01-01") + rng.integers(0, 365 * 60, base).astype("timedelta64[D]")
    genders = np.where(rng.random(base) < 0.5, "M", "F")
    mobiles = np.char.add("1", rng.integers(3_000_000_000, 9_999_999_999, base).astype(str))
    mobiles = np.where(rng.random(base) < 0.15, None, mobiles)
    addresses = np.char.add(
        np.char.add(
            np.array(CITIES)[rng.integers(0, len(CITIES), base)], np.array(STREETS)[rng.integers(0, len(STREETS), base)]
        ),
        np.char.add(rng.integers(1, 999, base).astype(str), "号"),
    )
    addresses = np.where(rng.random(base) < 0.3, None, addresses)
    employers = np.where(rng.random(base) < 0.5, None, np.array(COMPANIES)[rng.integers(0, len(COMPANIES), base)])
    frame = pl.DataFrame(
        {
            "unique_id": np.arange(base, dtype=np.int64),
            "name": names,
            "birth_date": births.astype(str),
            "gender": genders,
            "mobile": mobiles.tolist(),
            "address": addresses.tolist(),
            "employer": employers.tolist(),
            "id_no": None,
        },
        schema_overrides={"id_no": pl.String},
    )
    copies = frame.sample(n - base, seed=seed).to_dicts()
    for k, row in enumerate(copies):
        row["truth"] = row["unique_id"]
        row["unique_id"] = base + k
        change = k % 5
        if change == 0:
            row["name"] = "".join(TRADITIONAL.get(ch, ch) for ch in row["name"])
        elif change == 1 and row["mobile"]:
            digits = list(row["mobile"])
            digits[7] = str((int(digits[7]) + 1) % 10)
            row["mobile"] = "".join(digits)
        elif change == 2:
            row["address"] = None
        elif change == 3:
            b = row["birth_date"]
            row["birth_date"] = b[:8] + b[9] + b[8] if b[8] != b[9] else b
        else:
            row["employer"] = None
    planted = pl.DataFrame(copies, schema={**frame.schema, "truth": pl.Int64})
    full = pl.concat([frame.with_columns(pl.col("unique_id").alias("truth")), planted])
    return full, len(copies)


# ---------------------------------------------------------------- the whole run, from a database

DB_SEED = 2026
DB_BATCH = 20_000
PG_URL = os.environ.get("BANKCRM_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/bankcrm_bench")


def _db_columns() -> dict[Any, tuple[str, ...]]:
    from bankcrm.models.customer import CorporateProfile, Customer, CustomerContact, IndividualProfile

    return {
        Customer.__table__: (
            "id", "cif_no", "kind", "status", "name", "name_pinyin", "name_initials", "id_type", "id_no_enc",
            "id_no_index", "id_no_masked", "uscc", "home_unit_id", "created_at", "updated_at",
        ),
        IndividualProfile.__table__: ("customer_id", "gender", "birth_date", "employer"),
        CorporateProfile.__table__: ("customer_id", "legal_rep_name", "registered_address", "listed"),
        CustomerContact.__table__: (
            "id", "customer_id", "channel", "purpose", "value", "value_enc", "value_index", "value_masked", "preferred",
        ),
    }  # fmt: skip


def _same_identity(row: dict[str, str], core: dict[str, str]) -> bool:
    return (bool(row.get("id_no")) and row.get("id_no") == core.get("id_no")) or (
        bool(row.get("uscc")) and row.get("uscc") == core.get("uscc")
    )


def _records(start: int, stop: int) -> list[tuple[dict[str, str], str]]:
    """CORE records of customers [start, stop), each followed by its CREDIT record if any, with the truth cluster."""
    from bankcrm.demo.feed import core_record, credit_record

    out: list[tuple[dict[str, str], str]] = []
    for i in range(start, stop):
        core = core_record(DB_SEED, i)
        out.append((core, f"P{i + 1:09d}"))
        credit = credit_record(DB_SEED, i, core)
        # A CREDIT record with its CORE customer's ID or USCC links by identity on arrival: never a second customer.
        if credit is not None and not _same_identity(credit[0], core):
            out.append(credit)
    return out


_db_setup: dict[str, Any] = {}


@lru_cache(maxsize=200_000)
def _given_syllables(rest: str) -> tuple[str, ...]:
    from pypinyin import Style, lazy_pinyin

    from bankcrm.kit.pinyin import _ascii_lower

    out: list[str] = []
    for part in lazy_pinyin(rest, style=Style.NORMAL):
        out.extend(word for word in (_ascii_lower(w) for w in part.split()) if word)
    return tuple(out)


def _name_pinyin(name: str) -> tuple[str, str]:
    """``kit.pinyin.pinyin_full`` and ``pinyin_initials`` of a name, the given name's reading cached (demo names
    are mostly distinct, their given names are not): the same values, a few times faster."""
    from bankcrm.kit.pinyin import _surname_split

    surname, rest = _surname_split(name.strip())
    syllables = [*surname, *_given_syllables(rest)]
    return "".join(syllables), "".join(s[0] for s in syllables)


def _e164(mobile: str) -> str:
    """``validators.mobile`` for the generator's plain mainland mobiles without parsing; anything else parsed."""
    from bankcrm.kit import validators

    digits = "".join(ch for ch in mobile if ch.isdigit())
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if len(digits) == 11 and digits[0] == "1" and digits[1] in "3456789":
        return "+86" + digits
    return validators.mobile(mobile)


def _db_build(task: tuple[int, int, int]) -> tuple[tuple[list[tuple[Any, ...]], ...], list[str]]:
    """Rows of the records of CORE customers [start, stop), customer ids from ``first_id``; and their clusters."""
    from bankcrm.customers.service.records import ID_PURPOSE, PHONE_PURPOSE
    from bankcrm.kit import masking, validators
    from bankcrm.kit.crypto import aad_for

    start, stop, first_id = task
    cipher, now, preferred, listed, bind_date, units = (
        _db_setup[k] for k in ("cipher", "now", "preferred", "listed", "birth_date", "units")
    )
    customers: list[tuple[Any, ...]] = []
    individuals: list[tuple[Any, ...]] = []
    corporates: list[tuple[Any, ...]] = []
    contacts: list[tuple[Any, ...]] = []
    clusters: list[str] = []
    for cid, (row, cluster) in enumerate(_records(start, stop), first_id):
        name = row["name"] or row.get("name_en") or ""
        pinyin, initials = _name_pinyin(name)
        id_no = row.get("id_no") or ""
        id_enc = cipher.encrypt(id_no, aad_for("customer", "id_no", cid)) if id_no else None
        customers.append(
            (cid, validators.cif_number(cid), row["kind"], row.get("status") or "ACTIVE", name, pinyin, initials,
             row.get("id_type") or None, id_enc, cipher.blind_index(id_no, ID_PURPOSE) if id_no else None,
             masking.mask_id_number(id_no) if id_no else None, row.get("uscc") or None, units[cid % len(units)],
             now, now)
        )  # fmt: skip
        if row["kind"] == "individual":
            born = date.fromisoformat(row["birth_date"]) if row.get("birth_date") else None
            individuals.append((cid, row.get("gender") or None, bind_date(born), row.get("employer") or None))
        else:
            corporates.append((cid, row.get("legal_rep_name") or None, row.get("registered_address") or None, listed))
        mobile = row.get("mobile") or ""
        if mobile:
            e164 = _e164(mobile)
            mobile_enc = cipher.encrypt(e164, aad_for("customer_contact", "value", 2 * cid))
            contacts.append(
                (2 * cid, cid, "phone", "mobile", None, mobile_enc, cipher.blind_index(e164, PHONE_PURPOSE),
                 masking.mask_phone(e164), preferred)
            )  # fmt: skip
        address = row.get("address") or ""
        if address:
            purpose = "HOME" if row["kind"] == "individual" else "OFFICE"
            contacts.append(
                (2 * cid + 1, cid, "address", purpose, address, None, None, masking.mask_text(address), preferred)
            )
        clusters.append(cluster)
    return (customers, individuals, corporates, contacts), clusters


def fill(engine: Any, cipher: Any, customers: int) -> dict[int, str]:
    """Insert about ``customers`` customers (CORE customers with their CREDIT records); id → truth cluster."""
    from collections import deque
    from concurrent.futures import Future, ProcessPoolExecutor
    from multiprocessing import get_context

    from sqlalchemy import insert, text

    from bankcrm.kit.time import utcnow
    from bankcrm.models.customer import CorporateProfile, Counter, Customer, CustomerContact, IndividualProfile
    from bench.cif import _bind, _index_ddl, _Loader

    dialect = engine.dialect
    with engine.connect() as conn:
        units = [r[0] for r in conn.execute(text("SELECT id FROM org_unit WHERE kind_code <> 'head_office'"))]
    _db_setup.update(
        cipher=cipher,
        now=_bind(Customer.__table__.c.created_at, dialect)(utcnow()),
        preferred=_bind(CustomerContact.__table__.c.preferred, dialect)(True),
        listed=_bind(CorporateProfile.__table__.c.listed, dialect)(False),
        birth_date=_bind(IndividualProfile.__table__.c.birth_date, dialect),
        units=units,
    )
    # CORE customers needed for about ``customers`` records in all (the share of CREDIT records is measured on
    # the first chunk); each chunk's ids start at a multiple of 2 * DB_BATCH (room for every CREDIT record).
    per_core = len(_records(0, DB_BATCH)) / DB_BATCH
    core_total = round(customers / per_core)
    tasks = [(c, min(c + DB_BATCH, core_total), 2 * c + 1) for c in range(0, core_total, DB_BATCH)]
    columns = _db_columns()
    deferred = [index for table in columns for index in table.indexes]
    with engine.begin() as conn:
        schema = _index_ddl(conn)
        for index in deferred:
            index.drop(conn)
    loader = _Loader(engine, columns)
    clusters: dict[int, str] = {}
    ids: list[int] = [0]
    workers = os.cpu_count() or 2
    with ProcessPoolExecutor(workers, get_context("fork")) as pool:
        pending: deque[Future[Any]] = deque()

        def take() -> None:
            rows, batch_clusters = pending.popleft().result()
            loader.load(rows)
            batch_ids = [r[0] for r in rows[0]]
            clusters.update(zip(batch_ids, batch_clusters, strict=True))
            ids.append(batch_ids[-1])
            print(f"  {len(clusters):>9,} customers", file=sys.stderr, flush=True)

        for task in tasks:
            pending.append(pool.submit(_db_build, task))
            if len(pending) > workers:
                take()
        while pending:
            take()
    loader.close()
    last = max(ids)
    with engine.begin() as conn:
        if dialect.name == "postgresql":
            conn.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
        for index in deferred:
            index.create(conn)
        if _index_ddl(conn) != schema:
            raise RuntimeError("the rebuilt indexes differ from the migrated schema")
        conn.execute(insert(Counter.__table__), [{"name": "cif", "value": last}])
        if dialect.name == "postgresql":
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('customer', 'id'), {last})"))
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('customer_contact', 'id'), {2 * last + 1})"))
        conn.execute(text("ANALYZE"))
    return clusters


def db_main(database: str, customers: int) -> None:
    """Fill a fresh database, time ``bankcrm match run --full`` in a child process, check its reviews."""
    import subprocess
    import tempfile
    from collections import Counter
    from pathlib import Path

    from sqlalchemy import text
    from sqlalchemy.orm import sessionmaker

    from bankcrm.config import Settings
    from bankcrm.db import make_engine, session_scope
    from bankcrm.demo import org as demo_org
    from bankcrm.migrate import upgrade
    from bench.common import RESULTS, machine

    cipher = Settings(mode="test").field_cipher()  # the built-in development keys: bench data is synthetic
    if database == "sqlite":
        url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='bankcrm-match-')) / 'bench.db'}"
    else:
        from bench.run import fresh_postgres

        maybe = fresh_postgres(PG_URL)
        if maybe is None:
            raise SystemExit("PostgreSQL not reachable")
        url = maybe
    upgrade(url)
    engine = make_engine(url)
    with session_scope(sessionmaker(bind=engine)) as db:
        demo_org.build(db)
    started = time.perf_counter()
    clusters = fill(engine, cipher, customers)
    fill_seconds = time.perf_counter() - started
    env = {**os.environ, "BANKCRM_DATABASE_URL": url, "BANKCRM_MODE": "test"}
    load_before = os.getloadavg()
    usage_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", "from bankcrm.cli.main import app; app()", "match", "run", "--full"],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    run_seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_after = os.getloadavg()
    if done.returncode:
        raise SystemExit(done.stdout + done.stderr)
    with engine.connect() as conn:
        reviews = conn.execute(
            text("SELECT customer_id, other_customer_id, probability FROM match_review WHERE kind = 'duplicate'")
        ).all()
    engine.dispose()
    truth = clusters
    sizes = Counter(clusters.values())
    planted = sum(k * (k - 1) // 2 for k in sizes.values())
    high = [(a, b) for a, b, p in reviews if p >= 0.95]
    result = {
        "database": database,
        "customers": len(clusters),
        "fill_seconds": round(fill_seconds, 1),
        "match_run_full_seconds": round(run_seconds, 1),
        "match_run_cpu_seconds": round(
            usage.ru_utime + usage.ru_stime - usage_before.ru_utime - usage_before.ru_stime, 1
        ),
        "match_run_peak_rss_mib": round(
            usage.ru_maxrss / 1024
        ),  # the largest child: the CLI (fill workers are smaller)
        "cli_output": done.stdout.strip(),
        "reviews_opened": len(reviews),
        "reviews_at_or_above_upper": len(high),
        "planted_pairs": planted,
        "planted_found_at_or_above_upper": sum(1 for a, b in high if truth[a] == truth[b]),
        "planted_found_at_or_above_lower": sum(1 for a, b, _ in reviews if truth[a] == truth[b]),
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in load_after],
        "machine": machine(),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"match_run-{database}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))


def main(argv: list[str]) -> None:
    if argv and argv[0] == "db":
        db_main(argv[1], int(argv[2]) if len(argv) > 2 else 1_000_000)
        return
    n = int(argv[0]) if argv and argv[0].isdigit() else 1_000_000
    threads = int(argv[argv.index("--threads") + 1]) if "--threads" in argv else 2
    records, planted = synthetic(n)
    truth = dict(zip(records["unique_id"].to_list(), records["truth"].to_list(), strict=True))
    load_before = os.getloadavg()
    started = time.perf_counter()
    prepared = scoring.prepare(records.drop("truth"))
    prepared_at = time.perf_counter()
    pairs = scoring.score(prepared, threshold=0.6, threads=threads)
    finished = time.perf_counter()
    links = pairs.filter(pl.col("probability") >= 0.95)
    found = sum(
        1 for a, b in zip(links["id_l"].to_list(), links["id_r"].to_list(), strict=True) if truth[a] == truth[b]
    )
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "customers": records.height,
                "planted_duplicates": planted,
                "threads": threads,
                "prepare_seconds": round(prepared_at - started, 1),
                "score_seconds": round(finished - prepared_at, 1),
                "total_seconds": round(finished - started, 1),
                "pairs_at_or_above_lower": pairs.height,
                "links": links.height,
                "links_true": found,
                "peak_rss_mib": round(peak_kib / 1024),
                "loadavg_before": [round(x, 2) for x in load_before],
                "loadavg_after": [round(x, 2) for x in os.getloadavg()],
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main(sys.argv[1:])
