"""Twelve months of core-banking files for the demo bank, loaded through the real ingest path; then the nightly."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM
from bankcrm.config import Settings
from bankcrm.demo.core_banking import DemoCustomer, write_files
from bankcrm.holdings import jobs as holdings_jobs
from bankcrm.ingest.service.run import IngestRequest, ingest_file
from bankcrm.kit.time import today_in
from bankcrm.models import Customer, OrgUnit


def build(db: Session, settings: Settings, out_dir: Path) -> tuple[int, int]:
    """Write the files under out_dir, ingest each (source CORE), run the nightly batch; (files, rows loaded)."""
    rows = db.execute(
        select(Customer.cif_no, Customer.kind, OrgUnit.code)
        .join(OrgUnit, OrgUnit.id == Customer.home_unit_id)
        .order_by(Customer.cif_no)
    )
    customers = [DemoCustomer(cif_no, kind, code) for cif_no, kind, code in rows]
    files = write_files(customers, out_dir, today_in(settings.timezone))
    cipher = settings.field_cipher()
    loaded = 0
    for f in files:
        req = IngestRequest(path=f.path, file_type=f.file_type, business_date=f.business_date, source="CORE")
        loaded += ingest_file(db, cipher, SYSTEM, req, timezone=settings.timezone).run.rows_loaded
    holdings_jobs.nightly(db, settings, full=True)
    return len(files), loaded
