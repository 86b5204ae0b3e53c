"""The churn model's door into warnings: candidates above the model's threshold become warnings, or join the
customer's open warning (its probability and reasons go onto that warning's timeline): never two open at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM
from bankcrm.audit import service as audit_service
from bankcrm.earlywarning import catalogue
from bankcrm.earlywarning.repository import warnings as repository
from bankcrm.earlywarning.service.raising import BATCH, new_warning
from bankcrm.kit.time import utcnow
from bankcrm.models.earlywarning import EarlyWarningEvent
from bankcrm.workcalendar.service import days as working_days


@dataclass(frozen=True)
class ModelCandidate:
    """A customer the model puts above its threshold: probability, reasons in words, which model, which month."""

    customer_id: int
    probability: float
    reasons: list[str]
    model_id: str
    month: date
    reasons_zh: tuple[str, ...] = ()  # the same reasons in Chinese, shown to a reader who reads Chinese


@dataclass(frozen=True)
class Intake:
    """What taking in a model's candidates did."""

    raised: int
    joined: int  # added to an open warning
    unknown: int  # no such customer


def raise_from_model(db: Session, candidates: list[ModelCandidate], today: date | None = None) -> Intake:
    """New warnings for candidates without an open one; the others' open warning takes the model's figures.
    Flush only: the caller (the model's job) commits."""
    today = today or date.today()
    raised = joined = unknown = 0
    calendar = working_days.current(db)
    for c in candidates:
        if not 0.0 <= c.probability <= 1.0:
            raise ValueError(f"customer {c.customer_id}: probability {c.probability} is not between 0 and 1")
        reasons = [
            {"text": r, "text_zh": zh} if zh else {"text": r}
            for r, zh in zip(c.reasons, c.reasons_zh or [None] * len(c.reasons), strict=True)
        ]
        found = repository.open_of(db, c.customer_id)
        if found is not None:
            found.probability = max(c.probability, found.probability or 0.0)
            found.model_id = found.model_id or c.model_id
            found.severity = catalogue.severity_of(found.score, found.probability)
            note = f"{c.model_id}: {c.probability:.0%}; " + "; ".join(c.reasons)
            db.add(EarlyWarningEvent(warning_id=found.id, actor_name=BATCH, kind="MODEL", at=utcnow(), note=note))
            joined += 1
            continue
        context = repository.customer_context(db, c.customer_id, c.month)
        if context is None:
            unknown += 1
            continue
        new_warning(
            db,
            customer_id=c.customer_id,
            context=context,
            month=c.month,
            today=today,
            reasons=reasons,
            leading=catalogue.MODEL,
            probability=c.probability,
            model_id=c.model_id,
            calendar=calendar,
        )
        raised += 1
    models = ", ".join(sorted({c.model_id for c in candidates})) or "-"
    detail = f"model {models}: {raised} raised, {joined} joined open warnings, {unknown} unknown customers"
    audit_service.record(db, SYSTEM, "warning.model_intake", detail=detail)
    db.flush()
    return Intake(raised, joined, unknown)
