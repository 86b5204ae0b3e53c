"""Customer links: create, end and list them, always through a customer the principal may read.

A link may join customers of different branches; the far side is then shown as a masked node
(no CIF number, no name) and nothing about it is revealed beyond what the rules need.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from bankcrm.access.principal import Actor, Principal
from bankcrm.audit import service as audit_service
from bankcrm.catalogue import service as catalogue
from bankcrm.customers.schemas import CustomerSummary
from bankcrm.customers.service import reads as customer_reads
from bankcrm.errors import Conflict, FieldError, NotFound, ValidationFailed
from bankcrm.kit.i18n import N_
from bankcrm.kit.money import percent_text
from bankcrm.kit.time import utcnow
from bankcrm.models.customer import CodeItem, Customer
from bankcrm.models.relationship import CustomerLink
from bankcrm.relationships import repository
from bankcrm.relationships.schemas import LinkCreate, LinkEnd, LinkRead

TYPE_TABLE = "link_type"
READING_TABLE = "link_reading"
SYMMETRIC = "SYMMETRIC"  # parent_code of a reading that is the same from both sides
SHAREHOLDER = "SHAREHOLDER_OF"
GUARANTOR = "GUARANTOR_FOR"
FULL_SHARE_BP = 10_000  # 100 %
HIDDEN_NAME = "—"
# Which kinds of customer each link type joins: (from, to); None is any kind.
FAMILY = frozenset({"SPOUSE", "PARENT_OF", "SIBLING"})
TO_CORPORATE = frozenset({"EMPLOYEE_OF", "LEGAL_REP_OF", SHAREHOLDER, "ACTUAL_CONTROLLER_OF", "DIRECTOR_OF"})
BETWEEN_CORPORATES = frozenset({"SUBSIDIARY_OF", "SUPPLIER_OF"})

CHOOSE_TYPE = N_("Choose a link type.")
UNKNOWN_CIF = N_("No customer has this CIF number.")
SELF_LINK = N_("A customer cannot be linked to itself.")
FAMILY_KINDS = N_("A family link joins two individual customers.")
NEEDS_CORPORATE = N_("This link type needs a corporate customer on the other side.")
CORPORATE_KINDS = N_("This link type joins two corporate customers.")
SHARE_REQUIRED = N_("Enter the share held, in percent.")
SHARE_RANGE = N_("Enter a percentage from 0 to 100 with at most two decimals.")
SHARE_ONLY_SHAREHOLDER = N_("A share is recorded only for a shareholder link.")
SHARE_OVER = N_("Shareholders already hold %(held)s%% of this company; at most %(left)s%% can be added.")
AMOUNT_REQUIRED = N_("Enter the guaranteed amount; it must be more than zero.")
AMOUNT_ONLY_GUARANTEE = N_("An amount is recorded only for a guarantee link.")
DUPLICATE = N_("These customers already have an active link of this type.")
END_BEFORE_START = N_("The end date cannot be before the start date.")
NO_SUCH_LINK = N_("No such link.")
ALREADY_ENDED = N_("This link has already ended.")


def link_types(db: Session) -> list[CodeItem]:
    """The link types in display order (for the form)."""
    return catalogue.code_table(db, TYPE_TABLE)


def symmetric_types(db: Session) -> set[str]:
    return {c.code for c in catalogue.code_table(db, READING_TABLE) if c.parent_code == SYMMETRIC}


def share_bp(share: Decimal, errors: list[FieldError]) -> int | None:
    exponent = share.as_tuple().exponent
    if not share.is_finite() or not isinstance(exponent, int) or exponent < -2 or not 0 <= share <= 100:
        errors.append(FieldError("share_pct", SHARE_RANGE))
        return None
    return int(share * 100)


def kind_error(link_type: str, source: Customer, target: Customer) -> FieldError | None:
    if link_type in FAMILY and not (source.kind == "individual" and target.kind == "individual"):
        return FieldError("link_type", FAMILY_KINDS)
    if link_type in TO_CORPORATE and target.kind != "corporate":
        return FieldError("link_type", NEEDS_CORPORATE)
    if link_type in BETWEEN_CORPORATES and not (source.kind == "corporate" and target.kind == "corporate"):
        return FieldError("link_type", CORPORATE_KINDS)
    return None


def create_link(
    db: Session, principal: Principal, cif_no: str, body: LinkCreate, *, today: date, locale: str
) -> LinkRead:
    """Link the customer ``cif_no`` (in scope) to another existing customer, which may be out of scope."""
    source = customer_reads.get_customer(db, principal, cif_no)
    errors: list[FieldError] = []
    if body.link_type not in {c.code for c in link_types(db)}:
        errors.append(FieldError("link_type", CHOOSE_TYPE))
    target = repository.customer_by_cif(db, "".join(body.to_cif_no.split()))
    if target is None:
        errors.append(FieldError("to_cif_no", UNKNOWN_CIF))
    elif target.id == source.id:
        errors.append(FieldError("to_cif_no", SELF_LINK))
    elif not errors and (problem := kind_error(body.link_type, source, target)) is not None:
        errors.append(problem)
    added_bp: int | None = None
    if body.link_type == SHAREHOLDER:
        if body.share_pct is None:
            errors.append(FieldError("share_pct", SHARE_REQUIRED))
        else:
            added_bp = share_bp(body.share_pct, errors)
    elif body.share_pct is not None:
        errors.append(FieldError("share_pct", SHARE_ONLY_SHAREHOLDER))
    if body.link_type == GUARANTOR:
        if body.amount is None or body.amount <= 0:
            errors.append(FieldError("amount", AMOUNT_REQUIRED))
    elif body.amount is not None:
        errors.append(FieldError("amount", AMOUNT_ONLY_GUARANTEE))
    if errors:
        raise ValidationFailed(errors=errors)
    assert target is not None
    both_ways = body.link_type in symmetric_types(db)
    if repository.active_link_exists(db, source.id, target.id, body.link_type, today, both_directions=both_ways):
        raise ValidationFailed(errors=[FieldError("to_cif_no", DUPLICATE)])
    if added_bp is not None:
        held = repository.shares_held(db, target.id, today)
        if held + added_bp > FULL_SHARE_BP:
            params = {"held": percent_text(held), "left": percent_text(FULL_SHARE_BP - held)}
            raise ValidationFailed(errors=[FieldError("share_pct", SHARE_OVER, params)])
    link = CustomerLink(
        from_customer_id=source.id,
        to_customer_id=target.id,
        link_type=body.link_type,
        share_pct_bp=added_bp,
        amount=body.amount if body.link_type == GUARANTOR else None,
        valid_from=body.valid_from or today,
        created_by=principal.user_id,
        created_at=utcnow(),
    )
    repository.add(db, link)
    audit_service.record(
        db,
        Actor.of(principal),
        "customer_link.created",
        entity_type="customer_link",
        entity_id=link.id,
        changes=audit_service.diff(
            {},
            {
                "from_cif_no": source.cif_no,
                "to_cif_no": target.cif_no,
                "link_type": link.link_type,
                "share_pct_bp": link.share_pct_bp,
                "amount": link.amount,
                "valid_from": link.valid_from.isoformat(),
            },
        ),
    )
    return reads(db, principal, source, [link], today=today, locale=locale)[0]


def end_link(
    db: Session, principal: Principal, cif_no: str, link_id: int, body: LinkEnd, *, today: date, locale: str
) -> LinkRead:
    """End a link of the customer ``cif_no`` (in scope): it holds up to ``valid_to`` (default today)."""
    customer = customer_reads.get_customer(db, principal, cif_no)
    link = repository.link(db, link_id)
    if link is None or customer.id not in (link.from_customer_id, link.to_customer_id):
        raise NotFound(NO_SUCH_LINK)
    if link.ended_at is not None:
        raise Conflict(ALREADY_ENDED)
    valid_to = body.valid_to or today
    if valid_to < link.valid_from:
        raise ValidationFailed(errors=[FieldError("valid_to", END_BEFORE_START)])
    before = {"valid_to": None, "ended_by": None}
    link.valid_to = valid_to
    link.ended_by = principal.user_id
    link.ended_at = utcnow()
    db.flush()
    audit_service.record(
        db,
        Actor.of(principal),
        "customer_link.ended",
        entity_type="customer_link",
        entity_id=link.id,
        changes=audit_service.diff(before, {"valid_to": valid_to.isoformat(), "ended_by": principal.user_id}),
    )
    return reads(db, principal, customer, [link], today=today, locale=locale)[0]


def links_of(db: Session, principal: Principal, cif_no: str, *, today: date, locale: str) -> list[LinkRead]:
    """Every link of a customer in scope, active ones first, each read from that customer's side."""
    customer = customer_reads.get_customer(db, principal, cif_no)
    items = reads(db, principal, customer, repository.links_of(db, customer.id), today=today, locale=locale)
    return sorted(items, key=lambda r: not r.active)


def reads(
    db: Session, principal: Principal, customer: Customer, links: list[CustomerLink], *, today: date, locale: str
) -> list[LinkRead]:
    """Links as ``customer`` sees them: its own label per direction; the other side masked or hidden."""
    forward = catalogue.labels_of(db, TYPE_TABLE, locale)
    reverse = catalogue.labels_of(db, READING_TABLE, locale)
    other_ids = {lk.to_customer_id if lk.from_customer_id == customer.id else lk.from_customer_id for lk in links}
    others = repository.customers_by_id(db, other_ids)
    visible = customer_reads.visible_ids(db, principal, other_ids)
    summaries = {s.cif_no: s for s in customer_reads.summaries(db, principal, [others[i] for i in sorted(visible)])}
    out = []
    for lk in links:
        outgoing = lk.from_customer_id == customer.id
        other = others[lk.to_customer_id if outgoing else lk.from_customer_id]
        summary = summaries.get(other.cif_no) if other.id in visible else None
        labels = forward if outgoing else reverse
        out.append(
            LinkRead(
                id=lk.id,
                link_type=lk.link_type,
                label=labels.get(lk.link_type, lk.link_type),
                direction="outgoing" if outgoing else "incoming",
                other_cif_no=summary.cif_no if summary else None,
                other_name=summary.name if summary else HIDDEN_NAME,
                other_kind=summary.kind if summary else None,
                share_pct_bp=lk.share_pct_bp,
                amount=lk.amount,
                valid_from=lk.valid_from,
                valid_to=lk.valid_to,
                active=lk.valid_to is None or lk.valid_to > today,
            )
        )
    return out


@dataclass(frozen=True)
class LinksPage:
    """What the links page shows: the customer (masked), its links, the types to choose from."""

    customer: CustomerSummary
    links: list[LinkRead]
    types: list[CodeItem]


def links_page(db: Session, principal: Principal, cif_no: str, *, today: date, locale: str) -> LinksPage:
    """The customer in scope (masked), its links read from its side, and the link types."""
    links = links_of(db, principal, cif_no, today=today, locale=locale)
    customer = customer_reads.get_customer(db, principal, cif_no)
    return LinksPage(customer_reads.summaries(db, principal, [customer])[0], links, link_types(db))
