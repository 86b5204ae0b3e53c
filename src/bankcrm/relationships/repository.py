"""Queries for customer links, groups and circles; reads by id assume the caller checks scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, and_, bindparam, case, delete, func, insert, or_, select, text, update
from sqlalchemy.orm import Session, aliased

from bankcrm.access.principal import Principal
from bankcrm.access.scope import customer_scope
from bankcrm.db import ordered
from bankcrm.kit.listing import SortSpec
from bankcrm.kit.pagination import Page, PageRequest
from bankcrm.models.customer import Customer
from bankcrm.models.group import (
    CorporateGroup,
    CorporateGroupMember,
    GroupStatus,
    GuaranteeCircle,
    GuaranteeCircleMember,
)
from bankcrm.models.holding import CustomerFigure
from bankcrm.models.org import OrgUnit
from bankcrm.models.relationship import CustomerLink


def _active(today: date) -> ColumnElement[bool]:
    return or_(CustomerLink.valid_to.is_(None), CustomerLink.valid_to > today)


def customer_by_cif(db: Session, cif_no: str) -> Customer | None:
    """One customer regardless of scope (links may cross branches; the caller hides what it may not show)."""
    return db.scalar(select(Customer).where(Customer.cif_no == cif_no))


def customers_by_id(db: Session, ids: set[int]) -> dict[int, Customer]:
    """Customers by row id, regardless of scope."""
    if not ids:
        return {}
    return {c.id: c for c in db.scalars(select(Customer).where(Customer.id.in_(ids)))}


def links_of(db: Session, customer_id: int) -> list[CustomerLink]:
    """Every link from or to a customer, oldest first."""
    stmt = (
        select(CustomerLink)
        .where(or_(CustomerLink.from_customer_id == customer_id, CustomerLink.to_customer_id == customer_id))
        .order_by(CustomerLink.valid_from, CustomerLink.id)
    )
    return list(db.scalars(stmt))


def link(db: Session, link_id: int) -> CustomerLink | None:
    """One link, regardless of scope (the caller checks)."""
    return db.get(CustomerLink, link_id)


def shares_held(db: Session, company_id: int, today: date) -> int:
    """Basis points held in a company by its active shareholder links."""
    stmt = select(func.coalesce(func.sum(CustomerLink.share_pct_bp), 0)).where(
        CustomerLink.to_customer_id == company_id,
        CustomerLink.link_type == "SHAREHOLDER_OF",
        _active(today),
    )
    return int(db.scalar(stmt) or 0)


def active_link_exists(
    db: Session, from_id: int, to_id: int, link_type: str, today: date, *, both_directions: bool
) -> bool:
    """Whether an active link of this type joins the pair (in either direction for symmetric types)."""
    pair = and_(CustomerLink.from_customer_id == from_id, CustomerLink.to_customer_id == to_id)
    if both_directions:
        pair = or_(pair, and_(CustomerLink.from_customer_id == to_id, CustomerLink.to_customer_id == from_id))
    stmt = select(CustomerLink.id).where(pair, CustomerLink.link_type == link_type, _active(today)).limit(1)
    return db.scalar(stmt) is not None


def add(db: Session, row: CustomerLink) -> None:
    """Add and flush."""
    db.add(row)
    db.flush()


# --- Derivation: links in, groups and circles out, in bulk ---------------------------------------------

GROUPS = cast(Table, CorporateGroup.__table__)
GROUP_MEMBERS = cast(Table, CorporateGroupMember.__table__)
CIRCLES = cast(Table, GuaranteeCircle.__table__)
CIRCLE_MEMBERS = cast(Table, GuaranteeCircleMember.__table__)
FIGURES = cast(Table, CustomerFigure.__table__)
CHUNK = 5_000  # ids per IN (...) list: well below SQLite's and PostgreSQL's parameter limits
TYPE_NUMBERS = {"SHAREHOLDER_OF": 1, "ACTUAL_CONTROLLER_OF": 2, "SUBSIDIARY_OF": 3, "GUARANTOR_FOR": 4}


def lock_derivation(db: Session) -> None:
    """Serialise derivations (nightly and on demand); SQLite already serialises writers."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(select(func.pg_advisory_xact_lock(0x4752_4F55_5053)))


def derivation_rows(db: Session, today: date) -> list[tuple[int, ...]]:
    """Every link active today of the four derivation types, as plain integer tuples, in one query.

    (from id, to id, type number, share bp, amount fen, from is corporate, to is corporate). The rows
    come straight from the driver's cursor: building a Row object per link costs more than the query.
    """
    source, target = aliased(Customer), aliased(Customer)
    number = case(*((CustomerLink.link_type == code, n) for code, n in TYPE_NUMBERS.items()))
    stmt = (
        select(
            CustomerLink.from_customer_id,
            CustomerLink.to_customer_id,
            number,
            func.coalesce(CustomerLink.share_pct_bp, 0),
            func.coalesce(CustomerLink.amount, 0),
            case((source.kind == "corporate", 1), else_=0),
            case((target.kind == "corporate", 1), else_=0),
        )
        .join(source, source.id == CustomerLink.from_customer_id)
        .join(target, target.id == CustomerLink.to_customer_id)
        .where(CustomerLink.link_type.in_(TYPE_NUMBERS), CustomerLink.valid_from <= today, _active(today))
    )
    return list(db.connection().execute(stmt).cursor.fetchall())


def figures(db: Session, customer_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Loans outstanding and deposits (fen) of customers that have figures."""
    conn = db.connection()
    out: dict[int, tuple[int, int]] = {}
    if conn.dialect.name == "postgresql":  # one array parameter instead of thousands of IN parameters
        stmt = text(
            "SELECT customer_id, loan_balance, deposit_balance FROM customer_figure WHERE customer_id = ANY(:ids)"
        )
        batches = [conn.execute(stmt, {"ids": customer_ids}).cursor.fetchall()]
    else:
        batches = [
            conn.execute(
                select(FIGURES.c.customer_id, FIGURES.c.loan_balance, FIGURES.c.deposit_balance).where(
                    FIGURES.c.customer_id.in_(customer_ids[start : start + CHUNK])
                )
            ).cursor.fetchall()
            for start in range(0, len(customer_ids), CHUNK)
        ]
    for batch in batches:
        for customer_id, loans, deposits in batch:
            out[customer_id] = (loans, deposits)
    return out


def _new_ids(db: Session, table: Table, count: int) -> list[int]:
    """Ids for ``count`` new rows: from the sequence on PostgreSQL; after the largest on SQLite (one writer)."""
    conn = db.connection()
    if conn.dialect.name == "postgresql":
        stmt = text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)")
        return list(conn.execute(stmt, {"t": table.name, "n": count}).scalars())
    start = conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
    return list(range(start + 1, start + count + 1))


def _bulk_insert(db: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows in the session's transaction: COPY on PostgreSQL, one executemany on SQLite."""
    if not rows:
        return
    conn = db.connection()
    if conn.dialect.name != "postgresql":
        conn.execute(insert(table), rows)
        return
    columns = list(rows[0])
    quote = conn.dialect.identifier_preparer.quote
    statement = f"COPY {quote(table.name)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    raw: Any = conn.connection.driver_connection
    with raw.cursor() as cur, cur.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])


@dataclass(frozen=True)
class GroupKey:
    """What a derivation compares of a stored group."""

    id: int
    core_customer_id: int
    status: str
    fingerprint: str
    shape: str
    loan_balance: int
    guarantees_given: int
    deposit_balance: int


def open_groups(db: Session) -> list[GroupKey]:
    """Groups a derivation may match: proposed and accepted ones."""
    g = GROUPS.c
    stmt = select(
        g.id,
        g.core_customer_id,
        g.status,
        g.fingerprint,
        g.shape,
        g.loan_balance,
        g.guarantees_given,
        g.deposit_balance,
    ).where(g.status.in_((GroupStatus.PROPOSED, GroupStatus.ACCEPTED)))
    return [GroupKey(*row) for row in db.connection().execute(stmt)]


def rejected_member_sets(db: Session) -> set[tuple[int, str]]:
    """(core customer id, fingerprint) of every rejected proposal."""
    g = GROUPS.c
    stmt = select(g.core_customer_id, g.fingerprint).where(g.status == GroupStatus.REJECTED)
    return {(core, fingerprint) for core, fingerprint in db.connection().execute(stmt)}


def insert_groups(db: Session, rows: list[dict[str, Any]]) -> list[int]:
    """Insert groups in bulk; their ids in the order given."""
    ids = _new_ids(db, GROUPS, len(rows)) if rows else []
    _bulk_insert(db, GROUPS, [{"id": i, **row} for i, row in zip(ids, rows, strict=True)])
    return ids


def replace_members(db: Session, group_ids: list[int], rows: list[dict[str, Any]]) -> None:
    """Drop the members of these groups and insert ``rows`` in bulk."""
    table = GROUP_MEMBERS
    for start in range(0, len(group_ids), CHUNK):
        chunk = group_ids[start : start + CHUNK]
        db.connection().execute(delete(table).where(table.c.group_id.in_(chunk)))
    _bulk_insert(db, table, rows)


def _update_by_id(db: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """One executemany per set of columns changed (rows carry ``id`` and the new values)."""
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        by_columns.setdefault(tuple(sorted(k for k in row if k != "id")), []).append(row)
    for columns, batch in by_columns.items():
        stmt = update(table).where(table.c.id == bindparam("row_id")).values({c: bindparam(c) for c in columns})
        db.connection().execute(stmt, [{"row_id": r["id"], **{c: r[c] for c in columns}} for r in batch])


def update_groups(db: Session, rows: list[dict[str, Any]]) -> None:
    """Bulk update of groups by id."""
    _update_by_id(db, GROUPS, rows)


def current_circles(db: Session) -> dict[str, tuple[int, int]]:
    """Fingerprint → (id, total amount) of the circles found by the last derivation."""
    c = CIRCLES.c
    stmt = select(c.fingerprint, c.id, c.total_amount).where(c.status == "CURRENT")
    return {fingerprint: (circle_id, total) for fingerprint, circle_id, total in db.connection().execute(stmt)}


def insert_circles(db: Session, rows: list[dict[str, Any]], members: list[list[int]]) -> list[int]:
    """Insert circles and their members in bulk; the circles' ids in the order given."""
    ids = _new_ids(db, CIRCLES, len(rows)) if rows else []
    _bulk_insert(db, CIRCLES, [{"id": i, **row} for i, row in zip(ids, rows, strict=True)])
    member_rows = [{"circle_id": i, "customer_id": c} for i, ms in zip(ids, members, strict=True) for c in ms]
    _bulk_insert(db, CIRCLE_MEMBERS, member_rows)
    return ids


def update_circles(db: Session, rows: list[dict[str, Any]]) -> None:
    """Bulk update of circles by id."""
    _update_by_id(db, CIRCLES, rows)


# --- Reads of groups, circles and graphs ---------------------------------------------------------------


def _visible_node(principal: Principal, customer_id: Any) -> ColumnElement[bool]:
    """Whether the customer with this id is in the principal's scope (a correlated EXISTS)."""
    return (
        select(Customer.id)
        .join(OrgUnit, Customer.home_unit_id == OrgUnit.id)
        .where(Customer.id == customer_id)
        .where(customer_scope(principal))
        .exists()
    )


def group(db: Session, group_id: int) -> CorporateGroup | None:
    """One group, regardless of scope (the caller checks)."""
    return db.get(CorporateGroup, group_id)


# The group list's sort keys (relationships.schemas.GROUP_LIST); exposure is loans plus guarantees given.
GROUP_SORTS = {
    "id": CorporateGroup.id,
    "status": CorporateGroup.status,
    "member_count": CorporateGroup.member_count,
    "controller_count": CorporateGroup.controller_count,
    "credit_exposure": CorporateGroup.loan_balance + CorporateGroup.guarantees_given,
    "deposit_balance": CorporateGroup.deposit_balance,
    "derived_at": CorporateGroup.derived_at,
    "refreshed_at": CorporateGroup.refreshed_at,
    "decided_at": CorporateGroup.decided_at,
}


def groups_page(
    db: Session, principal: Principal, statuses: tuple[str, ...], page: PageRequest, sort: SortSpec | None = None
) -> Page[CorporateGroup]:
    """Groups with at least one customer in the principal's scope, newest first by default."""
    seen = (
        select(CorporateGroupMember.group_id)
        .where(CorporateGroupMember.group_id == CorporateGroup.id)
        .where(_visible_node(principal, CorporateGroupMember.customer_id))
        .exists()
    )
    where: list[ColumnElement[bool]] = [CorporateGroup.status.in_(statuses)]
    if principal.data_scope != "all" and not principal.is_system:
        where.append(seen)
    total = db.scalar(select(func.count()).select_from(CorporateGroup).where(*where)) or 0
    stmt = select(CorporateGroup).where(*where)
    if sort:
        stmt = ordered(stmt, sort, GROUP_SORTS)
    else:
        stmt = stmt.order_by(CorporateGroup.derived_at.desc(), CorporateGroup.id.desc())
    stmt = stmt.offset(page.offset).limit(page.size)
    return Page(items=list(db.scalars(stmt)), total=total, page=page.page, size=page.size)


def accepted_overlapping(db: Session, group_id: int, core_id: int) -> list[CorporateGroup]:
    """Accepted groups other than ``group_id`` with this core or a corporate member of ``group_id``."""
    corporate = CorporateGroupMember.role.in_(("CORE", "MEMBER"))
    ours = select(CorporateGroupMember.customer_id).where(CorporateGroupMember.group_id == group_id, corporate)
    sharing = select(CorporateGroupMember.group_id).where(CorporateGroupMember.customer_id.in_(ours), corporate)
    stmt = (
        select(CorporateGroup)
        .where(CorporateGroup.status == GroupStatus.ACCEPTED, CorporateGroup.id != group_id)
        .where(or_(CorporateGroup.core_customer_id == core_id, CorporateGroup.id.in_(sharing)))
        .order_by(CorporateGroup.id)
    )
    return list(db.scalars(stmt))


def group_members(db: Session, group_id: int) -> list[CorporateGroupMember]:
    """A group's customers, nearest to the core first."""
    stmt = (
        select(CorporateGroupMember)
        .where(CorporateGroupMember.group_id == group_id)
        .order_by(CorporateGroupMember.depth, CorporateGroupMember.customer_id)
    )
    return list(db.scalars(stmt))


def circle(db: Session, circle_id: int) -> GuaranteeCircle | None:
    """One circle, regardless of scope."""
    return db.get(GuaranteeCircle, circle_id)


# The circle list's sort keys (relationships.schemas.CIRCLE_LIST).
CIRCLE_SORTS = {
    "id": GuaranteeCircle.id,
    "member_count": GuaranteeCircle.member_count,
    "total_amount": GuaranteeCircle.total_amount,
    "derived_at": GuaranteeCircle.derived_at,
    "refreshed_at": GuaranteeCircle.refreshed_at,
    "ended_at": GuaranteeCircle.ended_at,
}


def circles_page(
    db: Session, principal: Principal, statuses: tuple[str, ...], page: PageRequest, sort: SortSpec | None = None
) -> Page[GuaranteeCircle]:
    """Circles with at least one member in the principal's scope, largest amount first by default."""
    seen = (
        select(GuaranteeCircleMember.circle_id)
        .where(GuaranteeCircleMember.circle_id == GuaranteeCircle.id)
        .where(_visible_node(principal, GuaranteeCircleMember.customer_id))
        .exists()
    )
    where: list[ColumnElement[bool]] = [GuaranteeCircle.status.in_(statuses)]
    if principal.data_scope != "all" and not principal.is_system:
        where.append(seen)
    total = db.scalar(select(func.count()).select_from(GuaranteeCircle).where(*where)) or 0
    stmt = select(GuaranteeCircle).where(*where)
    if sort:
        stmt = ordered(stmt, sort, CIRCLE_SORTS)
    else:
        stmt = stmt.order_by(GuaranteeCircle.total_amount.desc(), GuaranteeCircle.id)
    stmt = stmt.offset(page.offset).limit(page.size)
    return Page(items=list(db.scalars(stmt)), total=total, page=page.page, size=page.size)


def circle_member_ids(db: Session, circle_id: int) -> list[int]:
    """A circle's customer ids, ascending."""
    stmt = (
        select(GuaranteeCircleMember.customer_id)
        .where(GuaranteeCircleMember.circle_id == circle_id)
        .order_by(GuaranteeCircleMember.customer_id)
    )
    return list(db.scalars(stmt))


def circles_of_customer(db: Session, customer_id: int) -> list[GuaranteeCircle]:
    """The current circles a customer belongs to."""
    stmt = (
        select(GuaranteeCircle)
        .join(GuaranteeCircleMember, GuaranteeCircleMember.circle_id == GuaranteeCircle.id)
        .where(GuaranteeCircleMember.customer_id == customer_id, GuaranteeCircle.status == "CURRENT")
        .order_by(GuaranteeCircle.id)
    )
    return list(db.scalars(stmt))


def groups_of_customer(db: Session, customer_id: int, statuses: tuple[str, ...]) -> list[CorporateGroup]:
    """The groups of these statuses a customer belongs to (as core, member or controller)."""
    stmt = (
        select(CorporateGroup)
        .join(CorporateGroupMember, CorporateGroupMember.group_id == CorporateGroup.id)
        .where(CorporateGroupMember.customer_id == customer_id, CorporateGroup.status.in_(statuses))
        .order_by(CorporateGroup.id)
    )
    return list(db.scalars(stmt))


def guarantees_given(db: Session, customer_ids: set[int], today: date) -> dict[int, int]:
    """Fen guaranteed by each customer's active GUARANTOR_FOR links (customers without any are left out)."""
    if not customer_ids:
        return {}
    stmt = (
        select(CustomerLink.from_customer_id, func.coalesce(func.sum(CustomerLink.amount), 0))
        .where(CustomerLink.from_customer_id.in_(sorted(customer_ids)), CustomerLink.link_type == "GUARANTOR_FOR")
        .where(CustomerLink.valid_from <= today, _active(today))
        .group_by(CustomerLink.from_customer_id)
    )
    return {customer_id: int(amount or 0) for customer_id, amount in db.execute(stmt)}


def active_links_touching(db: Session, customer_ids: set[int], today: date, limit: int) -> list[CustomerLink]:
    """Active links with either end in ``customer_ids`` (at most ``limit``), oldest first."""
    if not customer_ids:
        return []
    ids = sorted(customer_ids)
    stmt = (
        select(CustomerLink)
        .where(or_(CustomerLink.from_customer_id.in_(ids), CustomerLink.to_customer_id.in_(ids)))
        .where(CustomerLink.valid_from <= today, _active(today))
        .order_by(CustomerLink.id)
        .limit(limit)
    )
    return list(db.scalars(stmt))


def active_links_among(
    db: Session, customer_ids: set[int], link_types: tuple[str, ...], today: date
) -> list[CustomerLink]:
    """Active links of these types with both ends in ``customer_ids``."""
    if not customer_ids:
        return []
    ids = sorted(customer_ids)
    stmt = (
        select(CustomerLink)
        .where(CustomerLink.from_customer_id.in_(ids), CustomerLink.to_customer_id.in_(ids))
        .where(CustomerLink.link_type.in_(link_types), CustomerLink.valid_from <= today, _active(today))
        .order_by(CustomerLink.id)
    )
    return list(db.scalars(stmt))
