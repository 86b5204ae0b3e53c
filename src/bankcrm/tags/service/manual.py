"""A customer's tags: read on the 360° view, applied and removed by hand with the tag's permission, audited."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from bankcrm.access.principal import Actor, Principal
from bankcrm.access.service import users as user_service
from bankcrm.access.service.scope_audit import denied
from bankcrm.audit import service as audit_service
from bankcrm.customers.service import reads as customer_reads
from bankcrm.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from bankcrm.kit.i18n import N_, label
from bankcrm.kit.time import utcnow
from bankcrm.models.tag import CustomerTag, Tag
from bankcrm.tags import repository
from bankcrm.tags.schemas import CustomerTagRead, TagApply

NO_TAG = N_("No tag has this code.")
NOT_MANUAL = N_("This tag is set by a rule or a file, not by hand.")
INACTIVE = N_("This tag is no longer in use.")
ALREADY = N_("The customer carries this tag already.")
NOT_CARRIED = N_("The customer does not carry this tag.")
EXPIRY_PAST = N_("The expiry date must be after today.")
DEFAULT_PERMISSION = "tag.apply"


def permission_of(tag: Tag) -> str:
    """The permission applying or removing the tag by hand needs."""
    return tag.permission or DEFAULT_PERMISSION


def may_apply(principal: Principal, tag: Tag) -> bool:
    """Whether the principal may apply or remove this tag by hand."""
    return tag.kind == "manual" and tag.active and principal.can(permission_of(tag))


def reads(db: Session, rows: list[CustomerTag], locale: str) -> list[CustomerTagRead]:
    """The API shapes of customer-tag rows (users' display names, the tags' labels)."""
    catalogue = {t.code: t for t in repository.tags(db)}
    users = user_service.display_names(db, {u for r in rows for u in (r.applied_by, r.removed_by) if u})
    out = []
    for r in rows:
        t = catalogue[r.tag_code]
        out.append(
            CustomerTagRead(
                code=t.code,
                label=label(t, locale),
                colour=t.colour,
                kind=t.kind,
                source=r.source,
                note=r.note,
                expires_on=r.expires_on,
                applied_by=users.get(r.applied_by) if r.applied_by else None,
                applied_at=r.applied_at,
                removed_by=users.get(r.removed_by) if r.removed_by else None,
                removed_at=r.removed_at,
            )
        )
    return out


def _distinct(rows: list[CustomerTag]) -> list[CustomerTag]:
    """One row per tag (a merge may have joined two customers who both carried it): the oldest."""
    seen: dict[str, CustomerTag] = {}
    for r in rows:
        seen.setdefault(r.tag_code, r)
    return list(seen.values())


def customer_tags(db: Session, principal: Principal, cif_no: str, *, locale: str) -> list[CustomerTagRead]:
    """The tags a customer in scope carries now (404, audited, out of scope)."""
    customer = customer_reads.get_customer(db, principal, cif_no)
    return reads(db, _distinct(repository.current(db, [customer.id])), locale)


def tag_history(db: Session, principal: Principal, cif_no: str, *, locale: str) -> list[CustomerTagRead]:
    """Every tag the customer in scope carried, newest first, with who applied and removed it."""
    customer = customer_reads.get_customer(db, principal, cif_no)
    return reads(db, repository.history(db, customer.id), locale)


def codes_of(db: Session, customer_ids: list[int]) -> dict[int, list[str]]:
    """customer id → the codes of the tags they carry now (for lists and exports)."""
    out: dict[int, list[str]] = {}
    for r in repository.current(db, customer_ids):
        codes = out.setdefault(r.customer_id, [])
        if r.tag_code not in codes:
            codes.append(r.tag_code)
    return out


def _manual_tag(db: Session, principal: Principal, code: str, cif_no: str) -> Tag:
    tag = repository.tag(db, code)
    if tag is None:
        raise ValidationFailed(errors=[FieldError("code", NO_TAG)])
    if tag.kind != "manual":
        raise ValidationFailed(errors=[FieldError("code", NOT_MANUAL)])
    if not principal.can(permission_of(tag)):
        raise Forbidden(audit=denied(principal, f"tag {cif_no} {code}", permission_of(tag)))
    return tag


def apply(
    db: Session, principal: Principal, cif_no: str, body: TagApply, *, today: date, locale: str
) -> CustomerTagRead:
    """Apply a manual tag to a customer in scope (the tag's permission; once: 409 when carried)."""
    customer = customer_reads.get_customer(db, principal, cif_no)
    tag = _manual_tag(db, principal, body.code, customer.cif_no)
    if not tag.active:
        raise ValidationFailed(errors=[FieldError("code", INACTIVE)])
    if body.expires_on is not None and body.expires_on <= today:
        raise ValidationFailed(errors=[FieldError("expires_on", EXPIRY_PAST)])
    if repository.open_rows(db, customer.id, tag.code):
        raise Conflict(ALREADY)
    row = CustomerTag(
        customer_id=customer.id,
        tag_code=tag.code,
        source="manual",
        note=body.note or None,
        expires_on=body.expires_on,
        applied_by=principal.user_id,
        applied_at=utcnow(),
    )
    repository.add(db, row)
    audit_service.record(
        db,
        Actor.of(principal),
        "customer.tag_applied",
        entity_type="customer",
        entity_id=customer.cif_no,
        changes={"tag": [None, tag.code]},
    )
    return reads(db, [row], locale)[0]


def remove(db: Session, principal: Principal, cif_no: str, code: str) -> None:
    """Remove a manual tag from a customer in scope: its row is closed (who, when), the history stays."""
    customer = customer_reads.get_customer(db, principal, cif_no)
    tag = _manual_tag(db, principal, code, customer.cif_no)
    rows = repository.open_rows(db, customer.id, tag.code)
    if not rows:
        raise NotFound(NOT_CARRIED)
    now = utcnow()
    for row in rows:
        row.removed_at, row.removed_by = now, principal.user_id
    db.flush()
    audit_service.record(
        db,
        Actor.of(principal),
        "customer.tag_removed",
        entity_type="customer",
        entity_id=customer.cif_no,
        changes={"tag": [tag.code, None]},
    )


def expire(db: Session, today: date) -> int:
    """Close manual tags whose expiry date has come (the nightly run); how many."""
    return repository.close_expired(db, today, utcnow())
