"""Queries for customers, change requests and field history; every customer read is scoped."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Select, delete, func, or_, select, tuple_, union, update
from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.access.scope import customer_scope
from bankcrm.db import Prepared, insert_many, insert_prepared, ordered, prepare_rows
from bankcrm.db import reserve_ids as _reserve_ids
from bankcrm.kit.listing import SortSpec
from bankcrm.kit.pagination import Page, PageRequest
from bankcrm.models.customer import (
    ChangeRequest,
    ChangeRequestStatus,
    ContactPerson,
    Counter,
    Customer,
    CustomerContact,
    CustomerSearchKey,
    FamilyMember,
    FieldChange,
    IndividualProfile,
)
from bankcrm.models.matching import CustomerAlias
from bankcrm.models.org import OrgUnit
from bankcrm.models.tag import CustomerTag

COUNT_CAP = 1_000
# The customer list's sort keys (customers.schemas.CUSTOMER_LIST) as columns of ``readable``.
SORTS = {
    "cif_no": Customer.cif_no,
    "name": Customer.name,
    "kind": Customer.kind,
    "home_unit": OrgUnit.code,
    "status": Customer.status,
}

MERGED = "MERGED"  # customer_status code only a merge sets


def readable(principal: Principal) -> Select[Customer]:
    """Customers the principal may read: their portfolio, their unit subtree, or all (by role).

    A customer merged into another (status MERGED) is no longer read as itself: its number finds the survivor.
    """
    stmt = select(Customer).join(OrgUnit, Customer.home_unit_id == OrgUnit.id).where(customer_scope(principal))
    return stmt.where(Customer.status != MERGED)


def visible_ids(db: Session, principal: Principal, ids: set[int]) -> set[int]:
    """Those of ``ids`` the principal may read (for masking the others in lists and graphs)."""
    if not ids:
        return set()
    stmt = (
        select(Customer.id)
        .join(OrgUnit, Customer.home_unit_id == OrgUnit.id)
        .where(Customer.id.in_(ids))
        .where(customer_scope(principal))
    )
    return set(db.scalars(stmt))


def customer(db: Session, principal: Principal, cif_no: str) -> Customer | None:
    """One customer in scope."""
    return db.scalar(readable(principal).where(Customer.cif_no == cif_no))


def customer_by_cif(db: Session, cif_no: str) -> Customer | None:
    """One customer regardless of scope (to tell 'out of scope' from 'absent' in the audit log)."""
    return db.scalar(select(Customer).where(Customer.cif_no == cif_no))


def merged_into(db: Session, cif_no: str) -> Customer | None:
    """The survivor a merged CIF number now stands for (customer_alias), regardless of scope; None if no alias."""
    stmt = select(Customer).join(CustomerAlias, CustomerAlias.customer_id == Customer.id)
    return db.scalar(stmt.where(CustomerAlias.cif_no == cif_no))


def customer_by_id(db: Session, customer_id: int) -> Customer | None:
    """One customer by row id, regardless of scope (the caller checks scope)."""
    return db.get(Customer, customer_id)


def customers_by_id_index(db: Session, id_type: str, id_country: str | None, index: str) -> list[Customer]:
    """Customers holding this ID document (type, issuing country and blind-index match), regardless of scope;
    merged ones are their survivor. A document recorded without a country is matched without one."""
    country = Customer.id_country.is_(None) if id_country is None else Customer.id_country == id_country
    stmt = select(Customer).where(
        Customer.id_type == id_type, country, Customer.id_no_index == index, Customer.status != MERGED
    )
    return list(db.scalars(stmt))


def customer_by_uscc(db: Session, uscc: str) -> Customer | None:
    """The company with this credit code, regardless of scope."""
    return db.scalar(select(Customer).where(Customer.uscc == uscc))


def possible_duplicates(
    db: Session, name: str, birth_date: object | None, phone_indexes: list[str], exclude_id: int | None = None
) -> list[Customer]:
    """Individuals with the same name and birth date, or the same phone, regardless of scope (merged ones not)."""
    conditions = []
    if birth_date is not None:
        conditions.append(
            Customer.id.in_(
                select(IndividualProfile.customer_id)
                .join(Customer, Customer.id == IndividualProfile.customer_id)
                .where(Customer.name == name, IndividualProfile.birth_date == birth_date)
            )
        )
    if phone_indexes:
        conditions.append(
            Customer.id.in_(
                select(CustomerContact.customer_id).where(
                    CustomerContact.channel == "phone", CustomerContact.value_index.in_(phone_indexes)
                )
            )
        )
    if not conditions:
        return []
    stmt = select(Customer).where(or_(*conditions), Customer.status != MERGED)
    if exclude_id is not None:
        stmt = stmt.where(Customer.id != exclude_id)
    return list(db.scalars(stmt.order_by(Customer.cif_no).limit(20)))


def search(
    db: Session,
    principal: Principal,
    page: PageRequest,
    *,
    key_range: tuple[str, str] | None = None,
    cif_no: str | None = None,
    id_index: str | None = None,
    phone_index: str | None = None,
    uscc: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    unit_path: str | None = None,
    account_manager_id: int | None = None,
    tags: tuple[str, ...] = (),
    cap: int | None = None,
    sort: SortSpec | None = None,
) -> Page[Customer]:
    """Customers in scope matching any of the keys and every filter: exact matches first, then by name key.

    Without keys this is the list of the principal's customers in ``sort`` order (default by CIF
    number); with keys and a ``sort`` naming a field, the (capped) matches are in that order. With keys, the exact
    look-ups (CIF, ID, USCC, mobile) come first, then the name and pinyin hits in key order, which
    the key index already holds; so a query matching half the bank reads only the first ``cap + 1``
    of them and never sorts the rest (pages reach no further than ``cap``, default ``COUNT_CAP``).
    """
    cap = COUNT_CAP if cap is None else cap
    filtered = _filtered(readable(principal), kind, status, unit_path, account_manager_id, tags)
    exact: list[Select[int]] = []
    if cif_no:
        exact.append(select(Customer.id).where(Customer.cif_no == cif_no))
    if id_index:
        exact.append(select(Customer.id).where(Customer.id_no_index == id_index))
    if uscc:
        exact.append(select(Customer.id).where(Customer.uscc == uscc))
    if phone_index:
        exact.append(
            select(CustomerContact.customer_id).where(
                CustomerContact.value_index == phone_index, CustomerContact.channel == "phone"
            )
        )
    if not exact and not key_range:
        total = db.scalar(select(func.count()).select_from(filtered.subquery())) or 0
        stmt = ordered(filtered, sort, SORTS) if sort else filtered.order_by(Customer.cif_no)
        rows = db.scalars(stmt.offset(page.offset).limit(page.size))
        return Page(list(rows), total, page.page, page.size)
    ids: dict[int, None] = {}  # ordered set
    if exact:
        ids.update(
            dict.fromkeys(
                db.scalars(
                    filtered.with_only_columns(Customer.id)
                    .where(Customer.id.in_(union(*exact)))
                    .order_by(Customer.cif_no)
                )
            )
        )
    if key_range:
        # Nothing to check per hit (whole bank, no filter): read the key index alone, no join.
        unrestricted = principal.data_scope == "all" and not (kind or status or unit_path or account_manager_id or tags)
        _add_key_hits(db, None if unrestricted else filtered, key_range, ids, cap)
    capped = len(ids) > cap
    ranked = list(ids)[:cap]
    if sort and sort.requested and ranked:
        # The reader chose an order: the capped matches in it, instead of the relevance order.
        matches = select(Customer).join(OrgUnit, Customer.home_unit_id == OrgUnit.id).where(Customer.id.in_(ranked))
        rows = db.scalars(ordered(matches, sort, SORTS).offset(page.offset).limit(page.size))
        return Page(list(rows), len(ranked), page.page, page.size, capped=capped)
    wanted = ranked[page.offset : page.offset + page.size]
    found = {c.id: c for c in db.scalars(select(Customer).where(Customer.id.in_(wanted)))} if wanted else {}
    return Page([found[i] for i in wanted], len(ranked), page.page, page.size, capped=capped)


KEY_CHUNK = 1_200  # rows of the key index read per round trip; a customer may match under several keys


def _filtered(
    stmt: Select[Customer],
    kind: str | None,
    status: str | None,
    unit_path: str | None,
    account_manager_id: int | None,
    tags: tuple[str, ...] = (),
) -> Select[Customer]:
    for code in tags:  # every tag named: customers carrying all of them now
        carriers = select(CustomerTag.customer_id).where(CustomerTag.tag_code == code, CustomerTag.removed_at.is_(None))
        stmt = stmt.where(Customer.id.in_(carriers))
    if kind:
        stmt = stmt.where(Customer.kind == kind)
    if status:
        stmt = stmt.where(Customer.status == status)
    if unit_path:
        stmt = stmt.where(OrgUnit.path.startswith(unit_path, autoescape=True))
    if account_manager_id:
        stmt = stmt.where(Customer.account_manager_id == account_manager_id)
    return stmt


def _add_key_hits(
    db: Session, filtered: Select[Customer] | None, key_range: tuple[str, str], ids: dict[int, None], cap: int
) -> None:
    """Append customers found under keys in ``key_range`` (and ``filtered``), in key order, to one past the cap."""
    low, high = key_range
    last: tuple[str, int] | None = None
    columns = (CustomerSearchKey.key, CustomerSearchKey.customer_id)
    while len(ids) <= cap:
        base = (
            select(*columns)
            if filtered is None
            else filtered.with_only_columns(*columns).join(
                CustomerSearchKey, CustomerSearchKey.customer_id == Customer.id
            )
        )
        stmt = (
            base.where(CustomerSearchKey.key >= low, CustomerSearchKey.key < high)
            .order_by(CustomerSearchKey.key, CustomerSearchKey.customer_id)
            .limit(KEY_CHUNK)
        )
        if last is not None:
            stmt = stmt.where(tuple_(CustomerSearchKey.key, CustomerSearchKey.customer_id) > tuple_(*last))
        rows = db.execute(stmt).all()
        for _key, customer_id in rows:
            ids.setdefault(customer_id, None)
        if len(rows) < KEY_CHUNK:
            return
        last = (rows[-1][0], rows[-1][1])


def count_customers(db: Session, principal: Principal) -> int:
    """Customers in scope."""
    return db.scalar(select(func.count()).select_from(readable(principal).subquery())) or 0


def contacts(db: Session, customer_id: int) -> list[CustomerContact]:
    """A customer's contact details, preferred first."""
    stmt = select(CustomerContact).where(CustomerContact.customer_id == customer_id)
    return list(
        db.scalars(stmt.order_by(CustomerContact.channel, CustomerContact.preferred.desc(), CustomerContact.id))
    )


def contacts_of_many(db: Session, ids: Iterable[int]) -> dict[int, list[CustomerContact]]:
    """``contacts`` of many customers at once (every id a key), each customer's in the same order."""
    out: dict[int, list[CustomerContact]] = {i: [] for i in ids}
    for part in _pages(sorted(out)):
        stmt = select(CustomerContact).where(CustomerContact.customer_id.in_(part))
        order = (CustomerContact.channel, CustomerContact.preferred.desc(), CustomerContact.id)
        for c in db.scalars(stmt.order_by(CustomerContact.customer_id, *order)):
            out[c.customer_id].append(c)
    return out


def delete_contacts_of_many(db: Session, channel: str, ids: Iterable[int]) -> None:
    """``delete_contacts`` of one channel for many customers at once."""
    for part in _pages(sorted(set(ids))):
        db.execute(
            delete(CustomerContact).where(CustomerContact.customer_id.in_(part), CustomerContact.channel == channel),
            execution_options={"synchronize_session": "fetch"},
        )


def contact(db: Session, customer_id: int, contact_id: int) -> CustomerContact | None:
    """One contact detail of a customer."""
    return db.scalar(
        select(CustomerContact).where(CustomerContact.customer_id == customer_id, CustomerContact.id == contact_id)
    )


def family_members(db: Session, customer_id: int) -> list[FamilyMember]:
    """An individual's family members."""
    return list(
        db.scalars(select(FamilyMember).where(FamilyMember.customer_id == customer_id).order_by(FamilyMember.id))
    )


def contact_persons(db: Session, customer_id: int) -> list[ContactPerson]:
    """A company's contact persons."""
    return list(
        db.scalars(select(ContactPerson).where(ContactPerson.customer_id == customer_id).order_by(ContactPerson.id))
    )


def history(db: Session, customer_id: int) -> list[FieldChange]:
    """A customer's field changes, newest first."""
    stmt = select(FieldChange).where(FieldChange.customer_id == customer_id)
    return list(db.scalars(stmt.order_by(FieldChange.changed_at.desc(), FieldChange.id.desc())))


def pending_requests(db: Session, customer_id: int) -> list[ChangeRequest]:
    """Submitted, undecided requests for a customer."""
    stmt = select(ChangeRequest).where(
        ChangeRequest.customer_id == customer_id, ChangeRequest.status == ChangeRequestStatus.SUBMITTED
    )
    return list(db.scalars(stmt))


def pending_fields(db: Session, customer_id: int) -> set[str]:
    """The fields of a customer's submitted, undecided requests."""
    stmt = select(ChangeRequest.fields).where(
        ChangeRequest.customer_id == customer_id, ChangeRequest.status == ChangeRequestStatus.SUBMITTED
    )
    return {f for fields in db.scalars(stmt) for f in fields.split(",")}


def pending_fields_of_many(db: Session, ids: Iterable[int]) -> dict[int, set[str]]:
    """``pending_fields`` of many customers at once: every one of them a key (an empty set: nothing pending)."""
    out: dict[int, set[str]] = {i: set() for i in ids}
    for part in _pages(sorted(out)):
        stmt = select(ChangeRequest.customer_id, ChangeRequest.fields).where(
            ChangeRequest.customer_id.in_(part), ChangeRequest.status == ChangeRequestStatus.SUBMITTED
        )
        for customer_id, fields in db.execute(stmt):
            if customer_id is not None:
                out[customer_id] |= set(fields.split(","))
    return out


def customers_with_profiles(db: Session, ids: Iterable[int]) -> list[Customer]:
    """Customers by id with their profiles (into the session: a chunk's linked customers read at once)."""
    out: list[Customer] = []
    for part in _pages(sorted(set(ids))):
        out += db.scalars(select(Customer).where(Customer.id.in_(part))).unique()
    return out


def pending_create_with_id(db: Session, index: str, id_country: str | None = None) -> ChangeRequest | None:
    """A submitted request to create a customer with this ID document (of this issuing country; a request filed
    before countries were recorded counts for any) or credit code."""
    return db.scalar(
        select(ChangeRequest)
        .where(
            ChangeRequest.kind == "create",
            ChangeRequest.status == ChangeRequestStatus.SUBMITTED,
            ChangeRequest.id_no_index == index,
            or_(ChangeRequest.id_country.is_(None), ChangeRequest.id_country == id_country),
        )
        .limit(1)
    )


def change_request(db: Session, request_id: int) -> ChangeRequest | None:
    """A change request by id (the service checks the caller may see it)."""
    return db.get(ChangeRequest, request_id)


# The approval inbox's sort keys (customers.schemas.CHANGE_REQUEST_LIST).
REQUEST_SORTS = {
    "id": ChangeRequest.id,
    "kind": ChangeRequest.kind,
    "home_unit": OrgUnit.code,
    "maker": ChangeRequest.maker_name,
    "submitted_at": ChangeRequest.submitted_at,
    "decided_at": ChangeRequest.decided_at,
}


def change_requests(
    db: Session,
    page: PageRequest,
    *,
    unit_path: str | None,
    status: str | None,
    maker_id: int | None = None,
    sort: SortSpec | None = None,
) -> Page[ChangeRequest]:
    """Change requests whose customer's home unit lies under ``unit_path`` (None: all), newest first by default."""
    stmt = select(ChangeRequest).join(OrgUnit, ChangeRequest.home_unit_id == OrgUnit.id)
    if unit_path:
        stmt = stmt.where(OrgUnit.path.startswith(unit_path, autoescape=True))
    if status:
        stmt = stmt.where(ChangeRequest.status == status)
    if maker_id is not None:
        stmt = stmt.where(ChangeRequest.maker_id == maker_id)
    total = db.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    stmt = ordered(stmt, sort, REQUEST_SORTS) if sort else stmt.order_by(ChangeRequest.id.desc())
    rows = db.scalars(stmt.offset(page.offset).limit(page.size))
    return Page(list(rows), total, page.page, page.size)


def next_counter(db: Session, name: str) -> int:
    """Take the next value of a counter; the row lock makes concurrent takers wait, never share."""
    db.execute(update(Counter).where(Counter.name == name).values(value=Counter.value + 1))
    value = db.scalar(select(Counter.value).where(Counter.name == name))
    if value is None:
        db.add(Counter(name=name, value=1))
        db.flush()
        return 1
    return value


def all_encrypted(
    db: Session,
) -> tuple[list[Customer], list[CustomerContact], list[ContactPerson], list[ChangeRequest]]:
    """Every row holding an encrypted value, for key rotation."""
    return (
        list(db.scalars(select(Customer).where(Customer.id_no_enc.is_not(None)))),
        list(db.scalars(select(CustomerContact).where(CustomerContact.value_enc.is_not(None)))),
        list(db.scalars(select(ContactPerson).where(ContactPerson.phone_enc.is_not(None)))),
        list(db.scalars(select(ChangeRequest))),
    )


def delete_contacts(db: Session, customer_id: int, channel: str) -> None:
    """Remove a customer's contact details of one channel (before putting the new set in)."""
    db.execute(
        delete(CustomerContact).where(CustomerContact.customer_id == customer_id, CustomerContact.channel == channel),
        # the deleted rows leave the session by their ids, not by testing every object the session holds
        execution_options={"synchronize_session": "fetch"},
    )


def tag_codes(db: Session, customer_ids: list[int]) -> dict[int, list[str]]:
    """customer id → the codes of the tags they carry now, in the order applied (for lists and exports)."""
    if not customer_ids:
        return {}
    stmt = (
        select(CustomerTag.customer_id, CustomerTag.tag_code)
        .where(CustomerTag.customer_id.in_(sorted(set(customer_ids))), CustomerTag.removed_at.is_(None))
        .order_by(CustomerTag.applied_at, CustomerTag.id)
    )
    out: dict[int, list[str]] = {}
    for customer_id, code in db.execute(stmt):
        codes = out.setdefault(customer_id, [])
        if code not in codes:
            codes.append(code)
    return out


# Bulk writes of a source system's new customers (customers.service.approval.build_customers).
BULK_PAGE = 5_000


def _pages(items: list[Any], size: int = BULK_PAGE) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def take_counter_block(db: Session, name: str, n: int) -> list[int]:
    """Take the next ``n`` values of a counter at once (the row lock as in ``next_counter``), in order."""
    db.execute(update(Counter).where(Counter.name == name).values(value=Counter.value + n))
    value = db.scalar(select(Counter.value).where(Counter.name == name))
    if value is None:
        db.add(Counter(name=name, value=n))
        db.flush()
        value = n
    return list(range(value - n + 1, value + 1))


def reserve_ids(db: Session, model: Any, n: int) -> list[int]:
    """``n`` new ids of a customer table, for rows whose encrypted values are bound to their id."""
    return _reserve_ids(db, model, n)


def insert_rows(db: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    """Insert many rows (each dict with the same keys) in one multi-row statement per page."""
    insert_many(db, model, rows)


def prepared_rows(dialect: str, model: Any, rows: list[dict[str, Any]]) -> Prepared:
    """``rows`` already as the parameters ``insert_prepared`` hands the driver of database ``dialect`` (pure: a
    worker process makes them)."""
    return prepare_rows(dialect, model, rows)


def insert_prepared_rows(db: Session, model: Any, prepared: Prepared) -> None:
    """Insert rows made by ``prepared_rows`` for this database."""
    insert_prepared(db, model, prepared)


def customers_by_id_indexes(db: Session, indexes: Iterable[str]) -> list[tuple[int, str, str | None, str | None, str]]:
    """(id, kind, ID type, issuing country, blind index) of customers holding any of these ID numbers; merged ones
    left out."""
    out: list[tuple[int, str, str | None, str | None, str]] = []
    for part in _pages(sorted(set(indexes))):
        stmt = select(Customer.id, Customer.kind, Customer.id_type, Customer.id_country, Customer.id_no_index).where(
            Customer.id_no_index.in_(part), Customer.status != MERGED
        )
        out += [(i, k, t, c, x) for i, k, t, c, x in db.execute(stmt) if x is not None]
    return out


def customers_by_usccs(db: Session, codes: Iterable[str]) -> dict[str, tuple[int, str]]:
    """credit code → (id, kind) of the customers holding these credit codes."""
    out: dict[str, tuple[int, str]] = {}
    for part in _pages(sorted(set(codes))):
        stmt = select(Customer.uscc, Customer.id, Customer.kind).where(Customer.uscc.in_(part))
        out |= {u: (i, k) for u, i, k in db.execute(stmt) if u is not None}
    return out


def pending_creates_with_ids(db: Session, indexes: Iterable[str]) -> dict[str, list[ChangeRequest]]:
    """blind index → the submitted create requests with this ID number or credit code, lowest id first."""
    out: dict[str, list[ChangeRequest]] = {}
    for part in _pages(sorted(set(indexes))):
        stmt = (
            select(ChangeRequest)
            .where(
                ChangeRequest.kind == "create",
                ChangeRequest.status == ChangeRequestStatus.SUBMITTED,
                ChangeRequest.id_no_index.in_(part),
            )
            .order_by(ChangeRequest.id)
        )
        for request in db.scalars(stmt):
            if request.id_no_index is not None:
                out.setdefault(request.id_no_index, []).append(request)
    return out
