"""Queries of the sales module: opportunities and their history, the board, activities, feeds, targets.

Scope: an opportunity or activity belongs to its owner and to the unit of its customer when it was recorded;
``own`` scope reads the caller's own rows, ``unit`` the rows under the caller's unit, ``all`` everything.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, false, func, insert, select, true, union_all
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.db import ordered
from bankcrm.kit.listing import SortSpec
from bankcrm.kit.pagination import PageRequest
from bankcrm.models.access import User
from bankcrm.models.customer import Customer
from bankcrm.models.holding import Account, LoanContract, Product
from bankcrm.models.org import OrgUnit
from bankcrm.models.sales import (
    Activity,
    CalendarFeed,
    Opportunity,
    OpportunityStageHistory,
    OpportunityStageTotal,
    SalesTarget,
)

SORTS = {  # every one NOT NULL on the opportunity itself (no outer join): no NULLS LAST needed
    "id": Opportunity.id,
    "amount": Opportunity.amount,
    "stage": Opportunity.stage,
    "probability": Opportunity.probability_pct,
    "expected_close": Opportunity.expected_close,
}


def subtree_ids(path: str) -> Select[Any]:
    """Ids of the units under (and including) the unit with this path."""
    return select(OrgUnit.id).where(OrgUnit.path.startswith(path, autoescape=True))


def owned_scope(principal: Principal, owner: Any, unit: Any) -> ColumnElement[bool]:
    """Rows with this owner and unit column the principal may read."""
    if principal.is_system or principal.data_scope == "all":
        return true()
    if principal.data_scope == "unit":
        return unit.in_(subtree_ids(principal.unit_path))  # type: ignore[no-any-return]
    if principal.user_id is not None:
        return owner == principal.user_id  # type: ignore[no-any-return]
    return false()


def opportunity(db: Session, opportunity_id: int, *, lock: bool = False) -> Opportunity | None:
    """An opportunity by id whatever the scope (the caller checks it)."""
    stmt = select(Opportunity).where(Opportunity.id == opportunity_id)
    return db.scalars(stmt.with_for_update() if lock else stmt).one_or_none()


def readable(db: Session, principal: Principal, opportunity_id: int) -> bool:
    """Whether the opportunity exists in the principal's scope."""
    o = Opportunity
    stmt = select(o.id).where(o.id == opportunity_id, owned_scope(principal, o.owner_id, o.unit_id))
    return db.scalar(stmt) is not None


def add(db: Session, *rows: Any) -> None:
    """Stage new rows and flush them (ids assigned)."""
    db.add_all(rows)
    db.flush()


def history(db: Session, opportunity_id: int) -> Sequence[tuple[OpportunityStageHistory, str | None]]:
    """The stage moves of an opportunity with who made them, oldest first."""
    h = OpportunityStageHistory
    stmt = (
        select(h, User.display_name)
        .outerjoin(User, User.id == h.changed_by)
        .where(h.opportunity_id == opportunity_id)
        .order_by(h.changed_at, h.id)
    )
    return [(h, who) for h, who in db.execute(stmt)]


def _filtered(principal: Principal, f: dict[str, Any]) -> list[ColumnElement[bool]]:
    o = Opportunity
    where = [owned_scope(principal, o.owner_id, o.unit_id)]
    if f.get("stage"):
        where.append(o.stage == f["stage"])
    if f.get("stages"):
        where.append(o.stage.in_(f["stages"]))
    if f.get("owner"):
        where.append(o.owner_id == f["owner"])
    if f.get("product"):
        where.append(o.product_code == f["product"])
    if f.get("cif_no"):
        where.append(o.customer_id.in_(select(Customer.id).where(Customer.cif_no == f["cif_no"])))
    if f.get("close_from"):
        where.append(o.expected_close >= f["close_from"])
    if f.get("close_to"):
        where.append(o.expected_close <= f["close_to"])
    if f.get("unit_path"):
        where.append(o.unit_id.in_(subtree_ids(f["unit_path"])))
    return where


COUNT_CAP = 10_000


def opportunities(
    db: Session, principal: Principal, filters: dict[str, Any], sort: SortSpec, page: PageRequest
) -> tuple[list[Opportunity], int, bool]:
    """One page of opportunities in scope matching the filters, how many match (counting stops past
    ``COUNT_CAP``: a branch's hundreds of thousands are not counted on every page) and whether it stopped."""
    where = _filtered(principal, filters)
    stmt = ordered(select(Opportunity).where(*where), sort, SORTS, frozenset(SORTS)).offset(page.offset)
    rows = list(db.scalars(stmt.limit(page.size)))
    head = select(Opportunity.id).where(*where).limit(COUNT_CAP + 1).subquery()
    total = int(db.scalar(select(func.count()).select_from(head)) or 0)
    return rows, min(total, COUNT_CAP), total > COUNT_CAP


def stage_totals(
    db: Session, principal: Principal, *, owner_id: int | None = None, unit_path: str | None = None
) -> dict[str, tuple[int, int, int]]:
    """Stage → (opportunities, amount, probability-weighted amount ×100) in scope, of one owner or unit subtree
    when given, read from the running totals."""
    t = OpportunityStageTotal
    where = [owned_scope(principal, t.owner_id, t.unit_id)]
    if owner_id is not None:
        where.append(t.owner_id == owner_id)
    if unit_path is not None:
        where.append(t.unit_id.in_(subtree_ids(unit_path)))
    stmt = select(t.stage, func.sum(t.n), func.sum(t.amount), func.sum(t.weighted100)).where(*where).group_by(t.stage)
    return {s: (int(n), int(a or 0), int(w or 0)) for s, n, a, w in db.execute(stmt) if n}


TotalKey = tuple[int, int, str]  # unit, owner, stage


def shift_totals(db: Session, changes: list[tuple[TotalKey, int, int, int]]) -> None:
    """Add (key, opportunities, amount, weighted ×100) changes to the running totals in one atomic upsert per key,
    keys in a fixed order so two writers lock the same rows in the same order (no deadlock between them)."""
    net: dict[TotalKey, tuple[int, int, int]] = {}
    for key, n, amount, w100 in changes:
        a, b, c = net.get(key, (0, 0, 0))
        net[key] = (a + n, b + amount, c + w100)
    t = OpportunityStageTotal
    upsert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    for (unit, owner, stage), (n, amount, w100) in sorted(net.items()):
        if n == amount == w100 == 0:
            continue
        stmt = upsert(t).values(unit_id=unit, owner_id=owner, stage=stage, n=n, amount=amount, weighted100=w100)
        ex = stmt.excluded
        db.execute(
            stmt.on_conflict_do_update(
                index_elements=[t.unit_id, t.owner_id, t.stage],
                set_={"n": t.n + ex.n, "amount": t.amount + ex.amount, "weighted100": t.weighted100 + ex.weighted100},
            )
        )


def counted_totals(db: Session) -> dict[TotalKey, tuple[int, int, int]]:
    """The totals recounted from the opportunities themselves (what the running totals must equal)."""
    o = Opportunity
    stmt = select(
        o.unit_id, o.owner_id, o.stage, func.count(), func.sum(o.amount), func.sum(o.amount * o.probability_pct)
    ).group_by(o.unit_id, o.owner_id, o.stage)
    return {(u, w, s): (int(n), int(a), int(p)) for u, w, s, n, a, p in db.execute(stmt)}


def running_totals(db: Session) -> dict[TotalKey, tuple[int, int, int]]:
    """The running totals as stored, empty ones left out."""
    t = OpportunityStageTotal
    stmt = select(t.unit_id, t.owner_id, t.stage, t.n, t.amount, t.weighted100).where(t.n != 0)
    return {(u, w, s): (int(n), int(a), int(p)) for u, w, s, n, a, p in db.execute(stmt)}


def rebuild_totals(db: Session) -> int:
    """Replace the running totals by a recount (after a bulk load that bypassed the service); rows written."""
    db.execute(delete(OpportunityStageTotal))
    counted = counted_totals(db)
    rows = [
        {"unit_id": u, "owner_id": w, "stage": s, "n": n, "amount": a, "weighted100": p}
        for (u, w, s), (n, a, p) in counted.items()
    ]
    if rows:
        db.execute(insert(OpportunityStageTotal), rows)
    return len(rows)


def first_cards(
    db: Session, principal: Principal, filters: dict[str, Any], stages: list[str], limit: int
) -> dict[str, list[Opportunity]]:
    """The first cards of each stage, soonest expected close first, in one round trip (a limited walk of the
    ``(expected_close, id)`` order per stage, united)."""
    if not stages:
        return {}
    o = Opportunity
    where = _filtered(principal, filters)
    heads = [
        select(o.id).where(*where, o.stage == stage).order_by(o.expected_close, o.id).limit(limit).subquery()
        for stage in stages
    ]
    ids = union_all(*(select(h.c.id) for h in heads))
    rows = db.scalars(select(o).where(o.id.in_(ids)).order_by(o.expected_close, o.id))
    out: dict[str, list[Opportunity]] = {stage: [] for stage in stages}
    for row in rows:
        out[row.stage].append(row)
    return out


def customers(db: Session, ids: set[int]) -> dict[int, Customer]:
    """Customers by id."""
    return {c.id: c for c in db.scalars(select(Customer).where(Customer.id.in_(ids)))} if ids else {}


def user_names(db: Session, ids: set[int]) -> dict[int, tuple[str, str]]:
    """User id → (username, display name)."""
    stmt = select(User.id, User.username, User.display_name).where(User.id.in_(ids))
    return {i: (u, d) for i, u, d in db.execute(stmt)} if ids else {}


def unit_codes(db: Session, ids: set[int]) -> dict[int, str]:
    """Unit id → code."""
    return {i: c for i, c in db.execute(select(OrgUnit.id, OrgUnit.code).where(OrgUnit.id.in_(ids)))} if ids else {}


def product(db: Session, code: str) -> Product | None:
    """A product of the catalogue by code."""
    return db.get(Product, code)


def products(db: Session) -> list[Product]:
    """Every product in catalogue order."""
    return list(db.scalars(select(Product).order_by(Product.sort_order)))


def user_by_username(db: Session, username: str) -> User | None:
    """A user by name."""
    return db.scalars(select(User).where(User.username == username)).one_or_none()


def unit_by_code(db: Session, code: str) -> OrgUnit | None:
    """A unit by code."""
    return db.scalars(select(OrgUnit).where(OrgUnit.code == code)).one_or_none()


def unit_by_id(db: Session, unit_id: int) -> OrgUnit | None:
    """A unit by id."""
    return db.get(OrgUnit, unit_id)


def users_under(db: Session, path: str) -> list[User]:
    """Active users working in the unit subtree, by name."""
    stmt = (
        select(User)
        .where(User.org_unit_id.in_(subtree_ids(path)), User.active.is_(True))
        .order_by(User.display_name, User.id)
    )
    return list(db.scalars(stmt))


# --- proposed wins -------------------------------------------------------------------------------------------


def unproposed_open(db: Session, open_stages: tuple[str, ...], customer_ids: set[int] | None) -> list[Opportunity]:
    """Open opportunities with no proposed win yet (of these customers only, when given)."""
    o = Opportunity
    stmt = select(o).where(o.stage.in_(open_stages), o.proposed_on.is_(None))
    if customer_ids is not None:
        stmt = stmt.where(o.customer_id.in_(customer_ids))
    return list(db.scalars(stmt.order_by(o.id)))


def holdings_since(db: Session, customer_ids: set[int], since: date) -> list[tuple[int, str, date, int]]:
    """(customer, product, opened on, amount) of accounts and loans opened on or after ``since``: balance of an
    account, contract amount of a loan."""
    acc = select(Account.customer_id, Account.product_code, Account.open_date, Account.balance).where(
        Account.customer_id.in_(customer_ids), Account.open_date >= since
    )
    loan = select(
        LoanContract.customer_id, LoanContract.product_code, LoanContract.start_date, LoanContract.amount
    ).where(LoanContract.customer_id.in_(customer_ids), LoanContract.start_date >= since)
    return [(c, p, d, int(a)) for c, p, d, a in db.execute(acc.union_all(loan))]


# --- activities ----------------------------------------------------------------------------------------------


def activities(
    db: Session,
    principal: Principal,
    *,
    owner_id: int | None = None,
    customer_id: int | None = None,
    opportunity_id: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    unit_path: str | None = None,
    page: PageRequest | None = None,
) -> tuple[list[Activity], int]:
    """Activities in scope, newest first, optionally of one owner, customer, opportunity, unit or time window."""
    a = Activity
    where = [owned_scope(principal, a.owner_id, a.unit_id)]
    if owner_id is not None:
        where.append(a.owner_id == owner_id)
    if customer_id is not None:
        where.append(a.customer_id == customer_id)
    if opportunity_id is not None:
        where.append(a.opportunity_id == opportunity_id)
    if start is not None:
        where.append(a.starts_at >= start)
    if end is not None:
        where.append(a.starts_at < end)
    if unit_path is not None:
        where.append(a.unit_id.in_(subtree_ids(unit_path)))
    stmt = select(a).where(*where).order_by(a.starts_at.desc(), a.id.desc())
    if page is not None:
        stmt = stmt.offset(page.offset).limit(page.size)
    rows = list(db.scalars(stmt))
    total = db.scalar(select(func.count()).select_from(a).where(*where)) if page is not None else len(rows)
    return rows, int(total or 0)


def activity(db: Session, activity_id: int) -> Activity | None:
    """An activity by id whatever the scope."""
    return db.get(Activity, activity_id)


def activity_readable(db: Session, principal: Principal, activity_id: int) -> bool:
    """Whether the activity exists in the principal's scope."""
    a = Activity
    return db.scalar(select(a.id).where(a.id == activity_id, owned_scope(principal, a.owner_id, a.unit_id))) is not None


def feeds_of(db: Session, user_id: int) -> list[CalendarFeed]:
    """A user's live feeds."""
    stmt = select(CalendarFeed).where(CalendarFeed.user_id == user_id, CalendarFeed.revoked_at.is_(None))
    return list(db.scalars(stmt))


def feed_by_hash(db: Session, token_hash: str) -> CalendarFeed | None:
    """A live feed by the hash of its token."""
    stmt = select(CalendarFeed).where(CalendarFeed.token_hash == token_hash, CalendarFeed.revoked_at.is_(None))
    return db.scalars(stmt).one_or_none()


def targets(db: Session, period: str, unit_ids: list[int]) -> list[SalesTarget]:
    """The targets of a period set in these units."""
    stmt = select(SalesTarget).where(SalesTarget.period == period, SalesTarget.unit_id.in_(unit_ids))
    return list(db.scalars(stmt.order_by(SalesTarget.kind, SalesTarget.id)))


def target(db: Session, kind: str, period: str, unit_id: int, manager_id: int | None) -> SalesTarget | None:
    """The one target of a kind for a period, unit and manager (None: the unit's own)."""
    t = SalesTarget
    who = t.manager_id.is_(None) if manager_id is None else t.manager_id == manager_id
    stmt = select(t).where(t.kind == kind, t.period == period, t.unit_id == unit_id, who)
    return db.scalars(stmt).one_or_none()
