"""Reading ingest runs for the web list, a run's page and the API."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.errors import NotFound
from bankcrm.ingest import repository
from bankcrm.ingest.schemas import IngestRunPage, IngestRunRead
from bankcrm.ingest.service.outputs import run_header
from bankcrm.ingest.service.rejects import Reject, shown
from bankcrm.kit.i18n import N_
from bankcrm.kit.listing import SortSpec
from bankcrm.kit.pagination import PageRequest
from bankcrm.models.ingest import IngestBatch, IngestRun

SHOWN_REJECTS = 200  # a run's page lists this many rejects; the download has them all


@dataclass
class RunDetail:
    """One run for its page: the run, whether it is its delivery's latest, its first rejects (masked)."""

    run: IngestRunRead
    header: list[str]
    rejects: list[Reject]
    current: bool
    rerun_by: int | None  # the run that re-ran this one's rejects


def read_run(run: IngestRun, batch: IngestBatch) -> IngestRunRead:
    """A run with its delivery's source, type and business date."""
    return IngestRunRead(
        id=run.id,
        source=batch.source,
        file_type=batch.file_type,
        business_date=batch.business_date,
        file_name=run.file_name,
        checksum=run.checksum,
        encoding=run.encoding,
        replaced=run.replaced,
        rerun_of=run.rerun_of,
        rows_in=run.rows_in,
        rows_loaded=run.rows_loaded,
        rows_rejected=run.rows_rejected,
        actor=run.actor,
        started_at=run.started_at,
        finished_at=run.finished_at,
    )


def list_runs(db: Session, page: PageRequest, sort: SortSpec | None = None) -> IngestRunPage:
    """Runs with their counts, in ``sort`` order (default newest first)."""
    result = repository.runs(db, page, sort)
    return IngestRunPage.of(result, [read_run(run, batch) for run, batch in result.items])


def get_run(db: Session, run_id: int) -> IngestRunRead:
    """One run with its counts."""
    found = repository.run_and_batch(db, run_id)
    if found is None:
        raise NotFound(N_("No such ingest run."))
    return read_run(*found)


def run_detail(db: Session, run_id: int) -> RunDetail:
    """One run, its first rejects as anyone may see them (masked), and where it stands in its delivery."""
    found = repository.run_and_batch(db, run_id)
    if found is None:
        raise NotFound(N_("No such ingest run."))
    run, batch = found
    later = repository.rerun_of(db, run.id)
    return RunDetail(
        run=read_run(run, batch),
        header=run_header(run),
        rejects=[shown(r) for r in repository.rejects(db, run.id, limit=SHOWN_REJECTS)],
        current=batch.current_run_id == run.id,
        rerun_by=later.id if later is not None else None,
    )


REJECTS_CARD = 5  # runs listed on the home card; the runs page has them all


def rejects_card(db: Session, principal: Principal) -> list[IngestRunRead]:
    """The home card of operations: the newest runs that rejected rows (ingest is bank-wide, shown to ingest.read)."""
    return [read_run(run, batch) for run, batch in repository.runs_with_rejects(db, REJECTS_CARD)]
