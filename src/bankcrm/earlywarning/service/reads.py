"""Warnings in words for readers: the reasons with their figures ("AUM down 62% in 3 months (¥1,200,000 →
¥456,000); 3 transfers, ¥480,000, to other banks in 3 months"), the lists (mine, my branch, escalated), a warning
with its timeline."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.access.service.scope_audit import denied
from bankcrm.catalogue import service as catalogue_service
from bankcrm.earlywarning import catalogue, schemas
from bankcrm.earlywarning.repository import warnings as repository
from bankcrm.earlywarning.service.work import get
from bankcrm.errors import Forbidden
from bankcrm.kit.i18n import N_, gettext_for
from bankcrm.kit.masking import mask_person_name
from bankcrm.kit.time import to_local
from bankcrm.models.customer import Customer
from bankcrm.models.earlywarning import EarlyWarning

NOT_ALLOWED = N_("You may not see warnings.")
MODEL_LABEL = N_("Churn model")
VIEWS = ("mine", "branch", "escalated")
STATUSES = ("open", "closed", "all")
MONEY = {"amount", "before", "now"}
CATEGORIES = ("warning_severity", "warning_status", "warning_action", "warning_outcome", "lost_reason", "loan_class")


def require(principal: Principal) -> None:
    """Forbidden (audited) without warnings.read."""
    if not principal.can(schemas.READ):
        raise Forbidden(NOT_ALLOWED, audit=denied(principal, "read warnings", schemas.READ))


def yuan(fen: Any) -> str:
    """Whole yuan with separators: 48000000 → '480,000'."""
    return f"{int(fen or 0) // 100:,}"


def reason_text(reason: dict[str, Any], locale: str, labels: dict[str, dict[str, str]]) -> str:
    """One stored reason in words, in the reader's language."""
    if "text" in reason:  # a model's reason, put in words by the model (both languages where it gave both)
        return str(reason.get("text_zh") or reason["text"]) if locale == "zh_CN" else str(reason["text"])
    code = str(reason["signal"])
    template = catalogue.READS.get(code)
    if template is None:
        return code
    shown = {k: yuan(v) if k in MONEY else v for k, v in reason["figures"].items()}
    if "classification" in shown:
        shown["classification"] = labels["loan_class"].get(shown["classification"], shown["classification"])
    return str(gettext_for(locale, template[2]) % shown)


def shown_name(name: str, kind: str) -> str:
    """An individual's name masked as on every list; a company's in full."""
    return mask_person_name(name) if kind == "individual" else name


def factor_label(code: str, locale: str) -> str:
    """A leading factor's name: the signal's, or the churn model's."""
    found = catalogue.signal(code)
    return found.label(locale) if found else gettext_for(locale, MODEL_LABEL)


def _ref(labels: dict[str, dict[str, str]], category: str, code: str | None) -> schemas.CodeRef | None:
    return schemas.CodeRef(code=code, label=labels[category].get(code, code)) if code else None


def summary_fields(
    w: EarlyWarning, cif_no: str, name: str, users: dict[int, Any], labels: dict[str, dict[str, str]], locale: str
) -> dict[str, Any]:
    """The fields a list row and the detail share."""
    reasons = json.loads(w.reasons)
    return {
        "id": w.id,
        "cif_no": cif_no,
        "customer_name": name,
        "raised_on": w.raised_on,
        "severity": _ref(labels, "warning_severity", w.severity),
        "status": _ref(labels, "warning_status", w.status),
        "leading_factor": schemas.CodeRef(code=w.leading_factor, label=factor_label(w.leading_factor, locale)),
        "score": w.score,
        "probability": w.probability,
        "reasons": [reason_text(r, locale, labels) for r in reasons],
        "assignee": users[w.assignee_id].username if w.assignee_id in users else None,
        "escalated_to": users[w.escalated_to_id].username if w.escalated_to_id in users else None,
        "due_on": w.due_on,
    }


def listing(
    db: Session,
    principal: Principal,
    view: str,
    status: str,
    locale: str,
    limit: int = 200,
    customer_id: int | None = None,
) -> list[schemas.WarningSummary]:
    """Visible warnings of a view, newest first."""
    require(principal)
    rows = repository.listed(db, principal, view, status, limit, customer_id)
    labels = catalogue_service.code_labels(db, CATEGORIES, locale)
    ids = {i for w, *_ in rows for i in (w.assignee_id, w.escalated_to_id) if i}
    users = repository.users_by_id(db, ids)
    return [
        schemas.WarningSummary(**summary_fields(w, c, shown_name(n, k), users, labels, locale)) for w, c, n, k in rows
    ]


def detail(db: Session, principal: Principal, warning_id: int, locale: str, zone: str) -> schemas.WarningRead:
    """One visible warning (404 otherwise, audited) with its participants and timeline."""
    require(principal)
    w = get(db, principal, warning_id)
    labels = catalogue_service.code_labels(db, CATEGORIES, locale)
    users = repository.users_by_id(db, {i for i in (w.assignee_id, w.escalated_to_id) if i})
    found = db.get(Customer, w.customer_id)
    assert found is not None  # a warning's customer is never deleted
    timeline = [
        schemas.EventRead(
            at=to_local(e.at, zone).strftime("%Y-%m-%d %H:%M"),
            actor=e.actor_name,
            kind=e.kind,
            action=_ref(labels, "warning_action", e.action),
            contact_on=e.contact_on,
            note=e.note,
        )
        for e in repository.timeline(db, w.id)
    ]
    return schemas.WarningRead(
        **summary_fields(w, found.cif_no, shown_name(found.name, found.kind), users, labels, locale),
        source=w.source,
        model_id=w.model_id,
        month=f"{w.month:%Y-%m}",
        tier=w.tier,
        aum=w.aum,
        value_before=w.value_before,
        outcome=_ref(labels, "warning_outcome", w.outcome),
        retained_amount=w.retained_amount,
        lost_reason=_ref(labels, "lost_reason", w.lost_reason),
        lost_to_bank=w.lost_to_bank,
        outcome_note=w.outcome_note,
        closed_on=w.closed_on,
        winback_plan=w.winback_plan,
        participants=[u.username for u in repository.participants(db, w.id)],
        timeline=timeline,
    )
