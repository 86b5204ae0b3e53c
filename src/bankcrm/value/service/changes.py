"""Maker-checker for pricing: a head-office maker proposes a curve and parameters from a month's first day; a
second person approves (applied then) or rejects. Never one's own; every step audited; flushes only.
"""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy.orm import Session

from bankcrm.access.principal import Actor, Principal
from bankcrm.access.service.scope_audit import denied
from bankcrm.audit import service as audit_service
from bankcrm.catalogue import service as catalogue_service
from bankcrm.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from bankcrm.holdings.service import currencies as currency_service
from bankcrm.kit.i18n import N_
from bankcrm.kit.time import utcnow
from bankcrm.models.value import PricingChange, PricingChangeStatus
from bankcrm.value import repository
from bankcrm.value.schemas import APPROVE, PROPOSE, Decision, PricingChangeRead, PricingProposal
from bankcrm.value.service.compute import month_start
from bankcrm.value.service.pricing import effective_dates, in_force
from bankcrm.workflow import service as workflow_service

WORKFLOW = "pricing_change"
# Which code table names the codes of each part of a proposal.
CODE_TABLES = {"provision": "loan_class", "service_product": "product_category", "service_txn": "txn_channel"}

REASON_REQUIRED = N_("Give a reason for the change.")
FIRST_DAY = N_("A new pricing takes effect on the first day of a month.")
TOO_EARLY = N_("A new pricing cannot take effect before the current month (%(month)s).")
NOTHING = N_("Name at least one rate or cost to change.")
UNKNOWN_CURRENCY = N_("Unknown currency %(code)s.")
UNKNOWN_CODE = N_("Unknown code %(code)s.")
CURVE_INCOMPLETE = N_("The curve of %(currency)s needs a rate for every term: %(missing)s missing.")
NOT_FOUND = N_("Pricing change not found.")
DECIDED = N_("This pricing change has already been decided.")
OWN_REQUEST = N_("You cannot approve or reject your own pricing change.")
REJECT_REASON = N_("Give a reason for the rejection.")
PASSED = N_("This pricing change would take effect before the current month; reject it and propose a new one.")


def status_labels(db: Session, locale: str) -> dict[str, str]:
    """Change statuses' labels in the reader's language."""
    return workflow_service.labels(db, WORKFLOW, locale)


def _require(principal: Principal, permission: str, what: str) -> None:
    if not principal.can(permission):
        raise Forbidden(audit=denied(principal, what, permission))


def _check(db: Session, body: PricingProposal, today: date) -> list[FieldError]:
    errors: list[FieldError] = []
    if not body.reason:
        errors.append(FieldError("reason", REASON_REQUIRED))
    if body.effective_from.day != 1:
        errors.append(FieldError("effective_from", FIRST_DAY))
    elif body.effective_from < month_start(today):
        errors.append(FieldError("effective_from", TOO_EARLY, {"month": f"{today:%Y-%m}"}))
    if not (body.ftp or body.provision or body.service_product or body.service_txn):
        errors.append(FieldError("ftp", NOTHING))
    terms = [c.code for c in catalogue_service.code_table(db, "ftp_term")]
    currencies = set(in_force(db, today).curves) | set(_currencies(db))
    for currency, rates in body.ftp.items():
        if currency not in currencies:
            errors.append(FieldError(f"ftp.{currency}", UNKNOWN_CURRENCY, {"code": currency}))
            continue
        errors += [FieldError(f"ftp.{currency}.{t}", UNKNOWN_CODE, {"code": t}) for t in rates if t not in terms]
        missing = [t for t in terms if t not in rates]
        if missing:
            errors.append(
                FieldError(f"ftp.{currency}", CURVE_INCOMPLETE, {"currency": currency, "missing": ", ".join(missing)})
            )
    for part, table in CODE_TABLES.items():
        known = {c.code for c in catalogue_service.code_table(db, table)}
        values: dict[str, int] = getattr(body, part)
        errors += [FieldError(f"{part}.{code}", UNKNOWN_CODE, {"code": code}) for code in values if code not in known]
    return errors


def _currencies(db: Session) -> list[str]:
    return [c.code for c in currency_service.listed(db, active_only=True)]


def submit(db: Session, principal: Principal, body: PricingProposal, *, today: date) -> PricingChange:
    """File a proposal (valid codes, a whole curve per currency, from a month's first day not in the past)."""
    _require(principal, PROPOSE, "propose a pricing change")
    errors = _check(db, body, today)
    if errors:
        raise ValidationFailed(errors=errors)
    proposal: dict[str, dict[str, object]] = {
        "ftp": dict(body.ftp),
        "provision": dict(body.provision),
        "service_product": dict(body.service_product),
        "service_txn": dict(body.service_txn),
    }
    change = PricingChange(
        status=PricingChangeStatus.SUBMITTED.value,
        effective_from=body.effective_from,
        proposal=json.dumps(proposal, sort_keys=True),
        reason=body.reason,
        maker_id=principal.user_id,
        maker_name=principal.username,
        submitted_at=utcnow(),
    )
    repository.add_change(db, change)
    audit_service.record(
        db,
        Actor.of(principal),
        "pricing_change.submit",
        entity_type="pricing_change",
        entity_id=change.id,
        changes=_diff(db, body.effective_from, proposal),
        detail=f"from {body.effective_from.isoformat()}; reason: {body.reason}",
    )
    return change


def _diff(db: Session, day: date, proposal: dict[str, dict[str, object]]) -> dict[str, list[object]]:
    """Each named figure: [in force on that day, proposed]."""
    now = in_force(db, day)
    rates = now.rates()
    out: dict[str, list[object]] = {}
    for currency, curve in proposal["ftp"].items():
        assert isinstance(curve, dict)
        for term, rate in curve.items():
            out[f"ftp.{currency}.{term}"] = [rates.get(currency, {}).get(term), rate]
    for part in CODE_TABLES:
        for code, value in proposal[part].items():
            out[f"{part}.{code}"] = [now.parameters.get(part, {}).get(code), value]
    return out


def get_change(db: Session, principal: Principal, change_id: int, *, lock: bool = False) -> PricingChange:
    """A change request, to those who may propose or approve (403, audited, to anyone else)."""
    if not (principal.can(PROPOSE) or principal.can(APPROVE)):
        raise Forbidden(audit=denied(principal, f"read pricing change {change_id}", APPROVE))
    change = repository.change(db, change_id, lock=lock)
    if change is None:
        raise NotFound(NOT_FOUND)
    return change


def recent(db: Session, principal: Principal) -> list[PricingChange]:
    """The newest change requests."""
    if not (principal.can(PROPOSE) or principal.can(APPROVE)):
        raise Forbidden(audit=denied(principal, "read pricing changes", PROPOSE))
    return list(repository.changes(db))


def decide(db: Session, principal: Principal, change_id: int, decision: Decision, *, today: date) -> PricingChange:
    """Approve (write the rows from its date) or reject (with a reason) a submitted change; never one's own."""
    change = get_change(db, principal, change_id, lock=True)  # two checkers at once: the second sees it decided
    _require(principal, APPROVE, f"decide pricing change {change_id}")
    if change.status != PricingChangeStatus.SUBMITTED:
        raise Conflict(DECIDED)
    if change.maker_id is not None and change.maker_id == principal.user_id:
        raise Forbidden(OWN_REQUEST, audit=denied(principal, f"decide own pricing change {change_id}", "maker-checker"))
    if not decision.approve and not decision.reason:
        raise ValidationFailed(errors=[FieldError("reason", REJECT_REASON)])
    proposal = json.loads(change.proposal)
    changes = None
    if decision.approve:
        if change.effective_from < month_start(today):
            raise Conflict(PASSED)
        changes = _diff(db, change.effective_from, proposal)
        _apply(db, change, proposal)
    wanted = PricingChangeStatus.APPROVED if decision.approve else PricingChangeStatus.REJECTED
    workflow_service.move(db, principal, WORKFLOW, change, wanted, decision.reason, refusal=DECIDED)
    change.checker_id, change.checker_name = principal.user_id, principal.username
    change.decision_reason, change.decided_at = decision.reason, utcnow()
    db.flush()
    audit_service.record(
        db,
        Actor.of(principal),
        "pricing_change.approve" if decision.approve else "pricing_change.reject",
        entity_type="pricing_change",
        entity_id=change.id,
        changes=changes,
        detail=f"from {change.effective_from.isoformat()}"
        + (f"; reason: {decision.reason}" if decision.reason else ""),
    )
    return change


def _apply(db: Session, change: PricingChange, proposal: dict[str, dict[str, object]]) -> None:
    day = change.effective_from
    # A term's bound is the same in every currency (the rows shipped with the curve carry it).
    bounds = {r.term_code: r.max_term_months for r in repository.ftp_rows(db)}
    ftp = [
        {
            "currency": currency,
            "term_code": term,
            "effective_from": day,
            "max_term_months": bounds.get(term),
            "rate_bp": rate,
            "change_id": change.id,
        }
        for currency, curve in proposal["ftp"].items()
        for term, rate in dict(curve).items()  # type: ignore[call-overload]
    ]
    params = [
        {"kind": part, "code": code, "effective_from": day, "value": value, "change_id": change.id}
        for part in CODE_TABLES
        for code, value in proposal[part].items()
    ]
    repository.replace_pricing(db, day, ftp, params)
    db.flush()


def as_read(change: PricingChange) -> PricingChangeRead:
    """The API's shape of a change."""
    return PricingChangeRead(
        id=change.id,
        status=PricingChangeStatus(change.status),
        effective_from=change.effective_from,
        reason=change.reason,
        proposal=json.loads(change.proposal),
        maker_name=change.maker_name,
        checker_name=change.checker_name,
        decision_reason=change.decision_reason,
        submitted_at=change.submitted_at,
        decided_at=change.decided_at,
    )


def history_dates(db: Session) -> list[date]:
    """Every date a pricing took effect, newest first."""
    return effective_dates(db)
