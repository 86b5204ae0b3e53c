"""Maker-checker for account managers: file a change or a transfer, approve (apply) or reject it.

A request is decided by a checker whose unit covers every customer in it and every manager it names
(the request's unit is the smallest unit covering them all), never by its maker. Approval applies the
change as of that day: rows no longer wanted end (valid_to = today), new rows start today, and
``customer.account_manager_id`` follows the primary in the same transaction.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from bankcrm.access.principal import Actor, Principal
from bankcrm.access.service import units as unit_service
from bankcrm.access.service.scope_audit import denied, out_of_scope
from bankcrm.assignments import repository
from bankcrm.assignments.schemas import ChangeCreate, Decision, TransferCreate
from bankcrm.assignments.service.slots import (
    NOT_A_MANAGER,
    PRIMARY,
    Slot,
    check_set,
    describe,
    effective,
    from_json,
    hand_over,
    ordered,
    to_json,
)
from bankcrm.audit import service as audit_service
from bankcrm.customers.service import reads as customer_reads
from bankcrm.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from bankcrm.kit.i18n import N_
from bankcrm.kit.listing import SortSpec
from bankcrm.kit.pagination import Page, PageRequest
from bankcrm.kit.time import utcnow
from bankcrm.models.assignment import (
    AssignmentRequest,
    AssignmentRequestItem,
    AssignmentRequestStatus,
    ManagerAssignment,
)
from bankcrm.models.customer import Customer
from bankcrm.workflow import service as workflow_service

WORKFLOW = "assignment_request"

MAX_CUSTOMERS = 1_000

REASON_REQUIRED = N_("Give a reason for the change.")
NO_CHANGE = N_("This is already how the customer is managed.")
PENDING = N_("Customer %(cif_no)s already has a manager change waiting for approval (request #%(request)s).")
SAME_MANAGER = N_("Choose a different manager to hand over to.")
UNKNOWN_MANAGER = N_("No such manager.")
NOT_YOURS = N_("No customer %(cif_no)s among your customers.")
NOT_MANAGED = N_("Customer %(cif_no)s is not managed by the manager handing over.")
NONE_TO_MOVE = N_("This manager has no customers in your part of the bank.")
TOO_MANY = N_("At most %(max)s customers per request; choose them.")
NOT_FOUND = N_("Assignment request not found.")
DECIDED = N_("This request has already been decided.")
OWN_REQUEST = N_("You cannot approve or reject your own request.")
REJECT_REASON = N_("Give a reason for the rejection.")
CHANGED_SINCE = N_(
    "The managers of customer %(cif_no)s have changed since this request was submitted; reject it and file a new one."
)
MANAGER_GONE = N_("%(name)s is no longer an active account manager; reject this request.")


def status_labels(db: Session, locale: str) -> dict[str, str]:
    """Request statuses' labels in the reader's language, in the workflow's display order."""
    return workflow_service.labels(db, WORKFLOW, locale)


def can_decide(db: Session, principal: Principal, status: str) -> bool:
    """Whether the catalogue lets the principal move a request in ``status`` anywhere (the decision form)."""
    return bool(workflow_service.moves_open_to(db, principal, WORKFLOW, status))


def _require(principal: Principal, permission: str, what: str) -> None:
    if not principal.can(permission):
        raise Forbidden(audit=denied(principal, what, permission))


def _reason(text: str, errors: list[FieldError]) -> str:
    if not text.strip():
        errors.append(FieldError("reason", REASON_REQUIRED))
    return text.strip()


def submit_change(
    db: Session, principal: Principal, cif_no: str, body: ChangeCreate, *, today: date
) -> AssignmentRequest:
    """File a new set of managers for one customer in scope (one primary, shares summing to 100 %)."""
    _require(principal, "assignment.request", f"request manager change of {cif_no}")
    customer = customer_reads.get_customer(db, principal, cif_no)
    errors: list[FieldError] = []
    reason = _reason(body.reason, errors)
    after, problems = check_set(db, body.managers)
    errors += problems
    if errors:
        raise ValidationFailed(errors=errors)
    before, _ = effective(customer, repository.holding(db, {customer.id}, today)[customer.id])
    if before == after:
        raise ValidationFailed(errors=[FieldError("managers", NO_CHANGE)])
    _refuse_pending(db, [customer], "cif_no")
    return _file(db, principal, "change", reason, [(customer, before, after)], None, None)


def submit_transfer(db: Session, principal: Principal, body: TransferCreate, *, today: date) -> AssignmentRequest:
    """File the hand-over of every role of one manager to another, on chosen customers or all of them in scope."""
    _require(principal, "assignment.request", "request manager transfer")
    errors: list[FieldError] = []
    reason = _reason(body.reason, errors)
    names = repository.users_by_id(db, {body.from_manager_id})
    if body.from_manager_id not in names:
        errors.append(FieldError("from_manager_id", UNKNOWN_MANAGER))
    if body.to_manager_id == body.from_manager_id:
        errors.append(FieldError("to_manager_id", SAME_MANAGER))
    elif not repository.is_account_manager(db, body.to_manager_id):
        errors.append(FieldError("to_manager_id", NOT_A_MANAGER))
    if errors:
        raise ValidationFailed(errors=errors)
    customers = _customers_to_move(db, principal, body, today, errors)
    if errors:
        raise ValidationFailed(errors=errors)
    holding = repository.holding(db, {c.id for c in customers}, today)
    items = []
    for customer in customers:
        before, _ = effective(customer, holding[customer.id])
        if all(s.manager_id != body.from_manager_id for s in before):
            errors.append(FieldError("cif_nos", NOT_MANAGED, {"cif_no": customer.cif_no}))
        items.append((customer, before, hand_over(before, body.from_manager_id, body.to_manager_id)))
    if errors:
        raise ValidationFailed(errors=errors)
    _refuse_pending(db, customers, "cif_nos")
    return _file(db, principal, "transfer", reason, items, body.from_manager_id, body.to_manager_id)


def _customers_to_move(
    db: Session, principal: Principal, body: TransferCreate, today: date, errors: list[FieldError]
) -> list[Customer]:
    """The customers named (each must be in scope), or every customer of the giving manager in scope."""
    wanted = list(dict.fromkeys("".join(c.split()) for c in body.cif_nos or [] if c.strip()))
    if wanted:
        found = repository.customers_by_cif(db, principal, wanted)
        errors += [FieldError("cif_nos", NOT_YOURS, {"cif_no": c}) for c in wanted if c not in found]
        return [found[c] for c in wanted if c in found]
    customers = repository.customers_of_manager(db, principal, body.from_manager_id, today, MAX_CUSTOMERS + 1)
    if not customers:
        errors.append(FieldError("from_manager_id", NONE_TO_MOVE))
    elif len(customers) > MAX_CUSTOMERS:
        errors.append(FieldError("cif_nos", TOO_MANY, {"max": MAX_CUSTOMERS}))
    return customers


def _refuse_pending(db: Session, customers: list[Customer], field: str) -> None:
    repository.lock_customers(db, {c.id for c in customers})
    pending = repository.pending_for(db, {c.id for c in customers})
    if pending:
        raise Conflict(
            errors=[
                FieldError(field, PENDING, {"cif_no": c.cif_no, "request": pending[c.id]})
                for c in customers
                if c.id in pending
            ]
        )


def _common_unit(paths: list[str]) -> int:
    """The id of the deepest unit whose subtree holds every path (a unit's path ends in its own id)."""
    parts = [p.strip("/").split("/") for p in paths]
    common = []
    for level in zip(*parts, strict=False):
        if len(set(level)) != 1:
            break
        common.append(level[0])
    return int(common[-1])


def _file(
    db: Session,
    principal: Principal,
    kind: str,
    reason: str,
    items: list[tuple[Customer, list[Slot], list[Slot]]],
    from_id: int | None,
    to_id: int | None,
) -> AssignmentRequest:
    managers = repository.users_by_id(db, {s.manager_id for _, b, a in items for s in (*b, *a)})
    named = {s.manager_id for _, _, a in items for s in a}
    paths = [c.home_unit.path for c, _, _ in items] + [managers[m].org_unit.path for m in named]
    request = AssignmentRequest(
        kind=kind,
        status=AssignmentRequestStatus.SUBMITTED.value,
        reason=reason,
        from_manager_id=from_id,
        to_manager_id=to_id,
        unit_id=_common_unit(paths),
        customer_count=len(items),
        maker_id=principal.user_id,
        maker_name=principal.username,
        submitted_at=utcnow(),
    )
    repository.add(db, request)
    repository.add(
        db,
        *[
            AssignmentRequestItem(request_id=request.id, customer_id=c.id, before=to_json(b), after=to_json(a))
            for c, b, a in items
        ],
    )
    db.refresh(request)
    names = {i: u.username for i, u in managers.items()}
    audit_service.record(
        db,
        Actor.of(principal),
        "assignment_request.submit",
        entity_type="assignment_request",
        entity_id=request.id,
        changes={c.cif_no: [describe(b, names), describe(a, names)] for c, b, a in items},
        detail=f"{kind}; reason: {reason}",
    )
    return request


def get_request(db: Session, principal: Principal, request_id: int, *, lock: bool = False) -> AssignmentRequest:
    """A request the principal may see: their own, or one a checker's unit covers (else 404, audited)."""
    request = repository.request(db, request_id, lock=lock)
    if request is None or not (
        (request.maker_id is not None and request.maker_id == principal.user_id)
        or (principal.can("assignment.approve") and unit_service.covers(principal, request.unit))
    ):
        raise NotFound(NOT_FOUND, audit=out_of_scope(principal, "assignment_request", request_id, request is not None))
    return request


def inbox(
    db: Session, principal: Principal, page: PageRequest, status: str | None, sort: SortSpec | None = None
) -> Page[AssignmentRequest]:
    """Checkers: requests their unit covers, and their own; makers: their own; newest first by default."""
    own = principal.user_id if principal.user_id is not None else None
    if principal.can("assignment.approve"):
        unit_path = "/" if principal.is_system or principal.data_scope == "all" else principal.unit_path
        return repository.requests(db, page, unit_path=unit_path, status=status, maker_id=own, sort=sort)
    maker = own if own is not None else -1
    return repository.requests(db, page, unit_path=None, status=status, maker_id=maker, sort=sort)


def decide(db: Session, principal: Principal, request_id: int, decision: Decision, *, today: date) -> AssignmentRequest:
    """Approve (apply as of today) or reject (with a reason) a submitted request; never one's own."""
    request = get_request(db, principal, request_id, lock=True)  # two checkers at once: the second sees it decided
    _require(principal, "assignment.approve", f"decide assignment request {request_id}")
    if request.status != AssignmentRequestStatus.SUBMITTED:
        raise Conflict(DECIDED)
    if request.maker_id is not None and request.maker_id == principal.user_id:
        raise Forbidden(OWN_REQUEST)
    if not decision.approve and not decision.reason:
        raise ValidationFailed(errors=[FieldError("reason", REJECT_REASON)])
    customers = repository.customers_by_id(db, {i.customer_id for i in request.items})
    managers = repository.users_by_id(db, {s.manager_id for i in request.items for s in from_json(i.after)})
    changes: dict[str, list[str]] = {}
    if decision.approve:
        holding = repository.holding(db, set(customers), today)
        for manager in managers.values():
            if not repository.is_account_manager(db, manager.id):
                raise Conflict(MANAGER_GONE, params={"name": manager.display_name})
        names = {i: u.username for i, u in managers.items()}
        for item in request.items:
            customer = customers[item.customer_id]
            now, _ = effective(customer, holding[customer.id])
            if now != from_json(item.before):
                raise Conflict(CHANGED_SINCE, params={"cif_no": customer.cif_no})
            after = from_json(item.after)
            _apply(db, principal, request, customer, holding[customer.id], after, today)
            changes[customer.cif_no] = [describe(now, names | _names(db, now)), describe(after, names)]
    wanted = AssignmentRequestStatus.APPROVED if decision.approve else AssignmentRequestStatus.REJECTED
    workflow_service.move(db, principal, WORKFLOW, request, wanted, decision.reason, refusal=DECIDED)
    request.checker_id, request.checker_name = principal.user_id, principal.username
    request.decision_reason, request.decided_at = decision.reason, utcnow()
    db.flush()
    audit_service.record(
        db,
        Actor.of(principal),
        "assignment_request.approve" if decision.approve else "assignment_request.reject",
        entity_type="assignment_request",
        entity_id=request.id,
        changes=changes or None,
        detail=f"{request.kind}, {request.customer_count} customer(s)"
        + (f"; reason: {decision.reason}" if decision.reason else ""),
    )
    return request


def _names(db: Session, slots: list[Slot]) -> dict[int, str]:
    return {i: u.username for i, u in repository.users_by_id(db, {s.manager_id for s in slots}).items()}


def _apply(
    db: Session,
    principal: Principal,
    request: AssignmentRequest,
    customer: Customer,
    rows: list[ManagerAssignment],
    after: list[Slot],
    today: date,
) -> None:
    """End the rows no longer wanted, open the new ones, point the customer record at the primary."""
    wanted = set(after)
    for row in rows:
        slot = Slot(row.manager_id, row.role, row.share_bp)
        if slot in wanted:
            wanted.discard(slot)  # unchanged: the row simply goes on
        else:
            row.valid_to, row.ended_request_id = today, request.id
    repository.add(
        db,
        *[
            ManagerAssignment(
                customer_id=customer.id,
                manager_id=s.manager_id,
                role=s.role,
                share_bp=s.share_bp,
                valid_from=today,
                request_id=request.id,
                created_by=principal.user_id,
                created_at=utcnow(),
            )
            for s in ordered(wanted)
        ],
    )
    primary = next(s.manager_id for s in after if s.role == PRIMARY)
    if customer.account_manager_id != primary:
        customer.account_manager_id = primary
        customer.updated_at = utcnow()
    db.flush()
