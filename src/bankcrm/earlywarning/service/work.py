"""Working a warning: actions (contact, plan), the outcome, the staff the branch manager brings in, the win-back
plan. Each a step on the timeline and an audit event; a wrong field is a 422 naming it, nothing half-written."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from bankcrm.access.principal import Actor, Principal
from bankcrm.access.service.scope_audit import denied
from bankcrm.audit import service as audit_service
from bankcrm.catalogue import service as catalogue_service
from bankcrm.earlywarning import catalogue, schemas
from bankcrm.earlywarning.repository import warnings as repository
from bankcrm.errors import FieldError, Forbidden, NotFound, ValidationFailed
from bankcrm.kit.i18n import N_
from bankcrm.kit.time import utcnow
from bankcrm.models.earlywarning import EarlyWarning, EarlyWarningEvent, EarlyWarningParticipant

NOT_FOUND = N_("Warning not found.")
MAY_NOT_ACT = N_("You may not work on warnings.")
MAY_NOT_COORDINATE = N_("Only a branch manager may bring staff into a warning.")
CLOSED_ALREADY = N_("This warning is closed.")


def get(db: Session, principal: Principal, warning_id: int) -> EarlyWarning:
    """A warning the principal may see, or 404 (audited when it exists)."""
    found = repository.one(db, principal, warning_id)
    if found is None:
        exists = db.get(EarlyWarning, warning_id) is not None
        audit = None
        if exists:
            audit = {"actor": Actor.of(principal), "action": "authz.out_of_scope", "outcome": "denied"}
            audit |= {"entity_type": "early_warning", "entity_id": warning_id}
        raise NotFound(NOT_FOUND, audit=audit)
    return found


def _workable(db: Session, principal: Principal, warning_id: int, permission: str = schemas.ACT) -> EarlyWarning:
    if not principal.can(permission):
        raise Forbidden(MAY_NOT_ACT, audit=denied(principal, "work on a warning", permission))
    warning = get(db, principal, warning_id)
    if warning.status == "CLOSED":
        raise ValidationFailed(CLOSED_ALREADY, errors=[FieldError("status", CLOSED_ALREADY)])
    return warning


def _codes(db: Session, category: str) -> set[str]:
    return {i.code for i in catalogue_service.code_table(db, category)}


def _step(db: Session, principal: Principal, warning: EarlyWarning, kind: str, **kw: object) -> None:
    db.add(
        EarlyWarningEvent(
            warning_id=warning.id, actor_id=principal.user_id, actor_name=principal.display_name, kind=kind, **kw
        )
    )


def record_action(db: Session, principal: Principal, warning_id: int, data: schemas.ActionCreate) -> EarlyWarning:
    """A contact or plan step; the first one marks an open warning acted on (it no longer escalates)."""
    warning = _workable(db, principal, warning_id)
    if data.action not in _codes(db, "warning_action"):
        raise ValidationFailed(errors=[FieldError("action", N_("Not an action type: %(code)s"), {"code": data.action})])
    _step(db, principal, warning, "ACTION", action=data.action, contact_on=data.contact_on, note=data.note or None)
    if warning.acted_at is None:
        warning.acted_at = utcnow()
    if warning.status == "OPEN":
        warning.status = "ACTED"
    audit_service.record(
        db,
        Actor.of(principal),
        "warning.action",
        entity_type="early_warning",
        entity_id=warning.id,
        detail=data.action,
    )
    db.flush()
    return warning


def record_outcome(
    db: Session, principal: Principal, warning_id: int, data: schemas.OutcomeCreate, today: date
) -> EarlyWarning:
    """Close the warning with its outcome; partly retained needs the amount, lost the reason and the bank."""
    warning = _workable(db, principal, warning_id)
    errors = []
    if data.outcome not in _codes(db, "warning_outcome"):
        errors.append(FieldError("outcome", N_("Not an outcome: %(code)s"), {"code": data.outcome}))
    if data.outcome == "PARTLY_RETAINED" and not data.retained_amount:
        errors.append(FieldError("retained_amount", N_("Give the amount retained.")))
    if data.outcome == "LOST":
        if data.lost_reason not in _codes(db, "lost_reason"):
            errors.append(FieldError("lost_reason", N_("Choose why the customer left.")))
        if not (data.lost_to_bank or "").strip():
            errors.append(FieldError("lost_to_bank", N_("Name the bank the customer went to.")))
    if errors:
        raise ValidationFailed(errors=errors)
    warning.outcome = data.outcome
    warning.retained_amount = data.retained_amount if data.outcome == "PARTLY_RETAINED" else None
    warning.lost_reason = data.lost_reason if data.outcome == "LOST" else None
    warning.lost_to_bank = (data.lost_to_bank or "").strip() or None if data.outcome == "LOST" else None
    warning.outcome_note = data.note or None
    warning.status = "CLOSED"
    warning.closed_on = today
    warning.closed_by = principal.user_id
    if warning.acted_at is None:
        warning.acted_at = utcnow()
    _step(db, principal, warning, "OUTCOME", action=None, note=data.outcome + (f": {data.note}" if data.note else ""))
    audit_service.record(
        db,
        Actor.of(principal),
        "warning.outcome",
        entity_type="early_warning",
        entity_id=warning.id,
        detail=data.outcome,
    )
    db.flush()
    return warning


def staff(db: Session) -> list[Any]:
    """The product, risk and operations staff a branch manager may bring in."""
    return repository.users_with_roles(db, catalogue.PARTICIPANT_ROLES)


def add_participant(db: Session, principal: Principal, warning_id: int, username: str) -> EarlyWarning:
    """The branch manager brings a product, risk or operations colleague in: they see and work the warning."""
    warning = _workable(db, principal, warning_id, schemas.COORDINATE)
    allowed = {u.username: u for u in repository.users_with_roles(db, catalogue.PARTICIPANT_ROLES)}
    user = allowed.get(username)
    if user is None:
        raise ValidationFailed(
            errors=[FieldError("username", N_("Not product, risk or operations staff: %(u)s"), {"u": username})]
        )
    if not repository.is_participant(db, warning.id, user.id):
        db.add(EarlyWarningParticipant(warning_id=warning.id, user_id=user.id, added_by=principal.user_id))
        _step(db, principal, warning, "PARTICIPANT", note=f"{user.display_name} ({user.username})")
        audit_service.record(
            db,
            Actor.of(principal),
            "warning.participant",
            entity_type="early_warning",
            entity_id=warning.id,
            detail=user.username,
        )
    db.flush()
    return warning


def set_plan(db: Session, principal: Principal, warning_id: int, plan: str) -> EarlyWarning:
    """The win-back plan of a lost or partly retained customer."""
    if not principal.can(schemas.ACT):
        raise Forbidden(MAY_NOT_ACT, audit=denied(principal, "plan a win-back", schemas.ACT))
    warning = get(db, principal, warning_id)
    if warning.outcome not in ("LOST", "PARTLY_RETAINED"):
        raise ValidationFailed(
            errors=[FieldError("plan", N_("Only a lost or partly retained customer has a win-back plan."))]
        )
    if not plan.strip() or len(plan) > 2000:
        raise ValidationFailed(errors=[FieldError("plan", N_("Write the plan (at most 2,000 characters)."))])
    warning.winback_plan = plan.strip()
    _step(db, principal, warning, "PLAN", note=plan.strip())
    audit_service.record(
        db, Actor.of(principal), "warning.winback_plan", entity_type="early_warning", entity_id=warning.id
    )
    db.flush()
    return warning
