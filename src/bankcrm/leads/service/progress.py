"""The assignee works a lead: contacted, qualified, or disqualified with a reason (the ``lead`` workflow)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bankcrm.access.principal import Actor, Principal
from bankcrm.audit import service as audit_service
from bankcrm.catalogue import service as catalogue_service
from bankcrm.errors import Conflict, FieldError, Forbidden, ValidationFailed
from bankcrm.kit.i18n import N_
from bankcrm.kit.time import utcnow
from bankcrm.leads.schemas import WORK, WORKFLOW, LeadMove
from bankcrm.leads.service import assign
from bankcrm.leads.service.reads import get_lead
from bankcrm.models.lead import Lead, LeadStatus
from bankcrm.workflow import service as workflow_service

MOVES = (LeadStatus.CONTACTED, LeadStatus.QUALIFIED, LeadStatus.DISQUALIFIED)
NOT_A_MOVE = N_("Choose contacted, qualified or disqualified (a lead is converted with “Convert”).")
NEED_REASON = N_("Choose the reason the lead is disqualified.")
UNKNOWN_REASON = N_("Choose one of the listed reasons.")


def move(db: Session, principal: Principal, lead_id: int, data: LeadMove) -> Lead:
    """Move one's own lead; moving it accepts it when it was not yet accepted. Disqualifying needs a reason."""
    if not principal.can(WORK):
        raise Forbidden()
    if data.status not in MOVES:
        raise ValidationFailed(errors=[FieldError("status", NOT_A_MOVE)])
    if data.status == LeadStatus.DISQUALIFIED:
        if data.reason is None:
            raise ValidationFailed(errors=[FieldError("reason", NEED_REASON)])
        known = {c.code for c in catalogue_service.code_table(db, "lead_disqualify_reason")}
        if data.reason not in known:
            raise ValidationFailed(errors=[FieldError("reason", UNKNOWN_REASON)])
    lead = get_lead(db, principal, lead_id, lock=True)
    if lead.assignee_id != principal.user_id:
        raise Conflict(assign.NOT_YOURS, params={"id": lead.id})
    now = utcnow()
    workflow_service.move(db, principal, WORKFLOW, lead, data.status, data.note or data.reason)
    if lead.accepted_at is None:
        lead.accepted_at = now
    if data.status == LeadStatus.DISQUALIFIED:
        lead.reason = data.reason
        assign.close_spell(db, lead)
    lead.updated_at = now
    audit_service.record(
        db, Actor.of(principal), "lead.moved", entity_type="lead", entity_id=lead.id, detail=str(data.status)
    )
    db.flush()
    return lead
