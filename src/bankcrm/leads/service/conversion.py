"""Conversion: a qualified lead becomes a customer through the CIF create flow (maker-checker as usual) or is
matched to an existing customer; the referrer is credited and ``on_converted`` opens the opportunity.

``on_converted(db, principal, lead) -> int | None`` is the hook the sales module connects to: it is called once,
inside the conversion's transaction, after the lead is CONVERTED with its customer; the id it returns is kept
as ``lead.opportunity_id``. Until it is connected it opens nothing and returns None.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM_PRINCIPAL, Actor, Principal
from bankcrm.access.service import units as unit_service
from bankcrm.access.service import users as user_service
from bankcrm.audit import service as audit_service
from bankcrm.catalogue import service as catalogue_service
from bankcrm.customers.fields import FIELD_LABELS
from bankcrm.customers.service import approval as customer_approval
from bankcrm.customers.service import intake as customer_intake
from bankcrm.customers.service import reads as customer_reads
from bankcrm.errors import Conflict, FieldError, Forbidden, ValidationFailed
from bankcrm.kit.crypto import FieldCipher, aad_for
from bankcrm.kit.i18n import N_
from bankcrm.kit.time import to_local, utcnow
from bankcrm.leads import catalogue, repository
from bankcrm.leads.schemas import WORK, WORKFLOW, LeadConvert
from bankcrm.leads.service import assign
from bankcrm.leads.service.reads import get_lead
from bankcrm.models.access import User
from bankcrm.models.customer import ChangeRequestStatus, Customer
from bankcrm.models.lead import Lead, LeadStatus, ReferralPoints
from bankcrm.sales.service import opportunities as sales_opportunities
from bankcrm.workflow import service as workflow_service

NOT_QUALIFIED = N_("Lead #%(id)s must be qualified before it is converted.")
WAITING = N_("The new customer of lead #%(id)s is waiting for a checker (change request %(request)s).")
REJECTED = N_("The new customer of lead #%(id)s was rejected (change request %(request)s): submit it again.")
NEED_CUSTOMER = N_("Give the CIF number of an existing customer, or the new customer's details.")
BOTH = N_("Give either an existing customer or a new one, not both.")
FILED = N_("A new customer is already waiting for a checker for lead #%(id)s.")


def on_converted(db: Session, principal: Principal, lead: Lead) -> int | None:
    """Open the converted lead's opportunity (the product its interest opens with, the lead's estimated amount) for
    the converting manager and return its id; None when the interest names no product."""
    product = catalogue.opening_products().get(lead.interest)
    if product is None or lead.customer_id is None:
        return None
    # A conversion the nightly finishes (the checker approved the new customer) belongs to the lead's manager.
    owner: Principal | User = principal
    if principal.user_id is None and lead.assignee_id is not None:
        owner = repository.users(db, {lead.assignee_id})[lead.assignee_id]
    elif principal.user_id is None:
        return None
    amount = lead.amount or 0
    return sales_opportunities.open_for_lead(db, owner, lead.customer_id, product, amount, lead.id).id


# The hook conversion calls; a test or the sales module may replace it (bankcrm.leads.service.conversion.HOOK).
HOOK: list[Callable[[Session, Principal, Lead], int | None]] = [on_converted]


def convert(db: Session, principal: Principal, cipher: FieldCipher, lead_id: int, data: LeadConvert, zone: str) -> Lead:
    """Convert one's qualified lead: to an existing customer (``cif_no``), by filing a new customer for a
    checker (``customer``: the lead converts when it is approved), or, with neither, to the lead's own customer
    or the customer its approved request made."""
    if not principal.can(WORK):
        raise Forbidden()
    if data.cif_no is not None and data.customer is not None:
        raise ValidationFailed(errors=[FieldError("cif_no", BOTH)])
    lead = get_lead(db, principal, lead_id, lock=True)
    if lead.assignee_id != principal.user_id:
        raise Conflict(assign.NOT_YOURS, params={"id": lead.id})
    if lead.status != LeadStatus.QUALIFIED:
        raise Conflict(NOT_QUALIFIED, params={"id": lead.id})
    if data.cif_no is not None:
        return finish(db, principal, lead, customer_reads.get_customer(db, principal, data.cif_no), zone)
    if data.customer is not None:
        return submit_customer(db, principal, cipher, lead, data.customer, zone)
    if lead.customer_id is not None:
        customer = repository.customers(db, {lead.customer_id})[lead.customer_id]
        return finish(db, principal, lead, customer, zone)
    if lead.change_request_id is not None:
        request = customer_approval.get_request(db, principal, lead.change_request_id)
        if request.status == ChangeRequestStatus.APPROVED and request.customer is not None:
            return finish(db, principal, lead, request.customer, zone)
        message = WAITING if request.status == ChangeRequestStatus.SUBMITTED else REJECTED
        raise Conflict(message, params={"id": lead.id, "request": request.id})
    raise ValidationFailed(errors=[FieldError("cif_no", NEED_CUSTOMER)])


def submit_customer(
    db: Session, principal: Principal, cipher: FieldCipher, lead: Lead, customer: Any, zone: str
) -> Lead:
    """File the prospect as a new customer through the CIF's own create flow (its checks, duplicates and
    maker-checker); the lead keeps the request and converts once a checker approves it."""
    if lead.change_request_id is not None:
        request = customer_approval.get_request(db, principal, lead.change_request_id)
        if request.status == ChangeRequestStatus.SUBMITTED:
            raise Conflict(FILED, params={"id": lead.id})
    request = customer_intake.submit_create(db, principal, cipher, customer, zone)
    lead.change_request_id, lead.updated_at = request.id, utcnow()
    audit_service.record(
        db,
        Actor.of(principal),
        "lead.customer_submitted",
        entity_type="lead",
        entity_id=lead.id,
        detail=f"change request {request.id}",
    )
    db.flush()
    return lead


def finish(db: Session, principal: Principal, lead: Lead, customer: Customer, zone: str) -> Lead:
    """Mark the lead converted with its customer, credit the referrer, and call the opportunity hook."""
    now = utcnow()
    workflow_service.move(db, principal, WORKFLOW, lead, LeadStatus.CONVERTED)
    lead.customer_id, lead.converted_at, lead.updated_at = customer.id, now, now
    assign.close_spell(db, lead)
    credit(db, lead, now, zone)
    lead.opportunity_id = HOOK[0](db, principal, lead)
    audit_service.record(
        db, Actor.of(principal), "lead.converted", entity_type="lead", entity_id=lead.id, detail=customer.cif_no
    )
    db.flush()
    return lead


def credit(db: Session, lead: Lead, now: datetime, zone: str) -> ReferralPoints | None:
    """The referrer's points for a converted referral, counted in the bank's month it converted (once)."""
    if lead.referrer_id is None or repository.points_by_lead(db, [lead.id]):
        return None
    referrer = repository.users(db, {lead.referrer_id})[lead.referrer_id]
    local = to_local(now, zone).date()
    row = ReferralPoints(
        user_id=referrer.id,
        unit_id=referrer.org_unit_id,
        lead_id=lead.id,
        points=catalogue.policy().referral_points,
        month=date(local.year, local.month, 1),
        earned_at=now,
    )
    db.add(row)
    return row


def settle(db: Session, zone: str) -> tuple[int, int]:
    """The job's part: leads whose new customer was approved convert; a rejected request is let go (the lead
    stays qualified for another try). Returns (converted, let go)."""
    converted = released = 0
    for lead in repository.awaiting_approval(db):
        request = customer_approval.get_request(db, SYSTEM_PRINCIPAL, lead.change_request_id or 0)
        if request.status == ChangeRequestStatus.APPROVED and request.customer is not None:
            finish(db, SYSTEM_PRINCIPAL, lead, request.customer, zone)
            converted += 1
        elif request.status == ChangeRequestStatus.REJECTED:
            lead.change_request_id = None
            released += 1
    db.flush()
    return converted, released


def prefill(db: Session, principal: Principal, cipher: FieldCipher, lead_id: int) -> tuple[Lead, dict[str, str]]:
    """The CIF create form's values for a qualified prospect of the caller's (name, mobile, ID, unit, manager);
    the phone and ID number are shown in clear to the maker, so the reveal is audited."""
    if not principal.can(WORK):
        raise Forbidden()
    lead = get_lead(db, principal, lead_id)
    if lead.assignee_id != principal.user_id:
        raise Conflict(assign.NOT_YOURS, params={"id": lead.id})
    if lead.status != LeadStatus.QUALIFIED:
        raise Conflict(NOT_QUALIFIED, params={"id": lead.id})
    values = {
        "status": "ACTIVE",
        "nationality": "CN",
        "capital_currency": "CNY",
        "id_type": lead.id_type or "RIC",
        "name": lead.prospect_name or "",
        "home_unit_id": str(lead.unit_id),
        "source_channel": "BRANCH",
        "account_manager_id": str(principal.user_id or ""),
    }
    if lead.phone_enc:
        values["phones.0.number"] = cipher.decrypt(lead.phone_enc, aad_for("lead", "phone", lead.id))
        values["phones.0.purpose"] = "mobile"
    if lead.id_no_enc:
        values["id_no"] = cipher.decrypt(lead.id_no_enc, aad_for("lead", "id_no", lead.id))
    if lead.phone_enc or lead.id_no_enc:
        audit_service.record(
            db, Actor.of(principal), "pii.unmask", entity_type="lead", entity_id=lead.id, detail="customer form"
        )
    return lead, values


def form_choices(db: Session, principal: Principal, locale: str) -> dict[str, Any]:
    """What the CIF create form offers (code tables, units, managers), as the customers module's own page does."""
    codes = catalogue_service.code_tables(db, customer_reads.CATEGORIES)
    codes["customer_status"] = [c for c in codes["customer_status"] if c.code != "MERGED"]
    return {
        "labels": customer_reads.code_labels(db, locale),
        "codes": codes,
        "field_labels": FIELD_LABELS,
        "units": unit_service.units_for_write(db, principal),
        "managers": user_service.account_managers(db, principal),
    }
