"""The reject file and the summary written beside a loaded file, and the rejects of a run for download."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from bankcrm.errors import NotFound
from bankcrm.ingest import repository
from bankcrm.ingest.reader import read_header
from bankcrm.ingest.service.run import IngestResult, Reject
from bankcrm.kit.i18n import N_, gettext_for
from bankcrm.models import IngestRun

REJECT_COLUMNS = ("line", "field", "reason", "reason_zh")


def reject_path(path: Path) -> Path:
    """FILE.rejects.csv beside the file."""
    return path.with_name(path.name + ".rejects.csv")


def summary_path(path: Path) -> Path:
    """FILE.summary.json beside the file."""
    return path.with_name(path.name + ".summary.json")


def stored_rejects(db: Session, run_id: int) -> list[Reject]:
    """A run's rejects as stored."""
    return [
        Reject(r.line_no, r.field, r.reason, json.loads(r.params), json.loads(r.raw))
        for r in repository.rejects(db, run_id)
    ]


def write_outputs(db: Session, result: IngestResult, path: Path, encoding: str) -> tuple[Path, Path]:
    """Write the reject file and the summary (atomically: a reader never sees half a file)."""
    rejects = result.rejects
    header = result.header
    if result.unchanged:  # same file as before: rebuild the outputs from what the database kept
        rejects = stored_rejects(db, result.run.id)
        with path.open("rb") as fh:
            header = read_header(fh, encoding)
    rejected = reject_path(path)
    _atomic_write(rejected, rejects_csv(rejects, header))
    summary = {
        "file": path.name,
        "source": result.batch.source,
        "type": result.batch.file_type,
        "business_date": result.batch.business_date.isoformat(),
        "checksum_sha256": result.run.checksum,
        "run_id": result.run.id,
        "outcome": "unchanged" if result.unchanged else ("replaced" if result.run.replaced else "loaded"),
        "rows_in": result.run.rows_in,
        "rows_loaded": result.run.rows_loaded,
        "rows_rejected": result.run.rows_rejected,
        "ignored_columns": result.ignored_columns,
        "reject_file": rejected.name,
    }
    summarised = summary_path(path)
    _atomic_write(summarised, (json.dumps(summary, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    return rejected, summarised


def rejects_csv(rejects: list[Reject], header: list[str]) -> bytes:
    """line, field, reason in English and Chinese, then the row as delivered (UTF-8 with BOM for spreadsheets)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*REJECT_COLUMNS, *header])
    for r in rejects:
        values: list[Any] = list(r.values) if len(r.values) == len(header) else [*r.values]
        writer.writerow(
            [r.line, r.field, gettext_for("en", r.reason, r.params), gettext_for("zh_CN", r.reason, r.params), *values]
        )
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def run_rejects_csv(db: Session, run_id: int) -> tuple[IngestRun, bytes]:
    """A run's rejects as a CSV download (the header is not stored, so delivered values come as one column)."""
    run = repository.run(db, run_id)
    if run is None:
        raise NotFound(N_("No such ingest run."))
    rejects = stored_rejects(db, run_id)
    width = max((len(r.values) for r in rejects), default=0)
    return run, rejects_csv(rejects, [f"value_{i + 1}" for i in range(width)])


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
