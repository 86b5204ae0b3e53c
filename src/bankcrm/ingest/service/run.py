"""Load one delivered file: every row checked, good rows loaded, bad rows rejected, all in one transaction."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from bankcrm.access.principal import Actor
from bankcrm.audit import service as audit_service
from bankcrm.errors import FieldError, ValidationFailed
from bankcrm.ingest import repository
from bankcrm.ingest.checks import (
    FAIL,
    FIRST_IN_CHUNK,
    SEEN_LINE,
    Check,
    Context,
    column_checks,
    detail_column,
    duplicate_key_check,
    empty_row_check,
    extra_fields_check,
    first_failure,
    key_columns,
)
from bankcrm.ingest.formats import FORMATS, FileFormat
from bankcrm.ingest.reader import (
    CHUNK_BYTES,
    CODECS,
    LINE,
    MAX_LINE_BYTES,
    Chunk,
    FileRefused,
    checksum,
    chunks,
)
from bankcrm.ingest.seen import SeenKeys
from bankcrm.ingest.service.customer_plan import CustomersPlan
from bankcrm.ingest.service.lead_plan import LeadsPlan
from bankcrm.ingest.service.link_plan import LinksPlan
from bankcrm.ingest.service.party_plan import AccountPartiesPlan
from bankcrm.ingest.service.plans import HOLDING_PLANS, LoadContext
from bankcrm.ingest.service.rejects import REJECT_MAX_CHARS, Reject, stored_row
from bankcrm.ingest.service.tag_plan import TagsPlan
from bankcrm.kit import collector, workers
from bankcrm.kit.crypto import FieldCipher
from bankcrm.kit.i18n import N_
from bankcrm.kit.time import today_in, utcnow
from bankcrm.models.ingest import IngestBatch, IngestRun

UNDO_DAYS = 31  # settings.ingest_undo_days' default
BYTES_PER_VOUCHER = 120  # a voucher line of a core-banking file, roughly
SOURCE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
Progress = Callable[[int], None]


PLANS: dict[str, Any] = {
    **HOLDING_PLANS,
    "links": LinksPlan(),
    "account_parties": AccountPartiesPlan(),
    "customers": CustomersPlan(),
    "tags": TagsPlan(),
    "leads": LeadsPlan(),
}


class Refused(ValidationFailed):
    """The file as a whole cannot be read (FileRefused): nothing is loaded; the reason names the line."""


@dataclass(frozen=True)
class Limits:
    """How long a line the reader accepts, and how much of a rejected row is stored and served back."""

    max_line_bytes: int = MAX_LINE_BYTES
    reject_max_chars: int = REJECT_MAX_CHARS


DEFAULT_LIMITS = Limits()


@dataclass
class IngestResult:
    """What a load did; ``unchanged`` when the same file had already been loaded."""

    run: IngestRun
    batch: IngestBatch
    header: list[str]
    unchanged: bool = False
    ignored_columns: list[str] = dataclass_field(default_factory=list)
    rejects: list[Reject] = dataclass_field(default_factory=list)


@dataclass(frozen=True)
class IngestRequest:
    """A file and what it claims to be."""

    path: Path
    file_type: str
    business_date: date
    source: str
    encoding: str = "utf-8"


def validate(req: IngestRequest, timezone: str) -> None:
    """Refuse a request naming each bad field (type, encoding, source, business date, file)."""
    errors = []
    if req.file_type not in FORMATS:
        errors.append(FieldError("type", N_("Unknown file type; one of: %(types)s."), {"types": ", ".join(FORMATS)}))
    if req.encoding not in CODECS:
        errors.append(
            FieldError("encoding", N_("Unknown encoding; one of: %(encodings)s."), {"encodings": "utf-8, gbk"})
        )
    if not SOURCE_RE.fullmatch(req.source):
        errors.append(FieldError("source", N_("1 to 40 letters, digits, dots, dashes or underscores.")))
    if req.business_date > today_in(timezone):
        errors.append(FieldError("business_date", N_("A business date cannot be in the future.")))
    if not req.path.is_file():
        errors.append(FieldError("file", N_("No such file: %(path)s."), {"path": str(req.path)}))
    if errors:
        raise ValidationFailed(N_("The ingest request is not valid."), errors=errors)


def ingest_file(
    db: Session,
    cipher: FieldCipher,
    actor: Actor,
    req: IngestRequest,
    *,
    timezone: str,
    progress: Progress | None = None,
    chunk_bytes: int = CHUNK_BYTES,
    undo_days: int = UNDO_DAYS,
    limits: Limits = DEFAULT_LIMITS,
) -> IngestResult:
    """Load a file into the caller's transaction; the caller commits (a kill before that leaves no trace)."""
    validate(req, timezone)
    if req.file_type == "customers":
        CustomersPlan.check_source(db, req.source)
    started = utcnow()
    batch = repository.batch(db, req.source, req.file_type, req.business_date)
    # Only a delivery seen before needs its checksum up front (is it the same file?); a new one is
    # hashed as it is read, which saves reading the file twice.
    digest = hashlib.sha256() if batch is None else None
    hashed_first = checksum(req.path) if batch is not None else ""
    if batch is not None and batch.checksum == hashed_first and batch.current_run_id is not None:
        run = repository.run(db, batch.current_run_id)
        assert run is not None
        return IngestResult(run=run, batch=batch, header=[], unchanged=True)
    replaced = batch is not None
    touched: set[int] = set()
    if batch is None:
        batch = IngestBatch(source=req.source, file_type=req.file_type, business_date=req.business_date, checksum="-")
        repository.add(db, batch)
    else:
        touched |= set(repository.customers_of_batch(db, batch.id, req.file_type))
        repository.delete_batch_rows(db, batch.id, req.file_type)
        touched |= repository.undo_batch(db, batch.id, req.file_type)
    fmt = FORMATS[req.file_type]
    ctx, checks_ctx = contexts(db, cipher, batch.id, req.file_type, req.business_date, timezone, req.source)
    try:
        # a quarter of a large load's CPU went to collecting; the load's large maps share one worker pool
        with collector.fewer_collections(), workers.one_pool(cipher), repository.bulk_cache(db):
            loaded, rejects, header = _load_chunks(
                req, fmt, ctx, checks_ctx, touched, progress, chunk_bytes, digest, limits.max_line_bytes
            )
    except FileRefused as exc:
        raise Refused(exc.message, params=exc.params) from None
    file_checksum = digest.hexdigest() if digest is not None else hashed_first
    run = IngestRun(
        batch_id=batch.id,
        file_name=req.path.name[:255],
        checksum=file_checksum,
        encoding=req.encoding,
        replaced=replaced,
        rows_in=loaded + len(rejects),
        rows_loaded=loaded,
        rows_rejected=len(rejects),
        actor=actor.username or "system",
        started_at=started,
        header=json.dumps(header, ensure_ascii=False),
    )
    repository.add(db, run)
    batch.checksum = file_checksum
    batch.current_run_id = run.id
    repository.add_rejects(db, [stored_row(run.id, r, header, fmt, cipher, limits.reject_max_chars) for r in rejects])
    if req.file_type in repository.UNDOABLE:
        repository.prune_priors(db, req.file_type, req.business_date - timedelta(days=undo_days))
    repository.mark_dirty(db, touched)
    audit_service.record(
        db,
        actor,
        "ingest.replaced" if replaced else "ingest.loaded",
        entity_type="ingest_run",
        entity_id=run.id,
        detail=(
            f"{req.source}/{req.file_type}/{req.business_date.isoformat()} {req.path.name}: "
            f"{run.rows_in} in, {run.rows_loaded} loaded, {run.rows_rejected} rejected"
        ),
    )
    known = set(fmt.names)
    return IngestResult(
        run=run,
        batch=batch,
        header=header,
        ignored_columns=[c for c in header if c not in known],
        rejects=rejects,
    )


def _load_chunks(
    req: IngestRequest,
    fmt: FileFormat,
    ctx: LoadContext,
    checks_ctx: Context,
    touched: set[int],
    progress: Progress | None,
    chunk_bytes: int,
    digest: Any = None,
    max_line_bytes: int = MAX_LINE_BYTES,
) -> tuple[int, list[Reject], list[str]]:
    """Check and load chunk by chunk; returns rows loaded, the rejects and the header."""
    plan = PLANS[req.file_type]
    seen = SeenKeys()  # no key (links, account parties): the plan finds repeats itself
    loaded = 0
    rejects: list[Reject] = []
    header: list[str] = []
    checks: list[Check] | None = None
    # Vouchers: chunk n is sent by one worker thread while chunk n+1 is encoded by another and chunk
    # n+2 is read and checked here (Polars and the drivers release the GIL), whenever checking needs
    # no query. The server then never waits for the client to encode.
    bulk = hasattr(plan, "stage")
    # A load bigger than the table (a first or catch-up load) builds the index afterwards instead of
    # maintaining it row by row. PostgreSQL then locks the table until the load commits; daily loads,
    # small against the table, never take this path.
    rebuild = bulk and req.path.stat().st_size // BYTES_PER_VOUCHER > repository.voucher_count(ctx.db)
    if rebuild:
        repository.drop_voucher_index(ctx.db)
    pending: Future[None] | None = None
    writer_scope = repository.voucher_writer(ctx.db, ctx.timezone) if bulk else nullcontext(None)
    with (
        writer_scope as writer,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-encode") as encoder,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-send") as sender,
    ):
        # A plan that can (customers) has the next chunk's pure row work started before this chunk is loaded.
        ahead = hasattr(plan, "prefetch")
        source = chunks(req.path, req.encoding, chunk_bytes, digest, max_line_bytes)
        for header, chunk, following in _with_next(source) if ahead else ((h, c, None) for h, c in source):
            rejects.extend(Reject(b.line, "-", b.reason, b.params, [b.raw], whole_line=True) for b in chunk.bad_lines)
            if pending is not None and not plan.db_free(ctx):
                _finish(pending)
                pending = None
            ctx.present = frozenset(header)
            if checks is None:
                checks = all_checks(fmt, checks_ctx, plan.checks(ctx), present=[c for c in fmt.names if c in header])
            frame, new_keys = checked(chunk.frame, header, fmt, plan, ctx, checks, seen)
            if following is not None:
                plan.prefetch(following.frame, ctx)
            if frame.get_column(FAIL).null_count() == frame.height:
                good, bad = frame, frame.clear()  # the usual chunk: every row good, nothing to split
            else:
                good = frame.filter(pl.col(FAIL).is_null())
                bad = frame.filter(pl.col(FAIL).is_not_null())
            if good.height and writer is not None:
                customers, staged = plan.stage(good, ctx)
                touched |= customers
                encoded = encoder.submit(writer.encode, staged)
                _finish(pending)  # chunk n-1 sent: at most two chunks in flight
                pending = sender.submit(lambda e=encoded: writer.send(e.result()))  # type: ignore[misc]
            elif good.height:
                touched |= plan.load(good, ctx)
            loaded += good.height
            rejects.extend(rejects_of(bad, checks, header))
            if new_keys is not None:
                seen.add(*new_keys)
            if progress is not None:
                progress(chunk.size_bytes)
        _finish(pending)
    if rebuild:
        repository.create_voucher_index(ctx.db)
    rejects.sort(key=lambda r: r.line)
    return loaded, rejects, header


def _with_next(source: Iterator[tuple[list[str], Chunk]]) -> Iterator[tuple[list[str], Chunk, Chunk | None]]:
    """Each (header, chunk) with the chunk after it (read one chunk ahead), None for the last."""
    previous: tuple[list[str], Chunk] | None = None
    for item in source:
        if previous is not None:
            yield previous[0], previous[1], item[1]
        previous = item
    if previous is not None:
        yield previous[0], previous[1], None


def checked(
    frame: pl.DataFrame,
    header: list[str],
    fmt: FileFormat,
    plan: Any,
    ctx: LoadContext,
    checks: list[Check],
    seen: SeenKeys,
) -> tuple[pl.DataFrame, Any]:
    """Rows with _fail (their first failed check, or null); and this chunk's new keys, for ``seen.add`` after it."""
    ctx.present = frozenset(header)  # the plans leave stored values alone for columns the file does not carry
    missing = [c for c in fmt.names if c not in header]
    frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(c) for c in missing)
    new_keys = None
    if fmt.key is not None:
        probe = seen.probe(frame.get_column(fmt.key))
        frame = frame.with_columns(key_columns(fmt.key, probe.first_lines))
        # First occurrences in this chunk of keys no earlier chunk had, rejected or not; taken
        # now, in line order, as the probe is (resolving may reorder rows).
        new = frame.select(
            pl.col(fmt.key).is_not_null() & pl.col(SEEN_LINE).is_null() & pl.col(FIRST_IN_CHUNK)
        ).to_series()
        new_keys = (probe, new.to_numpy(), frame.get_column(LINE).to_numpy())
    return first_failure(plan.resolve(frame, ctx), checks), new_keys


def contexts(
    db: Session,
    cipher: FieldCipher,
    batch_id: int,
    file_type: str,
    business_date: date,
    timezone: str,
    source: str = "",
) -> tuple[LoadContext, Context]:
    """What loading (the plans) and checking (the column rules) need to know of the database."""
    currencies = repository.currencies(db)
    ctx = LoadContext(
        db=db,
        cipher=cipher,
        batch_id=batch_id,
        business_date=business_date,
        timezone=timezone,
        unit_ids=repository.unit_ids(db),
        categories=repository.product_categories(db),
        taken_balances=(
            repository.balances_from_other_batches(db, business_date, batch_id) if file_type == "balances" else []
        ),
        digits={code: digits for code, (digits, _) in currencies.items()},
        overdraft=repository.overdraft_products(db),
        source=source,
    )
    checks_ctx = Context(
        business_date,
        repository.code_sets(db),
        timezone,
        inactive={"currency": frozenset(code for code, (_, active) in currencies.items() if not active)},
        minor_units=tuple(sorted({digits for digits, _ in currencies.values()})),
    )
    return ctx, checks_ctx


def _finish(pending: Future[None] | None) -> None:
    """Wait for a chunk's write (re-raising its error); nothing is pending afterwards."""
    if pending is not None:
        pending.result()


def all_checks(fmt: FileFormat, ctx: Context, extra: dict[str, list[Check]], present: list[str]) -> list[Check]:
    """All checks in report order: the row, then column by column (own rules, duplicates, cross rules)."""
    checks = [empty_row_check(fmt, present), extra_fields_check()]
    for column in fmt.columns:
        checks.extend(column_checks(column, ctx, column.name in present))
        if column.name == fmt.key:
            checks.append(duplicate_key_check(fmt.key))
        checks.extend(extra.get(column.name, []))
    return checks


def rejects_of(bad: pl.DataFrame, checks: list[Check], header: list[str]) -> list[Reject]:
    """Rejected rows with their first problem; the row's values as delivered, in header order."""
    if bad.height == 0:
        return []
    detail_cols = [detail_column(i) for i, c in enumerate(checks) if c.detail is not None]
    out = []
    for row in bad.select(LINE, FAIL, *header, *detail_cols).iter_rows(named=True):
        check = checks[row[FAIL]]
        params = dict(check.params)
        reason = check.reason
        if check.reason_from_detail:
            found = json.loads(row[detail_column(row[FAIL])])
            reason, params = found["reason"], found["params"]
        elif check.detail is not None:
            params["detail"] = row[detail_column(row[FAIL])]
        out.append(Reject(row[LINE], check.field, reason, params, [row[h] for h in header]))
    return out
