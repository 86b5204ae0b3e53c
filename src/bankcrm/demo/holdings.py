"""The demo bank's core-banking files (24 months by default), loaded through the real ingest path; then the nightly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM
from bankcrm.config import Settings
from bankcrm.demo import maturities, rejects
from bankcrm.demo.core_banking import MONTHS, DemoCustomer
from bankcrm.demo.core_files import write_files
from bankcrm.holdings import jobs as holdings_jobs
from bankcrm.ingest.service.run import IngestRequest, ingest_file
from bankcrm.kit.time import today_in
from bankcrm.models.customer import Customer
from bankcrm.models.org import OrgUnit


@dataclass(frozen=True)
class Loaded:
    """What the build loaded: files, rows loaded and rejected, maturity follow-ups recorded."""

    files: int
    rows: int
    rejected: int
    outcomes: int


def build(db: Session, settings: Settings, out_dir: Path, months: int = MONTHS) -> Loaded:
    """Write the files under out_dir (with the planted bad rows) and ingest each (source CORE), oldest first.

    The nightly's maturity step runs for each past day of the maturities page's weeks as the files
    arrive, the account managers record the outcomes of the maturities passed, then today's nightly runs.
    """
    rows = db.execute(
        select(Customer.cif_no, Customer.kind, OrgUnit.code, Customer.account_manager_id)
        .join(OrgUnit, OrgUnit.id == Customer.home_unit_id)
        .order_by(Customer.cif_no)
    )
    customers = [DemoCustomer(cif, kind, code, manager is not None) for cif, kind, code, manager in rows]
    today = today_in(settings.timezone)
    files = write_files(customers, out_dir, today, months=months)
    rejects.plant(files)
    cipher = settings.field_cipher()
    loaded = rejected = 0
    nightly_from = maturities.history_start(today)
    for f in files:
        # Day D's nightly saw the files of business dates before D: run those days before loading this date.
        maturities.raise_through(db, nightly_from, f.business_date, settings.maturity_windows)
        nightly_from = max(nightly_from, f.business_date + timedelta(days=1))
        req = IngestRequest(path=f.path, file_type=f.file_type, business_date=f.business_date, source="CORE")
        run = ingest_file(db, cipher, SYSTEM, req, timezone=settings.timezone).run
        loaded, rejected = loaded + run.rows_loaded, rejected + run.rows_rejected
    maturities.raise_through(db, nightly_from, today - timedelta(days=1), settings.maturity_windows)
    outcomes = maturities.record_outcomes(db, today)
    holdings_jobs.nightly(db, settings, full=True)
    return Loaded(len(files), loaded, rejected, outcomes)
