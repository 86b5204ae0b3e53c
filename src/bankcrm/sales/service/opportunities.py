"""Opportunities: open one, move it through the stages (history kept), close it won or lost, list and board it.

``open_for_lead`` is the entry the leads module calls when a lead converts.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from bankcrm.access.principal import Actor, Principal
from bankcrm.audit import service as audit_service
from bankcrm.catalogue import service as catalogue_service
from bankcrm.customers.service import reads as customer_reads
from bankcrm.errors import Conflict, FieldError, NotFound, ValidationFailed
from bankcrm.kit.i18n import N_
from bankcrm.kit.listing import SortSpec
from bankcrm.kit.pagination import PageRequest
from bankcrm.kit.time import utcnow
from bankcrm.models.access import User
from bankcrm.models.customer import Customer
from bankcrm.models.sales import Opportunity, OpportunityStageHistory
from bankcrm.sales import catalogue, repository
from bankcrm.sales.schemas import Board, BoardColumn, OpportunityCreate, OpportunityDetail, OpportunityPage, StageMove
from bankcrm.sales.service.reads import detail, in_scope, to_read, weighted

NO_CUSTOMER = N_("No customer in your scope has this CIF number.")
NO_PRODUCT = N_("No product has this code.")
NO_STAGE = N_("No stage has this code.")
NO_CODE = N_("Choose one of the listed values.")
REQUIRED = N_("Required when the opportunity is lost.")
CLOSED = N_("This opportunity is closed; it cannot change stage.")
NOTHING_PROPOSED = N_("Nothing has been proposed for this opportunity.")
BOARD_CARDS = 20


def _check_codes(db: Session, pairs: list[tuple[str, str | None, str]]) -> list[FieldError]:
    """(field, value, code table) → errors for values not in their table."""
    errors = []
    for field, value, table in pairs:
        if value is not None and value not in catalogue_service.labels_of(db, table, "en"):
            errors.append(FieldError(field, NO_CODE))
    return errors


def _history(db: Session, row: Opportunity, before: str | None, by: int | None, note: str | None) -> None:
    repository.add(
        db,
        OpportunityStageHistory(
            opportunity_id=row.id, from_stage=before, to_stage=row.stage, changed_by=by, changed_at=utcnow(), note=note
        ),
    )


def _counted(row: Opportunity, sign: int) -> tuple[repository.TotalKey, int, int, int]:
    """The row's share of the running totals, added (1) or taken away (-1)."""
    return (row.unit_id, row.owner_id, row.stage), sign, sign * row.amount, sign * row.amount * row.probability_pct


def _open(
    db: Session,
    actor: Actor,
    owner_id: int,
    customer: Customer,
    product_code: str,
    amount: int,
    expected_close: date,
    *,
    stage: str | None = None,
    probability_pct: int | None = None,
    note: str | None = None,
    lead_id: int | None = None,
) -> Opportunity:
    first = catalogue.stage_map()[stage or catalogue.open_codes()[0]]
    now = utcnow()
    row = Opportunity(
        customer_id=customer.id,
        product_code=product_code,
        amount=amount,
        stage=first.code,
        probability_pct=first.probability_pct if probability_pct is None else probability_pct,
        expected_close=expected_close,
        owner_id=owner_id,
        unit_id=customer.home_unit_id,
        lead_id=lead_id,
        note=note,
        stage_since=now,
        created_by=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    repository.add(db, row)
    repository.shift_totals(db, [_counted(row, 1)])
    _history(db, row, None, actor.user_id, None)
    changes = {"cif_no": [None, customer.cif_no], "product_code": [None, product_code], "amount": [None, amount]}
    audit_service.record(db, actor, "opportunity.create", entity_type="opportunity", entity_id=row.id, changes=changes)
    return row


def create(db: Session, principal: Principal, body: OpportunityCreate, locale: str) -> OpportunityDetail:
    """Open an opportunity for a customer in scope, owned by the caller; bad codes are 422 naming the field."""
    errors: list[FieldError] = []
    try:
        customer: Customer | None = customer_reads.get_customer(db, principal, "".join(body.cif_no.split()))
    except NotFound:
        customer = None
        errors.append(FieldError("cif_no", NO_CUSTOMER))
    if repository.product(db, body.product_code) is None:
        errors.append(FieldError("product_code", NO_PRODUCT))
    if body.stage is not None and body.stage not in catalogue.open_codes():
        errors.append(FieldError("stage", NO_STAGE))
    if errors or customer is None or principal.user_id is None:
        raise ValidationFailed(errors=errors)
    row = _open(
        db,
        Actor.of(principal),
        principal.user_id,
        customer,
        body.product_code,
        body.amount,
        body.expected_close,
        stage=body.stage,
        probability_pct=body.probability_pct,
        note=body.note,
        lead_id=body.lead_id,
    )
    return detail(db, principal, row.id, locale)


def open_for_lead(
    db: Session,
    principal_or_user: Principal | User,
    customer_id: int,
    product_code: str,
    amount: int,
    lead_id: int,
    *,
    expected_close: date | None = None,
) -> Opportunity:
    """The opportunity a converted lead opens, owned by the lead's manager (the user or principal given), in the
    first open stage, expected to close in 90 days unless told; flushed, not committed (the caller's boundary)."""
    if isinstance(principal_or_user, User):
        owner_id, actor = principal_or_user.id, Actor(principal_or_user.id, principal_or_user.username)
    else:
        if principal_or_user.user_id is None:
            raise ValueError("a lead's opportunity needs an owner")
        owner_id, actor = principal_or_user.user_id, Actor.of(principal_or_user)
    customer = repository.customers(db, {customer_id}).get(customer_id)
    if customer is None:
        raise NotFound(NO_CUSTOMER)
    if repository.product(db, product_code) is None:
        raise ValidationFailed(errors=[FieldError("product_code", NO_PRODUCT)])
    close = expected_close or date.fromordinal(utcnow().date().toordinal() + 90)
    return _open(db, actor, owner_id, customer, product_code, amount, close, lead_id=lead_id)


def move(
    db: Session, principal: Principal, opportunity_id: int, body: StageMove, *, today: date, locale: str
) -> OpportunityDetail:
    """Move an opportunity in scope to a stage (history and audit); lost needs a reason and a competitor."""
    row = in_scope(db, principal, opportunity_id, lock=True)
    stages = catalogue.stage_map()
    target = stages.get(body.stage)
    errors: list[FieldError] = []
    if target is None:
        errors.append(FieldError("stage", NO_STAGE))
    elif target.outcome == catalogue.LOST:
        errors += [FieldError(f, REQUIRED) for f in ("lost_reason", "competitor") if getattr(body, f) is None]
    errors += _check_codes(
        db,
        [("lost_reason", body.lost_reason, "opportunity_loss_reason"), ("competitor", body.competitor, "competitor")],
    )
    if errors or target is None:
        raise ValidationFailed(errors=errors)
    if stages[row.stage].outcome != catalogue.OPEN:
        raise Conflict(CLOSED)
    before = {"stage": row.stage, "probability_pct": row.probability_pct}
    if row.stage != target.code:
        row.stage_since = utcnow()
    old = row.stage
    was = _counted(row, -1)
    row.stage = target.code
    row.probability_pct = target.probability_pct if body.probability_pct is None else body.probability_pct
    if body.expected_close is not None:
        row.expected_close = body.expected_close
    if target.outcome == catalogue.LOST:
        row.lost_reason, row.competitor, row.closed_on = body.lost_reason, body.competitor, today
    elif target.outcome == catalogue.WON:
        row.won_amount = body.won_amount or row.proposed_amount or row.amount
        row.closed_on = today
    row.updated_at = utcnow()
    db.flush()
    repository.shift_totals(db, [was, _counted(row, 1)])
    _history(db, row, old, principal.user_id, body.note)
    changes = {k: [v, getattr(row, k)] for k, v in before.items() if getattr(row, k) != v}
    audit_service.record(
        db, Actor.of(principal), "opportunity.stage", entity_type="opportunity", entity_id=row.id, changes=changes
    )
    return detail(db, principal, row.id, locale)


def confirm_win(
    db: Session, principal: Principal, opportunity_id: int, *, today: date, locale: str
) -> OpportunityDetail:
    """The owner (or a manager in scope) confirms the win the holdings proposed, with the actual amount."""
    row = in_scope(db, principal, opportunity_id)
    if row.proposed_amount is None:
        raise Conflict(NOTHING_PROPOSED)
    result = move(
        db,
        principal,
        opportunity_id,
        StageMove(stage=catalogue.won_code(), won_amount=max(row.proposed_amount, 1)),
        today=today,
        locale=locale,
    )
    audit_service.record(
        db, Actor.of(principal), "opportunity.win_confirmed", entity_type="opportunity", entity_id=row.id
    )
    return result


def listing(
    db: Session, principal: Principal, filters: dict[str, Any], sort: SortSpec, page: PageRequest, locale: str
) -> OpportunityPage:
    """One page of opportunities in scope matching the filters (``open``: only the open stages)."""
    f = dict(filters)
    if f.get("stage") is not None and f["stage"] not in catalogue.stage_map():
        raise ValidationFailed(errors=[FieldError("stage", NO_STAGE)])
    if f.pop("open", None):
        f["stages"] = catalogue.open_codes()
    rows, total, capped = repository.opportunities(db, principal, f, sort, page)
    items = to_read(db, principal, rows, locale)
    return OpportunityPage(items=items, total=total, page=page.page, size=page.size, capped=capped)


def board(db: Session, principal: Principal, owner_id: int | None, locale: str) -> Board:
    """Every stage with its count, amount and weighted amount, and its first cards; the weighted pipeline."""
    filters: dict[str, Any] = {"owner": owner_id}
    totals = repository.stage_totals(db, principal, owner_id=owner_id)
    shown = [stage.code for stage in catalogue.stages() if totals.get(stage.code, (0, 0, 0))[0]]
    picked = repository.first_cards(db, principal, filters, shown, BOARD_CARDS)
    every = [row for rows in picked.values() for row in rows]
    cards = dict(zip([r.id for r in every], to_read(db, principal, every, locale), strict=True))  # one read for all
    columns = []
    for stage in catalogue.stages():
        n, amount, w100 = totals.get(stage.code, (0, 0, 0))
        columns.append(
            BoardColumn(
                stage=stage.code,
                label=stage.label(locale),
                outcome=stage.outcome,
                probability_pct=stage.probability_pct,
                count=n,
                amount=amount,
                weighted=(w100 + 50) // 100,
                cards=[cards[r.id] for r in picked.get(stage.code, [])],
            )
        )
    opened = [c for c in columns if c.outcome == catalogue.OPEN]
    return Board(
        columns=columns,
        pipeline_amount=sum(c.amount for c in opened),
        weighted_pipeline=sum(c.weighted for c in opened),
    )


__all__ = ["board", "confirm_win", "create", "listing", "move", "open_for_lead", "weighted"]
