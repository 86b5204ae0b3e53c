"""The demo feed's files: writing the CORE and CREDIT deliveries (and the truth file) and a later delta, in chunks
rendered by worker processes, and loading them as ``bankcrm ingest`` would (the records: ``demo.feed``)."""

from __future__ import annotations

import contextlib
import csv
import io
import multiprocessing
import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bankcrm.demo import addresses
from bankcrm.demo.feed import (
    COLUMNS,
    CREDIT_COLUMNS,
    TRUTH_COLUMNS,
    Row,
    _company_name,
    _landline,
    _mobile,
    _stream,
    core_record,
    credit_record,
)
from bankcrm.demo.feed_words import _EMAIL_DOMAINS, _TRADES

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from bankcrm.config import Settings
    from bankcrm.ingest.service.run import IngestResult


@dataclass(frozen=True)
class FeedFiles:
    """What ``write_feed`` wrote: the two deliveries, the truth file (or None) and their row counts."""

    core: Path
    credit: Path
    truth: Path | None
    core_rows: int
    credit_rows: int
    encoding: str


def feed_paths(out_dir: Path, business_date: date) -> tuple[Path, Path, Path]:
    """Where the CORE file, the CREDIT file and the truth file go."""
    day = f"{business_date:%Y%m%d}"
    return (
        out_dir / f"customers-CORE-{day}.csv",
        out_dir / f"customers-CREDIT-{day}.csv",
        out_dir / f"customers-truth-{day}.csv",
    )


def _writer(fh: Any, columns: tuple[str, ...]) -> csv.DictWriter[str]:
    return csv.DictWriter(fh, columns, restval="", extrasaction="ignore", lineterminator="\n")


def _render(task: tuple[int, int, int, bool]) -> tuple[str, str, str, int]:
    """CSV text of customers [start, stop): the CORE rows, the CREDIT rows, the truth rows, and the CREDIT count."""
    seed, start, stop, truth = task
    core_buf, credit_buf, truth_buf = io.StringIO(), io.StringIO(), io.StringIO()
    core_out, credit_out = csv.writer(core_buf, lineterminator="\n"), csv.writer(credit_buf, lineterminator="\n")
    truth_out = csv.writer(truth_buf, lineterminator="\n")
    credits = 0
    for i in range(start, stop):
        core = core_record(seed, i)
        values = [core.get(c, "") for c in COLUMNS]
        core_out.writerow(values)
        credit = credit_record(seed, i, core)
        if truth:
            truth_out.writerow(["CORE", *values, f"P{i + 1:09d}"])
        if credit is not None:
            credits += 1
            row, cluster = credit
            credit_out.writerow([row[c] for c in CREDIT_COLUMNS])
            if truth:
                truth_out.writerow(["CREDIT", *(row.get(c, "") for c in COLUMNS), cluster])
    return core_buf.getvalue(), credit_buf.getvalue(), truth_buf.getvalue(), credits


def _in_order(
    pool: ProcessPoolExecutor, tasks: list[tuple[int, int, int, bool]], ahead: int
) -> Iterator[tuple[str, str, str, int]]:
    """The chunks rendered by the pool, in order, with at most ``ahead`` in flight (memory stays a few chunks)."""
    pending: deque[Future[tuple[str, str, str, int]]] = deque()
    for task in tasks:
        pending.append(pool.submit(_render, task))
        if len(pending) >= ahead:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def write_feed(
    out_dir: Path,
    customers: int,
    business_date: date,
    *,
    seed: int = 2026,
    encoding: str = "utf-8",
    truth: bool = True,
    chunk: int = 10_000,
    workers: int | None = None,
) -> FeedFiles:
    """Write the CORE and CREDIT deliveries of ``customers`` CORE customers (and the truth file).

    Chunks of ``chunk`` customers are rendered in order, by ``workers`` processes (default: one per core, up
    to 4, from 100,000 customers on); memory holds a few chunks, never the file.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    core_path, credit_path, truth_path = feed_paths(out_dir, business_date)
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if customers >= 100_000 else 1
    tasks = [(seed, start, min(start + chunk, customers), truth) for start in range(0, customers, chunk)]
    credit_rows = 0
    with contextlib.ExitStack() as stack:
        core_fh = stack.enter_context(core_path.open("w", encoding=encoding, newline=""))
        credit_fh = stack.enter_context(credit_path.open("w", encoding=encoding, newline=""))
        truth_fh = stack.enter_context(truth_path.open("w", encoding=encoding, newline="")) if truth else None
        _writer(core_fh, COLUMNS).writeheader()
        _writer(credit_fh, CREDIT_COLUMNS).writeheader()
        if truth_fh is not None:
            _writer(truth_fh, TRUTH_COLUMNS).writeheader()
        if workers > 1:
            pool = stack.enter_context(ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")))
            rendered: Iterator[tuple[str, str, str, int]] = _in_order(pool, tasks, 2 * workers)
        else:
            rendered = map(_render, tasks)
        for core_text, credit_text, truth_text, credits in rendered:
            core_fh.write(core_text)
            credit_fh.write(credit_text)
            if truth_fh is not None:
                truth_fh.write(truth_text)
            credit_rows += credits
    return FeedFiles(core_path, credit_path, truth_path if truth else None, customers, credit_rows, encoding)


# What a delta changes in an existing customer's record.
_CHANGES = ("mobile", "address", "employer", "marital_status", "status", "email")


def delta_records(seed: int, customers: int, rows: int, new_share: float = 0.2) -> Iterator[Row]:
    """A later CORE delivery of ``rows`` records: existing customers (of the first ``customers``) with one
    field changed each, spread over the whole book, then new customers numbered after them."""
    new = round(rows * new_share)
    changed = min(rows - new, customers)
    step = max(customers // max(changed, 1), 1)
    for k in range(changed):
        index = (k * step + seed) % customers
        row = core_record(seed, index)
        rng = _stream(seed, index, 4)
        field = _CHANGES[k % len(_CHANGES)]
        branch = row["branch_code"].split("-")[0]
        if row["kind"] == "corporate":
            row["phone_work"] = _landline(rng, branch)
        elif field == "mobile":
            row["mobile"] = _mobile(rng)
        elif field == "address":
            row["address"] = addresses.home(rng, branch)
        elif field == "employer":
            row["employer"], _ = _company_name(rng, branch, rng.choice(_TRADES)[1])
        elif field == "marital_status":
            row["marital_status"] = "20" if row["marital_status"] != "20" else "40"
        elif field == "status":
            row["status"] = "ACTIVE" if row["status"] == "DORMANT" else "DORMANT"
        else:
            row["email"] = f"m{index}@{rng.choice(_EMAIL_DOMAINS)}"
        yield row
    for index in range(customers, customers + rows - changed):
        yield core_record(seed, index)


def write_delta(path: Path, seed: int, customers: int, rows: int, *, encoding: str = "utf-8") -> int:
    """Write a CORE delta file (see ``delta_records``); returns its row count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding=encoding, newline="") as fh:
        out = _writer(fh, COLUMNS)
        out.writeheader()
        for row in delta_records(seed, customers, rows):
            out.writerow(row)
            n += 1
    return n


FILE_TYPE = "customers"


def loader_ready() -> bool:
    """Whether this build's ingest knows the ``customers`` file type (docs/ingest-formats.md)."""
    from bankcrm.ingest.formats import FORMATS

    return FILE_TYPE in FORMATS


def deliveries(files: FeedFiles) -> tuple[tuple[Path, str], ...]:
    """The files to load and their sources, in order: CORE first (trusted), then CREDIT."""
    return ((files.core, "CORE"), (files.credit, "CREDIT"))


def load(db: Session, settings: Settings, files: FeedFiles, business_date: date) -> list[IngestResult]:
    """Ingest both deliveries into the caller's transaction, as ``bankcrm ingest`` would (source CORE, CREDIT)."""
    from bankcrm.access.principal import SYSTEM
    from bankcrm.ingest.service.run import IngestRequest, ingest_file

    cipher = settings.field_cipher()
    results = []
    for path, source in deliveries(files):
        req = IngestRequest(path, FILE_TYPE, business_date, source, files.encoding)
        results.append(ingest_file(db, cipher, SYSTEM, req, timezone=settings.timezone))
    return results


def how_to_load(files: FeedFiles, business_date: date) -> list[str]:
    """The commands that load the files and score the matcher on them."""
    encoding = " --encoding gbk" if files.encoding == "gbk" else ""
    lines = [
        f"bankcrm ingest {path} --type {FILE_TYPE} --business-date {business_date} --source {source}{encoding}"
        for path, source in deliveries(files)
    ]
    if files.truth is not None:
        lines.append(f"bankcrm match evaluate {files.truth}")
    return lines
