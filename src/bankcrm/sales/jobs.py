"""The ``opportunity-wins`` step: after the holdings are loaded, open opportunities whose product appeared in the
customer's holdings are proposed as won with the actual amount (the owner confirms). ``bankcrm batch run
opportunity-wins`` runs it on demand."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.kit.jobs import JobResult
from bankcrm.kit.time import today_in
from bankcrm.sales.service import wins


def wins_job(db: Session, settings: Settings, **_: Any) -> JobResult:
    """The registry's ``opportunity-wins`` step."""
    n = wins.propose(db, today=today_in(settings.timezone))
    return JobResult(n, f"opportunity-wins: {n} wins proposed", n)
