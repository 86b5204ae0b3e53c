"""The review queue: possible duplicates and delivered records side by side, and the reviewer's decisions.

A reviewer sees a review only when both customers lie inside their data scope; any other review is a
404, audited like every out-of-scope read. Decisions move the review through the ``match_review``
workflow (the catalogue says who may make which move): ``distinct`` is remembered for the pair, ``merge``
waits for a second person with ``match.approve``, whose approval performs it (service.merging).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from bankcrm.access.principal import Actor, Principal
from bankcrm.access.service.scope_audit import out_of_scope
from bankcrm.audit import service as audit_service
from bankcrm.customers.service import merging as customer_merging
from bankcrm.customers.service.labelling import labeller
from bankcrm.customers.service.names import display_name
from bankcrm.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from bankcrm.kit.crypto import FieldCipher
from bankcrm.kit.i18n import N_
from bankcrm.kit.listing import SortSpec
from bankcrm.kit.pagination import Page, PageRequest
from bankcrm.kit.time import utcnow
from bankcrm.matching.repository import reviews as repository
from bankcrm.matching.schemas import (
    ComparedField,
    MatchDecision,
    MatchReviewDetail,
    MatchReviewRead,
    ReviewCustomer,
)
from bankcrm.matching.service import merging
from bankcrm.models.customer import Customer
from bankcrm.models.matching import MatchReview, MatchReviewKind, MatchReviewStatus
from bankcrm.workflow import service as workflow_service

WORKFLOW = "match_review"
ALREADY_DECIDED = N_("This review has already been decided.")
NOT_FOUND = N_("Match review not found.")
# The scorer's names for delivered columns → the customer field they are shown beside.
COMPARED_AS = {
    "mobile": "phones",
    "phone_home": "phones",
    "phone_work": "phones",
    "phone": "phones",
    "email": "emails",
    "address": "addresses",
    "registered_address": "registered_address",
}


def get_review(db: Session, principal: Principal, review_id: int) -> MatchReview:
    """A review whose customers the principal may read, or 404 (an existing one out of scope is audited)."""
    review = repository.review_in_scope(db, principal, review_id)
    if review is None:
        exists = repository.review(db, review_id) is not None
        raise NotFound(NOT_FOUND, audit=out_of_scope(principal, "match_review", review_id, exists))
    return review


def status_labels(db: Session, locale: str) -> dict[str, str]:
    """The review states' labels in the reader's language, in display order."""
    return workflow_service.labels(db, WORKFLOW, locale)


def queue(
    db: Session,
    principal: Principal,
    page: PageRequest,
    sort: SortSpec,
    *,
    status: str | None = None,
    kind: str | None = None,
) -> tuple[Page[MatchReview], list[MatchReviewRead]]:
    """The reviews in scope, most probable first by default."""
    result = repository.reviews(db, principal, page, status=status, kind=kind, sort=sort)
    return result, [read(db, principal, r) for r in result.items]


def _side(principal: Principal, customer: Customer) -> ReviewCustomer:
    return ReviewCustomer(
        cif_no=customer.cif_no,
        kind=customer.kind,
        status=customer.status,
        name=display_name(principal, customer),
        id_no=customer.id_no_masked,
        uscc=customer.uscc,
        home_unit=customer.home_unit.code,
    )


def _customers(db: Session, review: MatchReview) -> tuple[Customer, Customer | None]:
    first = customer_merging.customer_by_id(db, review.customer_id)
    assert first is not None  # a foreign key
    other = customer_merging.customer_by_id(db, review.other_customer_id) if review.other_customer_id else None
    return first, other


def read(db: Session, principal: Principal, review: MatchReview) -> MatchReviewRead:
    """A review as the queue lists it (names and IDs masked as everywhere)."""
    first, other = _customers(db, review)
    source = merging.source_record(db, review.source_record_id) if review.source_record_id else None
    return MatchReviewRead(
        id=review.id,
        kind=review.kind,
        status=review.status,
        probability=review.probability,
        customer=_side(principal, first),
        other=_side(principal, other) if other is not None else None,
        source=source.source if source else None,
        source_customer_id=source.source_customer_id if source else None,
        merge_id=review.merge_id,
        maker_id=review.maker_id,
        checker_id=review.checker_id,
        created_at=review.created_at,
        decided_at=review.decided_at,
    )


def comparisons(review: MatchReview) -> dict[str, tuple[str | None, float | None]]:
    """field → (comparison level, weight) from the scorer's JSON (either ``{"level", "weight"}`` or a level)."""
    try:
        raw: Any = json.loads(review.comparisons or "{}")
    except ValueError:
        return {}
    out: dict[str, tuple[str | None, float | None]] = {}
    for name, value in raw.items() if isinstance(raw, dict) else []:
        field = COMPARED_AS.get(str(name), str(name))
        if isinstance(value, dict):
            level = value.get("level", value.get("label"))
            weight = value.get("weight")
            out[field] = (None if level is None else str(level), float(weight) if weight is not None else None)
        else:
            out[field] = (None if value is None else str(value), None)
    return out


def detail(db: Session, principal: Principal, review_id: int, locale: str) -> MatchReviewDetail:
    """The review with every field of both customers side by side, labelled in the reader's language."""
    review = get_review(db, principal, review_id)
    base = read(db, principal, review)
    first, other = _customers(db, review)
    lab = labeller(db, locale)
    left = customer_merging.shown_values(db, principal, first)
    right = customer_merging.shown_values(db, principal, other) if other is not None else {}
    compared = comparisons(review)
    names = list(customer_merging.FIELDS[first.kind])
    names += [f for f in compared if f not in names]
    fields = [
        ComparedField(
            field=f,
            label=lab.field(f),
            value=lab.value(f, left.get(f)),
            other_value=lab.value(f, right.get(f)),
            level=compared.get(f, (None, None))[0],
            weight=compared.get(f, (None, None))[1],
        )
        for f in names
    ]
    payload = json.loads(review.decision_payload) if review.decision_payload else {}
    moves = sorted(workflow_service.moves_open_to(db, principal, WORKFLOW, review.status))
    return MatchReviewDetail(
        **base.model_dump(),
        fields=fields,
        survivor=payload.get("survivor"),
        choices=payload.get("fields", {}),
        moves=moves,
    )


def decide(
    db: Session, principal: Principal, cipher: FieldCipher, review_id: int, decision: MatchDecision, timezone: str
) -> MatchReview:
    """Apply one decision to a review in scope; see ``MatchDecision``. The boundary commits."""
    review = get_review(db, principal, review_id)
    repository.lock(db, review)
    handler = {
        "distinct": _distinct,
        "link": _link,
        "merge": _propose,
        "approve": _approve,
        "reject": _reject,
    }[decision.decision]
    handler(db, principal, cipher, review, decision, timezone)
    db.flush()
    return review


def _move(db: Session, principal: Principal, review: MatchReview, to: str, reason: str | None = None) -> None:
    workflow_service.move(db, principal, WORKFLOW, review, to, reason, refusal=ALREADY_DECIDED)


def _audit(db: Session, principal: Principal, action: str, review: MatchReview, detail: str) -> None:
    audit_service.record(
        db, Actor.of(principal), action, entity_type="match_review", entity_id=review.id, detail=detail
    )


def _pair(db: Session, review: MatchReview) -> str:
    first, other = _customers(db, review)
    return f"{first.cif_no} / {other.cif_no if other else review.source_record_id}"


def _distinct(
    db: Session, principal: Principal, cipher: FieldCipher, review: MatchReview, d: MatchDecision, tz: str
) -> None:
    _move(db, principal, review, MatchReviewStatus.DISTINCT, d.reason)
    review.maker_id, review.decided_at = principal.user_id, utcnow()
    if review.other_customer_id is not None and not repository.distinct(
        db, review.customer_id, review.other_customer_id
    ):
        repository.add_distinct(db, review.customer_id, review.other_customer_id, principal.user_id)
    _audit(db, principal, "match.distinct", review, _pair(db, review))


def _link(
    db: Session, principal: Principal, cipher: FieldCipher, review: MatchReview, d: MatchDecision, tz: str
) -> None:
    if review.kind != MatchReviewKind.ARRIVAL or review.source_record_id is None:
        raise Conflict(N_("Only a delivered record can be linked to a customer; merge two customers instead."))
    _move(db, principal, review, MatchReviewStatus.LINKED, d.reason)
    review.maker_id, review.decided_at = principal.user_id, utcnow()
    merging.link_source(db, review.source_record_id, review.customer_id, review.probability)
    _audit(db, principal, "match.link", review, _pair(db, review))


def _propose(
    db: Session, principal: Principal, cipher: FieldCipher, review: MatchReview, d: MatchDecision, tz: str
) -> None:
    if review.kind != MatchReviewKind.DUPLICATE or review.other_customer_id is None:
        raise Conflict(N_("Only two customers on file can be merged; link the delivered record instead."))
    first, other = _customers(db, review)
    assert other is not None
    errors: list[FieldError] = []
    if first.kind != other.kind:
        raise Conflict(N_("An individual and a corporate customer cannot be merged."))
    if d.survivor not in (first.cif_no, other.cif_no):
        errors.append(FieldError("survivor", N_("Choose one of the two customers to keep.")))
    allowed = set(customer_merging.FIELDS[first.kind])
    errors += [
        FieldError(f"fields.{f}", N_("Not a field of this customer.")) for f in sorted(d.fields) if f not in allowed
    ]
    if errors:
        raise ValidationFailed(errors=errors)
    _move(db, principal, review, MatchReviewStatus.MERGE_PENDING, d.reason)
    review.maker_id, review.checker_id, review.decided_at = principal.user_id, None, None
    review.decision_payload = json.dumps({"survivor": d.survivor, "fields": dict(sorted(d.fields.items()))})
    _audit(db, principal, "match.merge.propose", review, f"{_pair(db, review)}; survivor {d.survivor}")


def _checker(principal: Principal, review: MatchReview) -> None:
    if review.status != MatchReviewStatus.MERGE_PENDING:
        raise Conflict(ALREADY_DECIDED)
    if review.maker_id is not None and review.maker_id == principal.user_id:
        raise Forbidden(N_("You cannot approve or reject a merge you proposed."))


def _approve(
    db: Session, principal: Principal, cipher: FieldCipher, review: MatchReview, d: MatchDecision, tz: str
) -> None:
    _checker(principal, review)
    _move(db, principal, review, MatchReviewStatus.MERGED, d.reason)
    review.checker_id, review.decided_at = principal.user_id, utcnow()
    payload = json.loads(review.decision_payload or "{}")
    merge = merging.merge(db, principal, cipher, review, payload["survivor"], payload.get("fields", {}), tz)
    review.merge_id = merge.id
    _audit(db, principal, "match.merge.approve", review, f"{_pair(db, review)}; merge {merge.id}")


def _reject(
    db: Session, principal: Principal, cipher: FieldCipher, review: MatchReview, d: MatchDecision, tz: str
) -> None:
    _checker(principal, review)
    _move(db, principal, review, MatchReviewStatus.OPEN, d.reason)
    review.checker_id, review.decided_at = principal.user_id, utcnow()
    detail = _pair(db, review) + (f"; reason: {d.reason}" if d.reason else "")
    _audit(db, principal, "match.merge.reject", review, detail)


def merged_cif(db: Session, principal: Principal, review_id: int) -> str:
    """The CIF number a review in scope merged away (for undoing its merge)."""
    review = get_review(db, principal, review_id)
    record = repository.merge_of(db, review.merge_id) if review.merge_id else None
    if record is None or review.status != MatchReviewStatus.MERGED:
        raise Conflict(N_("This review has no merge to undo."))
    return record.merged_cif_no
