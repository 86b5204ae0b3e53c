"""A customer's lifecycle in words, for readers in scope."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.access.service.scope_audit import denied
from bankcrm.catalogue import service as catalogue_service
from bankcrm.customers.service import reads as customer_reads
from bankcrm.errors import Forbidden
from bankcrm.kit.i18n import N_, gettext_for
from bankcrm.kit.money import yuan_text
from bankcrm.lifecycle import catalogue, repository, schemas
from bankcrm.models.lifecycle import CustomerStageHistory

NOT_ALLOWED = N_("You may not see customers' lifecycle stages.")
NO_RULE = N_("No rule held: a prospect until one does")
FIRST = "PROSPECT"


def require(principal: Principal) -> None:
    """Forbidden (audited) without lifecycle.read."""
    if not principal.can(schemas.READ):
        raise Forbidden(NOT_ALLOWED, audit=denied(principal, "read lifecycle", schemas.READ))


def rule_label(code: str | None, locale: str) -> str | None:
    """A rule's label in the reader's language (its code when no longer shipped)."""
    if code is None:
        return None
    rule = catalogue.rule_of(code)
    if rule is None:
        return gettext_for(locale, NO_RULE) if code == "NO_RULE" else code
    return rule.label_zh if locale == "zh_CN" else rule.label_en


def figure_text(name: str, value: Any, locale: str) -> str:
    """'AUM change over 3 months −31.0 %' in the reader's language."""
    label, unit = catalogue.FIGURES.get(name, (name, "count"))
    if value is None:
        shown = "—"
    elif unit == "money":
        shown = yuan_text(int(value))
    elif unit == "pct":
        shown = f"{value:+.1f} %".replace("-", "−")
    else:
        shown = str(value)
    return f"{gettext_for(locale, label)} {shown}"


def move(h: CustomerStageHistory, labels: dict[str, str], locale: str) -> schemas.MoveRead:
    """One stored move, with its rule and figures in words."""
    figures = json.loads(h.figures)
    words = "; ".join(figure_text(n, v, locale) for n, v in figures.items())
    said = rule_label(h.rule, locale) or h.rule
    return schemas.MoveRead(
        month=f"{h.month:%Y-%m}",
        from_stage=schemas.StageRef(code=h.from_stage, label=labels.get(h.from_stage, h.from_stage))
        if h.from_stage
        else None,
        to_stage=schemas.StageRef(code=h.to_stage, label=labels.get(h.to_stage, h.to_stage)),
        rule=h.rule,
        rule_label=said,
        figures=figures,
        explanation=f"{said}: {words}" if words else said,
    )


def customer(db: Session, principal: Principal, cif_no: str, locale: str) -> schemas.CustomerLifecycleRead:
    """A customer in scope (404 otherwise, audited): the stage now, since when, and the moves newest first."""
    require(principal)
    found = customer_reads.get_customer(db, principal, cif_no)
    labels = catalogue_service.labels_of(db, "lifecycle_stage", locale)
    now = repository.current(db, found.id)
    stage = now.stage if now else FIRST
    return schemas.CustomerLifecycleRead(
        cif_no=found.cif_no,
        stage=stage,
        stage_label=labels.get(stage, stage),
        since=f"{now.since:%Y-%m}" if now else None,
        rule=now.rule if now else None,
        rule_label=rule_label(now.rule, locale) if now else None,
        evaluated_month=f"{now.month:%Y-%m}" if now else None,
        history=[move(h, labels, locale) for h in repository.history(db, found.id)],
    )
