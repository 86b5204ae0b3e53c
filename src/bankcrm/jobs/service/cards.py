"""The jobs module's home card: the newest batch step runs with their outcome."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.jobs.schemas import OUTCOME_LABELS, JobRunRead
from bankcrm.jobs.service.runs import list_runs, registered
from bankcrm.kit.pagination import PageRequest
from bankcrm.models.job import JobOutcome

CARD_RUNS = 5  # runs on the card; the jobs page has them all


@dataclass(frozen=True)
class RunLine:
    """One run for the card: the step's labels in both languages and the outcome's label and badge."""

    run: JobRunRead
    label_en: str
    label_zh: str
    outcome: str  # N_() message id
    badge: str


def latest_card(db: Session, principal: Principal) -> list[RunLine]:
    """The newest run records of every step, newest first."""
    steps = {j.code: j for j in registered()}
    lines = []
    for r in list_runs(db, PageRequest(1, CARD_RUNS)).items:
        step = steps.get(r.job_code)
        label, badge = OUTCOME_LABELS[JobOutcome(r.outcome)]
        en, zh = (step.label_en, step.label_zh) if step else (r.job_code, r.job_code)
        lines.append(RunLine(r, en, zh, label, badge))
    return lines
