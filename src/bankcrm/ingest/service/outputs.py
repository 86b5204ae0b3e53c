"""The reject file and the summary written beside a loaded file, and the rejects of a run for download."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from bankcrm.access.principal import Actor, Principal
from bankcrm.audit import service as audit_service
from bankcrm.errors import DomainError, Forbidden, NotFound
from bankcrm.ingest import repository
from bankcrm.ingest.reader import checksum
from bankcrm.ingest.service.rejects import Reject, delivered, delivered_values, shown
from bankcrm.ingest.service.run import IngestResult
from bankcrm.kit.crypto import FieldCipher
from bankcrm.kit.export import to_csv, to_xlsx
from bankcrm.kit.i18n import N_, gettext_for
from bankcrm.models.ingest import IngestRun

REJECT_COLUMNS = ("line", "field", "reason", "reason_zh")
UNMASK_PERMISSION = "ingest.rejects.unmask"


def reject_path(path: Path) -> Path:
    """FILE.rejects.csv beside the file."""
    return path.with_name(path.name + ".rejects.csv")


def summary_path(path: Path) -> Path:
    """FILE.summary.json beside the file."""
    return path.with_name(path.name + ".summary.json")


def stored_rejects(db: Session, run_id: int) -> list[Reject]:
    """A run's rejects as anyone may see them (masked as stored)."""
    return [shown(r) for r in repository.rejects(db, run_id)]


def run_header(run: IngestRun) -> list[str]:
    """The column names of the run's file (empty for runs stored before headers were kept)."""
    header: list[str] = json.loads(run.header or "[]")
    return header


def write_outputs(db: Session, result: IngestResult, path: Path, encoding: str) -> tuple[Path, Path]:
    """Write the reject file (masked, as stored) and the summary, atomically: a reader never sees half a file."""
    rejects = stored_rejects(db, result.run.id)
    rejected = reject_path(path)
    _atomic_write(rejected, rejects_csv(rejects, run_header(result.run)))
    if result.unchanged:
        outcome = "unchanged"
    elif result.run.rerun_of is not None:
        outcome = "rerun"
    else:
        outcome = "replaced" if result.run.replaced else "loaded"
    summary = {
        "file": path.name,
        "source": result.batch.source,
        "type": result.batch.file_type,
        "business_date": result.batch.business_date.isoformat(),
        "checksum_sha256": result.run.checksum,
        "run_id": result.run.id,
        "rerun_of": result.run.rerun_of,
        "outcome": outcome,
        "rows_in": result.run.rows_in,
        "rows_loaded": result.run.rows_loaded,
        "rows_rejected": result.run.rows_rejected,
        "ignored_columns": result.ignored_columns,
        "reject_file": rejected.name,
    }
    summarised = summary_path(path)
    _atomic_write(summarised, (json.dumps(summary, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    return rejected, summarised


def write_refused(path: Path, source: str, file_type: str, business_date: date, exc: DomainError) -> Path:
    """The summary of a file refused as a whole (nothing loaded, nothing rejected) and an empty reject file."""
    rejected = reject_path(path)
    _atomic_write(rejected, rejects_csv([], []))
    summary = {
        "file": path.name,
        "source": source,
        "type": file_type,
        "business_date": business_date.isoformat(),
        "checksum_sha256": checksum(path),
        "run_id": None,
        "outcome": "refused",
        "reason": gettext_for("en", exc.message, exc.params),
        "reason_zh": gettext_for("zh_CN", exc.message, exc.params),
        "rows_in": 0,
        "rows_loaded": 0,
        "rows_rejected": 0,
        "reject_file": rejected.name,
    }
    summarised = summary_path(path)
    _atomic_write(summarised, (json.dumps(summary, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    return summarised


def _table(rejects: list[Reject], header: list[str], *, whole: bool) -> tuple[list[str], list[list[Any]]]:
    """Columns and rows of a reject download: line, field, reason in both languages, then the row."""
    width = max((len(r.values) for r in rejects), default=0)
    names = header if width <= len(header) else [*header, *(f"value_{i + 1}" for i in range(len(header), width))]
    rows = [
        [
            r.line,
            r.field,
            gettext_for("en", r.reason, r.params),
            gettext_for("zh_CN", r.reason, r.params),
            *(delivered_values(r) if whole else r.values),
        ]
        for r in rejects
    ]
    return [*REJECT_COLUMNS, *names], rows


def rejects_csv(rejects: list[Reject], header: list[str], *, whole: bool = False) -> bytes:
    """UTF-8 CSV with a BOM; cells a spreadsheet would read as formulas are neutralised (kit.export)."""
    return to_csv(*_table(rejects, header, whole=whole))


def _run(db: Session, run_id: int) -> IngestRun:
    run = repository.run(db, run_id)
    if run is None:
        raise NotFound(N_("No such ingest run."))
    return run


def run_rejects(db: Session, run_id: int, fmt: str = "csv") -> tuple[IngestRun, bytes]:
    """A run's rejects, masked, as CSV or XLSX."""
    run = _run(db, run_id)
    columns, rows = _table(stored_rejects(db, run_id), run_header(run), whole=False)
    return run, to_xlsx(columns, rows, sheet="rejects") if fmt == "xlsx" else to_csv(columns, rows)


def run_rejects_delivered(
    db: Session, cipher: FieldCipher, principal: Principal, run_id: int, fmt: str = "csv"
) -> tuple[IngestRun, bytes]:
    """A run's rejects as delivered (every customer, unmasked); needs ``ingest.rejects.unmask``; audited."""
    if not principal.can(UNMASK_PERMISSION):
        raise Forbidden()
    run = _run(db, run_id)
    stored = repository.rejects(db, run_id)
    # Rows stored before rows were kept encrypted have only their masked form.
    rejects = [delivered(r, cipher) or shown(r) for r in stored]
    columns, rows = _table(rejects, run_header(run), whole=True)
    audit_service.record(
        db,
        Actor.of(principal),
        "ingest.rejects.unmask",
        entity_type="ingest_run",
        entity_id=run.id,
        detail=f"{len(rejects)} rejected rows downloaded as delivered ({fmt})",
    )
    return run, to_xlsx(columns, rows, sheet="rejects") if fmt == "xlsx" else to_csv(columns, rows)


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
