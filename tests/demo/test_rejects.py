"""The planted bad rows: each rejected by the real ingest for its reason, every other row of every file loaded."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.demo.core_banking import CoreFile
from bankcrm.demo.rejects import PLANTED, target
from bankcrm.models.ingest import IngestBatch, IngestReject, IngestRun
from tests.demo.conftest import DemoBank


def _core_file(path: Path) -> CoreFile:
    file_type, day = path.stem.split("-", 1)
    return CoreFile(path, file_type, date.fromisoformat(day))


def _data_lines(path: Path) -> int:
    with path.open(encoding="utf-8") as f:
        return sum(1 for _ in f) - 1  # the header is line 1


def test_each_planted_row_is_rejected_naming_its_field_and_the_rest_loads(demo_bank: DemoBank, demo_db: Session):
    # given the files the demo wrote and the generator's list of planted rows
    files = [_core_file(p) for p in sorted(demo_bank.files.glob("*.csv"))]
    planted: dict[str, list[str]] = defaultdict(list)
    for row in PLANTED:
        planted[target(files, row).path.name].append(row.field)
    # when the runs and their rejects are read back
    runs = demo_db.execute(
        select(IngestRun.id, IngestRun.file_name, IngestRun.rows_in, IngestRun.rows_loaded)
        .join(IngestBatch, IngestBatch.id == IngestRun.batch_id)
        .where(IngestBatch.file_type != "customers")  # the customers feed is not a core-banking holdings file
    ).all()
    rejects: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for run_id, line, field in demo_db.execute(
        select(IngestReject.run_id, IngestReject.line_no, IngestReject.field).order_by(IngestReject.line_no)
    ):
        rejects[run_id].append((line, field))
    # then every file was loaded once, its planted rows (appended last, in the list's order) are its only rejects
    assert sorted(r.file_name for r in runs) == sorted(f.path.name for f in files)
    assert len(planted) == 5 and sum(map(len, planted.values())) == len(PLANTED) == 7
    for run in runs:
        lines = _data_lines(demo_bank.files / run.file_name)
        fields = planted.get(run.file_name, [])
        first = lines - len(fields) + 2  # the line number of the first planted row
        assert rejects.get(run.id, []) == [(first + i, f) for i, f in enumerate(fields)], run.file_name
        assert (run.rows_in, run.rows_loaded) == (lines, lines - len(fields)), run.file_name
    match = re.search(r"(\d+) bad rows rejected", demo_bank.output)
    assert match and int(match.group(1)) == len(PLANTED)


def test_the_planted_reasons_are_those_the_rejects_page_explains(demo_db: Session):
    # given the stored rejects, when their reasons are read, then each names what is wrong in its row
    reasons = demo_db.execute(select(IngestReject.field, IngestReject.reason, IngestReject.params)).all()
    amount = "Not an amount: digits with at most two decimals, such as 1234.50."
    no_account = "No account with this number; load it with an accounts file first."
    assert sorted((field, reason) for field, reason, _ in reasons) == [
        ("account_no", no_account),
        ("account_no", no_account),
        ("amount", amount),
        ("amount", amount),
        ("cif_no", "No customer with this CIF number."),
        ("open_date", "Not a date in the form YYYY-MM-DD."),
        ("product_code", "Unknown code %(detail)s (code table %(table)s)."),
    ]
    assert [json.loads(p) for f, _, p in reasons if f == "product_code"] == [{"detail": "TD-18M", "table": "product"}]
