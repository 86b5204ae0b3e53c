"""Reading customers: one customer, search, history, the approval inbox; always scoped, always masked."""

from __future__ import annotations

import json
from contextlib import suppress
from typing import Any

from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.access.service import users as user_service
from bankcrm.access.service.scope_audit import out_of_scope
from bankcrm.audit import service as audit_service
from bankcrm.catalogue import service as catalogue
from bankcrm.customers import repository
from bankcrm.customers.schemas import (
    ChangeRequestRead,
    ContactRead,
    CustomerRead,
    CustomerSummary,
    FieldChangeRead,
)
from bankcrm.customers.service.names import display_name, display_name_en
from bankcrm.customers.service.records import ID_PURPOSE, PHONE_PURPOSE, masked
from bankcrm.errors import NotFound
from bankcrm.kit import validators
from bankcrm.kit.crypto import FieldCipher
from bankcrm.kit.i18n import N_
from bankcrm.kit.listing import SortSpec
from bankcrm.kit.pagination import Page, PageRequest
from bankcrm.kit.search_keys import prefix_range
from bankcrm.models.customer import ChangeRequest, ChangeRequestStatus, Customer

PROFILE_HIDDEN = frozenset({"customer_id", "customer"})


def get_customer(db: Session, principal: Principal, cif_no: str) -> Customer:
    """One customer in scope, or 404 (an out-of-scope attempt is audited); a merged CIF number finds its survivor."""
    survivor = repository.merged_into(db, cif_no)
    if survivor is not None:
        cif_no = survivor.cif_no
    customer = repository.customer(db, principal, cif_no)
    if customer is None:
        exists = repository.customer_by_cif(db, cif_no) is not None
        raise NotFound(N_("Customer not found."), audit=out_of_scope(principal, "customer", cif_no, exists))
    return customer


def merged_into(db: Session, cif_no: str) -> str | None:
    """The survivor's CIF number when ``cif_no`` was merged into another customer (None otherwise).

    Says nothing about scope: the caller goes on to read the survivor with ``get_customer``."""
    survivor = repository.merged_into(db, cif_no)
    return survivor.cif_no if survivor is not None else None


def visible_ids(db: Session, principal: Principal, ids: set[int]) -> set[int]:
    """Those of the customer ids ``ids`` the principal may read."""
    return repository.visible_ids(db, principal, ids)


def summary(
    principal: Principal, customer: Customer, managers: dict[int, str], tags: list[str] | None = None
) -> CustomerSummary:
    """The list form of a customer: identifiers masked, the name as the reader may see it."""
    return CustomerSummary(
        cif_no=customer.cif_no,
        kind=customer.kind,
        status=customer.status,
        name=display_name(principal, customer),
        id_type=customer.id_type,
        id_country=customer.id_country,
        id_no=customer.id_no_masked,
        uscc=customer.uscc,
        home_unit=customer.home_unit.code,
        account_manager=managers.get(customer.account_manager_id) if customer.account_manager_id else None,
        tags=tags or [],
    )


def search(
    db: Session,
    principal: Principal,
    cipher: FieldCipher,
    page: PageRequest,
    *,
    q: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    unit_path: str | None = None,
    account_manager_id: int | None = None,
    tags: tuple[str, ...] = (),
    cap: int | None = None,
    sort: SortSpec | None = None,
) -> tuple[Page[Customer], list[CustomerSummary]]:
    """Customers in scope: q is a CIF number, ID number or mobile (exact), USCC, name or pinyin; at most ``cap``."""
    criteria: dict[str, Any] = {}
    text = (q or "").strip()
    if text:
        compact = "".join(text.split()).upper()
        criteria["key_range"] = prefix_range(text)
        if validators.is_cif_number(compact):
            criteria["cif_no"] = compact
        criteria["id_index"] = cipher.blind_index(compact, ID_PURPOSE)
        criteria["uscc"] = compact
        with suppress(validators.InvalidValue):  # not a phone number: the other criteria still apply
            criteria["phone_index"] = cipher.blind_index(validators.phone(text), PHONE_PURPOSE)
    result = repository.search(
        db,
        principal,
        page,
        kind=kind,
        status=status,
        unit_path=unit_path,
        account_manager_id=account_manager_id,
        tags=tags,
        cap=cap,
        sort=sort,
        **criteria,
    )
    return result, summaries(db, principal, result.items)


def summaries(db: Session, principal: Principal, customers: list[Customer]) -> list[CustomerSummary]:
    """List forms as ``principal`` may see them, with account managers' names."""
    managers = user_service.display_names(db, {c.account_manager_id for c in customers if c.account_manager_id})
    tags = repository.tag_codes(db, [c.id for c in customers])
    return [summary(principal, c, managers, tags.get(c.id)) for c in customers]


def count_customers(db: Session, principal: Principal) -> int:
    """Customers in the principal's scope (home page figure)."""
    return repository.count_customers(db, principal)


def read(db: Session, principal: Principal, cif_no: str) -> CustomerRead:
    """Every section of one customer, masked but for the name where the reader may see it."""
    customer = get_customer(db, principal, cif_no)
    base = summaries(db, principal, [customer])[0]
    profile_row: Any = customer.individual or customer.corporate
    profile: dict[str, Any] = {}
    if profile_row is not None:
        for column in profile_row.__table__.columns.keys():  # noqa: SIM118 - a ColumnCollection
            if column not in PROFILE_HIDDEN:
                profile[column] = getattr(profile_row, column)
    if "legal_rep_name" in profile:
        profile["legal_rep_name"] = masked("corporate", "legal_rep_name", profile["legal_rep_name"])
    profile |= {
        "source_channel": customer.source_channel,
        "wechat_id": customer.wechat_id,
        "preferred_channel": customer.preferred_channel,
        "preferred_time": customer.preferred_time,
        "home_unit_id": customer.home_unit_id,
        "account_manager_id": customer.account_manager_id,
    }
    pending = sorted({f for r in repository.pending_requests(db, customer.id) for f in r.fields.split(",")})
    return CustomerRead(
        **base.model_dump(),
        name_en=display_name_en(principal, customer),
        profile=profile,
        contacts=[
            ContactRead(
                id=c.id,
                channel=c.channel,
                purpose=c.purpose,
                value=c.value_masked,
                valid_from=c.valid_from,
                valid_to=c.valid_to,
                preferred=c.preferred,
            )
            for c in repository.contacts(db, customer.id)
        ],
        family_members=[
            {
                "name": masked("individual", "name", m.name),
                "relation": m.relation,
                "member_cif_no": visible_cif_no(db, principal, m.member_customer_id),
            }
            for m in repository.family_members(db, customer.id)
        ],
        contact_persons=[
            {"id": p.id, "role": p.role, "name": masked("individual", "name", p.name), "phone": p.phone_masked}
            for p in repository.contact_persons(db, customer.id)
        ],
        pending_fields=pending,
        created_at=customer.created_at,
        updated_at=customer.updated_at,
    )


def visible_cif_no(db: Session, principal: Principal, customer_id: int | None) -> str | None:
    """A linked customer's CIF number, only when the reader may see that customer."""
    if customer_id is None:
        return None
    linked = repository.customer_by_id(db, customer_id)
    if linked is None or repository.customer(db, principal, linked.cif_no) is None:
        return None
    return linked.cif_no


def history(db: Session, principal: Principal, cif_no: str) -> list[FieldChangeRead]:
    """Every field change of a customer, newest first (values stored masked)."""
    customer = get_customer(db, principal, cif_no)
    return [FieldChangeRead.model_validate(h) for h in repository.history(db, customer.id)]


def request_read(request: ChangeRequest) -> ChangeRequestRead:
    """A change request as the inbox shows it."""
    changes: dict[str, list[object]] = json.loads(request.summary)
    return ChangeRequestRead(
        id=request.id,
        kind=request.kind,
        customer_kind=request.customer_kind,
        cif_no=request.customer.cif_no if request.customer else None,
        status=request.status,
        fields=request.fields.split(",") if request.fields else [],
        changes=changes,
        home_unit=request.home_unit.code,
        maker=request.maker_name,
        checker=request.checker_name,
        reason=request.reason,
        submitted_at=request.submitted_at,
        decided_at=request.decided_at,
    )


def inbox(
    db: Session,
    principal: Principal,
    page: PageRequest,
    status: str | None = ChangeRequestStatus.SUBMITTED,
    sort: SortSpec | None = None,
) -> Page[ChangeRequest]:
    """Requests a checker may decide (their units), or, for makers, their own requests; newest first by default."""
    if principal.can("customer.approve"):
        unit_path = None if principal.is_system or principal.data_scope == "all" else principal.unit_path
        return repository.change_requests(db, page, unit_path=unit_path, status=status, sort=sort)
    maker = principal.user_id or -1
    return repository.change_requests(db, page, unit_path=None, status=status, maker_id=maker, sort=sort)


def code_labels(db: Session, locale: str) -> dict[str, dict[str, str]]:
    """category → code → label in the reader's language, for the customer's coded fields."""
    return catalogue.code_labels(db, CATEGORIES, locale)


CATEGORIES = [
    "address_type",
    "company_type",
    "contact_channel",
    "contact_role",
    "contact_time",
    "customer_status",
    "education",
    "enterprise_size",
    "ethnicity",
    "family_relation",
    "gender",
    "home_ownership",
    "id_type",
    "income_band",
    "industry",
    "marital_status",
    "occupation",
    "source_channel",
]


def cif_of(db: Session, customer_id: int) -> str | None:
    """The CIF number of a customer row (a cross-reference's target), regardless of scope."""
    customer = repository.customer_by_id(db, customer_id)
    return customer.cif_no if customer is not None else None


def listed_if_visible(db: Session, principal: Principal, cif_no: str | None) -> list[CustomerSummary]:
    """The list form of one customer when the principal may read it; empty otherwise (out of scope: audited)."""
    if cif_no is None:
        return []
    customer = repository.customer(db, principal, cif_no)
    if customer is None:
        payload = out_of_scope(principal, "customer", cif_no, repository.customer_by_cif(db, cif_no) is not None)
        if payload is not None:
            audit_service.record(
                db,
                payload["actor"],
                payload["action"],
                outcome=payload["outcome"],
                entity_type=payload["entity_type"],
                entity_id=payload["entity_id"],
            )
        return []
    return summaries(db, principal, [customer])
