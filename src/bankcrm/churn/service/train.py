"""Training a challenger on the snapshot and promoting it only when it beats the champion on the same validation
month and the recency rule; the first model that beats the recency rule becomes the champion."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bankcrm.churn import catalogue, repository
from bankcrm.churn.service import features, fromfile, learn, pipeline
from bankcrm.churn.service.rows import Labelled, gather
from bankcrm.insight.service.compute import add_months
from bankcrm.kit.time import utcnow
from bankcrm.kit.workdays import PACKAGE_ONLY, Calendar
from bankcrm.models.churn import ChurnModel

TARGET = "churn"
# Why a model was or was not promoted (ChurnModel.note; the pages say it in words).
PROMOTED_FIRST, PROMOTED, WORSE, NOT_ABOVE_BASELINE = "FIRST", "BEATS_CHAMPION", "WORSE", "BELOW_BASELINE"


@dataclass(frozen=True)
class Outcome:
    """What a training run stored and decided."""

    model: ChurnModel
    promoted: bool
    champion_auc: float | None


def first_business_day(month: date, calendar: Calendar = PACKAGE_ONLY) -> date:
    """The month's first working day in the bank's calendar (a holiday or a make-up working day counts as the
    calendar says: 1 October is never one, a Saturday made a working day can be)."""
    day = month.replace(day=1)
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def labelled_rows(db: Session, last: date | None, month: date | None = None) -> Labelled:
    """The eligible, labelled rows of every snapshot month up to ``last`` (default: the newest), built a block of
    customers at a time; ``month``: that month's rows only (its lags and horizon still read)."""
    s = catalogue.settings()
    months = [m for m in repository.snapshot_months(db) if last is None or m <= last]
    if not months:
        return gather([])
    newest = months[-1]
    first = add_months(month, -(max(s.average_months, 6) + 1)) if month is not None else None
    blocks = repository.snapshot_blocks(db, first, newest, s.block_customers)
    return gather((features.build(frame, s, newest) for frame in blocks), month)


def store(db: Session, card: dict[str, Any], text: str, *, status: str, note: str, source: str) -> ChurnModel:
    """A trained model as a row (flushed)."""
    month = card.get("validation_month")
    return repository.add(
        db,
        ChurnModel(
            target=TARGET,
            source=source,
            status=status,
            validation_month=date.fromisoformat(f"{month}-01") if month else None,
            auc=float(card["metrics"]["auc"]),
            baseline_auc=card.get("baseline", {}).get("auc"),
            card=json.dumps(card, ensure_ascii=False, sort_keys=True),
            model_text=text,
            note=note,
            trained_at=utcnow(),
        ),
    )


def train_challenger(db: Session, *, last: date | None = None, now: datetime | None = None, **override: Any) -> Outcome:
    """Train on the snapshot up to ``last``, store the model, and promote it when it beats both the champion (on
    the challenger's own validation month) and the recency rule. ``override``: LightGBM parameters (tests).
    Raises pipeline.NotEnoughHistory. Flush only (the boundary commits)."""
    feats = labelled_rows(db, last)
    trained = pipeline.train(feats, catalogue.settings(), **override)
    auc = float(trained.card["metrics"]["auc"])
    above_baseline = auc > float(trained.card["baseline"]["auc"])
    current = repository.champion(db, TARGET)
    champion_auc = None
    if current is not None:
        month = date.fromisoformat(f"{trained.card['validation_month']}-01")
        champion_auc = pipeline.evaluate(learn.load(current.model_text), feats, month)["auc"]
        trained.card["champion"] = {"id": current.id, "auc_on_validation_month": champion_auc}
    if not above_baseline:
        note = NOT_ABOVE_BASELINE
    elif current is None:
        note = PROMOTED_FIRST
    else:
        note = PROMOTED if champion_auc is not None and auc > champion_auc else WORSE
    promoted = note in (PROMOTED_FIRST, PROMOTED)
    if promoted:
        repository.retire_champions(db, TARGET)
    status = "CHAMPION" if promoted else "CHALLENGER"
    row = store(db, trained.card, trained.text(), status=status, note=note, source="snapshot")
    if promoted:
        row.promoted_at = now or utcnow()
    db.flush()
    return Outcome(row, promoted, champion_auc)


def store_file_model(db: Session, model: fromfile.FileModel) -> ChurnModel:
    """A model trained on a file: kept with its card, never the champion (it does not read the snapshot)."""
    return store(db, model.card, model.text(), status="FILE", note="FILE", source="file")
