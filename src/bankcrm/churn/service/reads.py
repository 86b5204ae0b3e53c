"""Model cards and customers' churn scores for readers holding models.read (customers: in scope, else 404)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.access.service.scope_audit import denied
from bankcrm.catalogue import service as catalogue_service
from bankcrm.churn import catalogue, repository, schemas
from bankcrm.churn.service import reasons, train
from bankcrm.customers.service import reads as customer_reads
from bankcrm.errors import Forbidden, NotFound
from bankcrm.kit.i18n import N_, gettext_for
from bankcrm.models.churn import ChurnModel

NOT_ALLOWED = N_("You may not see churn models or scores.")
BELOW_THRESHOLD = N_("Below the warning threshold (%(threshold)s %%): reasons are worked out for likelier customers")
NONE_HOLDS = N_("No reason to name: none of the reason templates holds for this customer's figures")
NO_MODEL = N_("No such model.")
DECISIONS = {
    train.PROMOTED_FIRST: N_("Promoted: the first model, and it beats the recency rule"),
    train.PROMOTED: N_("Promoted: it beats the champion on the same validation month and the recency rule"),
    train.WORSE: N_("Not promoted: the champion does as well or better on the same validation month"),
    train.NOT_ABOVE_BASELINE: N_("Not promoted: it does not beat the recency rule"),
    "FILE": N_("Trained on a file: never scores the bank's customers"),
}


def require(principal: Principal) -> None:
    """Forbidden (audited) without models.read."""
    if not principal.can(schemas.READ):
        raise Forbidden(NOT_ALLOWED, audit=denied(principal, "read models", schemas.READ))


def _summary_fields(m: ChurnModel, labels: dict[str, str], locale: str) -> dict[str, object]:
    decision = DECISIONS.get(m.note)
    return {
        "id": m.id,
        "target": m.target,
        "source": m.source,
        "status": m.status,
        "status_label": labels.get(m.status, m.status),
        "validation_month": f"{m.validation_month:%Y-%m}" if m.validation_month else None,
        "auc": m.auc,
        "baseline_auc": m.baseline_auc,
        "decision": gettext_for(locale, decision) if decision else m.note,
        "trained_at": m.trained_at,
        "promoted_at": m.promoted_at,
    }


def models(db: Session, principal: Principal, locale: str) -> list[schemas.ModelSummary]:
    """Every churn model, newest first."""
    require(principal)
    labels = catalogue_service.labels_of(db, "model_status", locale)
    return [schemas.ModelSummary(**_summary_fields(m, labels, locale)) for m in repository.models(db, train.TARGET)]


def model(db: Session, principal: Principal, model_id: int, locale: str) -> schemas.ModelRead:
    """One model with its card (404 when there is none)."""
    require(principal)
    m = repository.model(db, model_id)
    if m is None:
        raise NotFound(NO_MODEL)
    labels = catalogue_service.labels_of(db, "model_status", locale)
    return schemas.ModelRead(**_summary_fields(m, labels, locale), card=json.loads(m.card))


def customer(db: Session, principal: Principal, cif_no: str, locale: str) -> schemas.CustomerChurnRead:
    """A customer in scope (404 otherwise, audited): its churn scores, newest first, reasons in words."""
    require(principal)
    found = customer_reads.get_customer(db, principal, cif_no)
    return schemas.CustomerChurnRead(
        cif_no=found.cif_no,
        scores=[
            _score(s.month, s.model_id, s.probability, json.loads(s.reasons), locale)
            for s in repository.customer_scores(db, found.id)
        ],
    )


def _score(month: date, model_id: int, probability: float, why: list[dict[str, Any]], locale: str) -> schemas.ScoreRead:
    """One month's score in words; without reasons, a note saying why (most customers are below the threshold,
    and reasons are worked out only for the likeliest: see scoring.explained)."""
    note = None
    if not why:
        threshold = catalogue.settings().warning_threshold
        note = (
            gettext_for(locale, BELOW_THRESHOLD, {"threshold": f"{threshold * 100:g}"})
            if probability < threshold
            else gettext_for(locale, NONE_HOLDS)
        )
    words = reasons.words(why, locale)
    return schemas.ScoreRead(
        month=f"{month:%Y-%m}", model_id=model_id, probability=probability, reasons=words, reasons_note=note
    )
