"""Re-run a run's rejected rows once their cause is fixed: from what is stored, into the same delivery, as a new run."""

from __future__ import annotations

import json
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from bankcrm.access.principal import Actor
from bankcrm.audit import service as audit_service
from bankcrm.errors import Conflict, NotFound, ValidationFailed
from bankcrm.ingest import repository
from bankcrm.ingest.checks import DUPLICATE_KEY, EXTRA_FIELDS, FAIL
from bankcrm.ingest.formats import FORMATS
from bankcrm.ingest.reader import EXTRA, LINE, checksum
from bankcrm.ingest.seen import SeenKeys
from bankcrm.ingest.service.link_plan import REPEATED_LINK
from bankcrm.ingest.service.party_plan import REPEATED_PARTY
from bankcrm.ingest.service.rejects import Reject, delivered, stored_row
from bankcrm.ingest.service.run import (
    DEFAULT_LIMITS,
    PLANS,
    IngestRequest,
    IngestResult,
    Limits,
    all_checks,
    checked,
    contexts,
    rejects_of,
    validate,
)
from bankcrm.ingest.service.tag_plan import REPEATED_TAG
from bankcrm.kit.crypto import FieldCipher
from bankcrm.kit.i18n import N_
from bankcrm.kit.time import utcnow
from bankcrm.models.ingest import IngestReject, IngestRun

# Reasons that depend on the rest of the file, not on the database: fixing the database cannot
# cure them, and the rows they name are not re-run (their first line may have loaded).
FILE_BOUND = frozenset({DUPLICATE_KEY, EXTRA_FIELDS, REPEATED_LINK, REPEATED_PARTY, REPEATED_TAG})
NOT_LOADED = N_("This delivery has not been loaded yet; load the file without --rerun.")
OTHER_FILE = N_("This file is not the one loaded for this delivery; load it without --rerun to replace the delivery.")
SUPERSEDED = N_("Run %(run)s has since replaced this run's rows; re-run that run instead.")


def rerun(
    db: Session,
    cipher: FieldCipher,
    actor: Actor,
    run_id: int,
    *,
    timezone: str,
    limits: Limits = DEFAULT_LIMITS,
) -> IngestResult:
    """Check a run's rejected rows again and load those that now pass, as a new run of the same delivery.

    The rows come from what was stored (the file is not read again); a row rejected for a reason
    that depends only on the file (a repeated key, extra fields, a line that could not be parsed or
    was cut) stays rejected. Asked again for the same run, it answers the re-run already made
    (``unchanged``), as it does for a run without rejects. The caller commits.
    """
    batch = repository.lock_batch_of_run(db, run_id)
    run = repository.run(db, run_id)
    if batch is None or run is None:
        raise NotFound(N_("No such ingest run."))
    if batch.current_run_id != run.id:
        done = repository.rerun_of(db, run.id)
        if done is not None:  # the same request again (a second click): what the first one did
            return IngestResult(run=done, batch=batch, header=json.loads(done.header), unchanged=True)
        raise Conflict(SUPERSEDED, params={"run": batch.current_run_id})
    stored = repository.rejects(db, run.id)
    if not stored:  # nothing was rejected: nothing to do, and nothing is recorded
        return IngestResult(run=run, batch=batch, header=json.loads(run.header), unchanged=True)
    started = utcnow()
    header: list[str] = json.loads(run.header)
    fmt = FORMATS[batch.file_type]
    plan = PLANS[batch.file_type]
    again: list[Reject] = []
    kept: list[Reject | IngestReject] = []  # an IngestReject: stored before rows were kept encrypted
    for row in stored:
        reject = delivered(row, cipher)
        if reject is None:
            kept.append(row)
        elif reject.whole_line or reject.cut or reject.reason in FILE_BOUND or len(reject.values) != len(header):
            kept.append(reject)
        else:
            again.append(reject)
    ctx, checks_ctx = contexts(db, cipher, batch.id, batch.file_type, batch.business_date, timezone, batch.source)
    loaded = 0
    rejected: list[Reject] = []
    touched: set[int] = set()
    if again:
        ctx.present = frozenset(header)
        checks = all_checks(fmt, checks_ctx, plan.checks(ctx), present=[c for c in fmt.names if c in header])
        frame, _ = checked(_frame(again, header), header, fmt, plan, ctx, checks, SeenKeys())
        good = frame.filter(pl.col(FAIL).is_null())
        if good.height:
            touched |= plan.load(good, ctx)
        loaded = good.height
        rejected = rejects_of(frame.filter(pl.col(FAIL).is_not_null()), checks, header)
    new = IngestRun(
        batch_id=batch.id,
        file_name=run.file_name,
        checksum=run.checksum,
        encoding=run.encoding,
        replaced=False,
        rows_in=len(stored),
        rows_loaded=loaded,
        rows_rejected=len(stored) - loaded,
        actor=actor.username or "system",
        started_at=started,
        header=run.header,
        rerun_of=run.id,
    )
    repository.add(db, new)
    batch.current_run_id = new.id
    rows = [_stored(new.id, r, header, fmt, cipher, limits) for r in [*kept, *rejected]]
    repository.add_rejects(db, sorted(rows, key=lambda r: r["line_no"]))
    repository.mark_dirty(db, touched)
    audit_service.record(
        db,
        actor,
        "ingest.rerun",
        entity_type="ingest_run",
        entity_id=new.id,
        detail=(
            f"{batch.source}/{batch.file_type}/{batch.business_date.isoformat()} {run.file_name}: re-run of run "
            f"{run.id}: {new.rows_in} in, {new.rows_loaded} loaded, {new.rows_rejected} rejected"
        ),
    )
    known = set(fmt.names)
    return IngestResult(
        run=new,
        batch=batch,
        header=header,
        ignored_columns=[c for c in header if c not in known],
        rejects=_clear(kept, rejected),
    )


def rerun_target(db: Session, req: IngestRequest, timezone: str) -> int:
    """The run to re-run for a file: the latest run of its delivery, which must have been loaded from this file."""
    validate(req, timezone)
    batch = repository.batch(db, req.source, req.file_type, req.business_date)
    if batch is None or batch.current_run_id is None:
        raise ValidationFailed(NOT_LOADED)
    if checksum(req.path) != batch.checksum:
        raise ValidationFailed(OTHER_FILE)
    return batch.current_run_id


def _clear(kept: list[Reject | IngestReject], rejected: list[Reject]) -> list[Reject]:
    """The rejects of the re-run whose delivered values are known, in line order."""
    return sorted([r for r in kept if isinstance(r, Reject)] + rejected, key=lambda r: r.line)


def _frame(rejects: list[Reject], header: list[str]) -> pl.DataFrame:
    """The rows to check again, as the reader would have parsed them (text columns, line numbers)."""
    columns: dict[str, Any] = {name: [r.values[i] for r in rejects] for i, name in enumerate(header)}
    columns[EXTRA] = [None] * len(rejects)
    columns[LINE] = [r.line for r in rejects]
    schema = {**{name: pl.String for name in header}, EXTRA: pl.String, LINE: pl.Int64}
    return pl.DataFrame(columns, schema=schema)


def _stored(
    run_id: int, reject: Reject | IngestReject, header: list[str], fmt: Any, cipher: FieldCipher, limits: Limits
) -> dict[str, Any]:
    """A reject of the re-run as stored: encrypted again for the new run, or copied as it was (masked only)."""
    if isinstance(reject, Reject):
        return stored_row(run_id, reject, header, fmt, cipher, limits.reject_max_chars)
    return {
        "run_id": run_id,
        "line_no": reject.line_no,
        "field": reject.field,
        "reason": reject.reason,
        "params": reject.params,
        "raw": reject.raw,
        "raw_enc": None,
    }
