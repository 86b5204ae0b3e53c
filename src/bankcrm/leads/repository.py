"""Lead queries: every read of a lead goes through ``readable`` (the reader's scope); rotas, points, duplicates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, true, union_all, update
from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.access.scope import customer_scope
from bankcrm.db import insert_many
from bankcrm.db import reserve_ids as _reserve_ids
from bankcrm.models.access import User
from bankcrm.models.customer import Customer, CustomerContact
from bankcrm.models.lead import OPEN_STATUSES, Lead, LeadAssignment, LeadRota, LeadStatus, ReferralPoints
from bankcrm.models.org import OrgUnit

COUNT_CAP = 10_000
MAX_PARTS = 40  # units a unit scope is read one by one for (beyond: one IN list)


def _units_under(path: str) -> Select[Any]:
    return select(OrgUnit.id).where(OrgUnit.path.startswith(path, autoescape=True))


def lead_scope(principal: Principal) -> ColumnElement[bool]:
    """Leads the principal may read: ``all`` every lead; ``unit`` leads of units under theirs; ``own`` leads
    assigned to them or made by them. Everyone reads the leads they referred (to follow their progress)."""
    if principal.data_scope == "all":
        return true()
    mine = [Lead.referrer_id == principal.user_id, Lead.created_by == principal.user_id]
    if principal.data_scope == "unit":
        return or_(Lead.unit_id.in_(_units_under(principal.unit_path)), *mine)
    return or_(Lead.assignee_id == principal.user_id, *mine)


def readable(principal: Principal) -> Select[Any]:
    """Leads in the principal's scope."""
    return select(Lead).where(lead_scope(principal))


def lead(db: Session, principal: Principal, lead_id: int, *, lock: bool = False) -> Lead | None:
    """One lead in scope (locked for update on PostgreSQL when asked)."""
    stmt = readable(principal).where(Lead.id == lead_id)
    found: Lead | None = db.scalar(stmt.with_for_update() if lock else stmt)
    return found


def exists(db: Session, lead_id: int) -> bool:
    """Whether the lead exists at all (to tell out of scope from absent in the audit log)."""
    return db.scalar(select(Lead.id).where(Lead.id == lead_id)) is not None


def by_external(db: Session, system: str, ref: str) -> Lead | None:
    """The lead a source system already delivered under its key."""
    return db.scalar(select(Lead).where(Lead.external_system == system, Lead.external_ref == ref))


def open_duplicates(
    db: Session, *, customer_id: int | None, interest: str, phone_index: str | None, id_no_index: str | None
) -> list[Lead]:
    """Open leads for the same person: the same customer and interest, or the same phone or ID number."""
    who = []
    if customer_id is not None:
        who.append(and_(Lead.customer_id == customer_id, Lead.interest == interest))
    if phone_index is not None:
        who.append(Lead.phone_index == phone_index)
    if id_no_index is not None:
        who.append(Lead.id_no_index == id_no_index)
    if not who:
        return []
    stmt = select(Lead).where(Lead.status.in_([s.value for s in OPEN_STATUSES]), or_(*who)).order_by(Lead.id)
    return list(db.scalars(stmt))


def customers_with(db: Session, phone_index: str | None, id_no_index: str | None) -> list[Customer]:
    """Customers of the CIF with this phone (a current contact) or ID number, regardless of scope."""
    found: dict[int, Customer] = {}
    if phone_index is not None:
        stmt = select(Customer).join(CustomerContact, CustomerContact.customer_id == Customer.id)
        stmt = stmt.where(CustomerContact.channel == "phone", CustomerContact.value_index == phone_index)
        found.update({c.id: c for c in db.scalars(stmt)})
    if id_no_index is not None:
        found.update({c.id: c for c in db.scalars(select(Customer).where(Customer.id_no_index == id_no_index))})
    return [found[k] for k in sorted(found)]


def customer_readable(db: Session, principal: Principal, customer_id: int) -> bool:
    """Whether the principal may read this customer."""
    stmt = select(Customer.id).join(OrgUnit, OrgUnit.id == Customer.home_unit_id)
    return db.scalar(stmt.where(Customer.id == customer_id, customer_scope(principal))) is not None


def _scope_parts(db: Session, principal: Principal) -> list[tuple[Any, int]] | None:
    """``lead_scope`` as (column, value) parts whose union it is, each read newest first from its own index
    (the unit scope: one part per unit); None: one query serves (every lead, or more than ``MAX_PARTS`` units)."""
    if principal.data_scope == "all" or principal.user_id is None:
        return None
    mine = [(Lead.referrer_id, principal.user_id), (Lead.created_by, principal.user_id)]
    if principal.data_scope == "unit":
        units = sorted(db.scalars(_units_under(principal.unit_path)))
        return None if len(units) > MAX_PARTS else [*((Lead.unit_id, u) for u in units), *mine]
    return [(Lead.assignee_id, principal.user_id), *mine]


def _fenced_scope(db: Session, principal: Principal) -> ColumnElement[bool]:
    """``lead_scope`` (own or unit) with its columns fenced off the indexes (see ``_filtered``)."""
    uid = principal.user_id or 0
    mine = [func.coalesce(Lead.referrer_id, 0) == uid, func.coalesce(Lead.created_by, 0) == uid]
    if principal.data_scope == "unit":
        units = list(db.scalars(_units_under(principal.unit_path)))
        return or_(func.coalesce(Lead.unit_id, 0).in_(units), *mine)
    return or_(func.coalesce(Lead.assignee_id, 0) == uid, *mine)


def _filtered(filters: dict[str, Any], *, fenced: bool = False) -> list[ColumnElement[bool]]:
    """The list's filters besides the status. ``fenced``: each column wrapped (``coalesce``) so that no planner
    serves the term from an index: a scope part is then read along its own index and these filters checked as
    its rows stream by (SQLite would read every pooled lead by ``assignee_id IS NULL`` and sort them)."""

    def col(name: str) -> Any:
        column = getattr(Lead, name)
        if not fenced:
            return column
        return func.coalesce(column, "" if name in ("source", "interest", "status") else 0)

    where: list[ColumnElement[bool]] = []
    for key in ("source", "interest", "assignee_id", "referrer_id"):
        if filters.get(key) is not None:
            where.append(col(key) == filters[key])
    if filters.get("unassigned"):
        where.append(Lead.assignee_id.is_(None) if not fenced else col("assignee_id") == 0)
    if filters.get("unit_path"):
        where.append(col("unit_id").in_(_units_under(filters["unit_path"])))
    if filters.get("returned"):
        expired = select(LeadAssignment.lead_id).where(LeadAssignment.ended_how == "EXPIRED")
        where.extend([col("status") == LeadStatus.NEW.value, Lead.id.in_(expired)])
    return where


def _status(filters: dict[str, Any]) -> list[ColumnElement[bool]]:
    """The status filter."""
    return [Lead.status == filters["status"]] if filters.get("status") else []


def _part(
    column: Any, value: int, filters: dict[str, Any], wanted: int, *, ordered: bool, scope: Any = None
) -> Select[Any]:
    """At most ``wanted`` ids of one scope part (``column = value``) matching the filters, read along the part's
    index: (column, status, id) when a status is asked for and the part has it, else (column, id); the other
    filters fenced off every index. ``ordered``: newest first.

    The order names a key the primary key cannot give (the status, or the part's column kept a range), so
    neither planner may walk the whole table backwards by id hoping to meet the part's rows soon: with ``=``
    both keys are constants, the order is "id" alone, and PostgreSQL took that walk for am1's qualified leads
    (0.8 s at 1,000,000 leads, none of them qualified)."""
    status = filters.get("status")
    indexed = column in (Lead.assignee_id, Lead.unit_id)
    if status and indexed:
        where: list[Any] = [column == value, Lead.status.between(status, status)]
        order: list[Any] = [Lead.status.desc(), Lead.id.desc()]
    else:
        fence = [func.coalesce(Lead.status, "") == status] if status else []
        where = [column.between(value, value) if ordered else column == value, *fence]
        order = [column.desc(), Lead.id.desc()]
    stmt = select(Lead.id).where(*where, *_filtered(filters, fenced=True))
    if scope is not None:
        stmt = stmt.where(scope)
    return (stmt.order_by(*order) if ordered else stmt).limit(wanted)


def page(db: Session, principal: Principal, filters: dict[str, Any], offset: int, limit: int) -> tuple[list[Lead], int]:
    """A page of leads in scope, newest first, and the count (filters: status, source, interest, assignee_id,
    referrer_id, unassigned, unit_path, returned).

    In the own and unit scopes the newest ids are taken part by part (assigned to me, referred by me, made by
    me; or unit by unit), each from its own index, then merged here; the count likewise, part by part until it
    passes COUNT_CAP: past it a list says "10,000 or more" (a branch's whole book is not counted on every page
    view)."""
    wanted = offset + limit
    parts = _scope_parts(db, principal)
    if parts is None:
        where = [lead_scope(principal), *_status(filters), *_filtered(filters)]
        newest = list(db.scalars(select(Lead.id).where(*where).order_by(Lead.id.desc()).limit(wanted)))
        capped = select(Lead.id).where(*where).limit(COUNT_CAP + 1).subquery()
        total = db.scalar(select(func.count()).select_from(capped)) or 0
    else:
        scope = None
        if filters.get("assignee_id") is not None:  # "my leads": one part, the scope checked as rows stream by
            scope = _fenced_scope(db, principal)
            parts = [(Lead.assignee_id, filters["assignee_id"])]
        subs = [_part(c, v, filters, wanted, ordered=True, scope=scope).subquery() for c, v in parts]
        newest = list(db.scalars(union_all(*(select(p.c.id) for p in subs))))
        counted: set[int] = set()
        for column, value in parts:
            counted.update(db.scalars(_part(column, value, filters, COUNT_CAP + 1, ordered=False, scope=scope)))
            if len(counted) > COUNT_CAP:
                break
        total = len(counted)
    ids = sorted(set(newest), reverse=True)[offset:wanted]
    rows = list(db.scalars(select(Lead).where(Lead.id.in_(ids)).order_by(Lead.id.desc()))) if ids else []
    return rows, total


def users(db: Session, ids: set[int]) -> dict[int, User]:
    """Users by id."""
    if not ids:
        return {}
    return {u.id: u for u in db.scalars(select(User).where(User.id.in_(ids)))}


def units(db: Session, ids: set[int]) -> dict[int, OrgUnit]:
    """Org units by id."""
    if not ids:
        return {}
    return {u.id: u for u in db.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)))}


def customers(db: Session, ids: set[int]) -> dict[int, Customer]:
    """Customers by id (the caller has the leads in scope; the customer's name follows the lead's scope)."""
    if not ids:
        return {}
    return {c.id: c for c in db.scalars(select(Customer).where(Customer.id.in_(ids)))}


def unit_by_code(db: Session, code: str) -> OrgUnit | None:
    """An active org unit by code."""
    return db.scalar(select(OrgUnit).where(OrgUnit.code == code, OrgUnit.active.is_(True)))


def user_by_name(db: Session, username: str) -> User | None:
    """An active user by user name."""
    return db.scalar(select(User).where(User.username == username, User.active.is_(True)))


def all_units(db: Session) -> dict[int, OrgUnit]:
    """Every org unit by id (a small table: the rota walk climbs it in memory)."""
    return {u.id: u for u in db.scalars(select(OrgUnit))}


def rotas(db: Session) -> Sequence[LeadRota]:
    """Every active rota row, in a stable order (unit, interest, user)."""
    stmt = select(LeadRota).where(LeadRota.active.is_(True)).order_by(LeadRota.unit_id, LeadRota.id)
    return db.scalars(stmt).all()


def active_user_ids(db: Session, ids: set[int]) -> set[int]:
    """Which of these users are active."""
    if not ids:
        return set()
    return set(db.scalars(select(User.id).where(User.id.in_(ids), User.active.is_(True))))


def add_given(db: Session, counts: dict[int, int]) -> None:
    """Advance the rota rows' turn counters by what a run gave each (one atomic UPDATE per row)."""
    for rota_id in sorted(counts):  # a stable order: two runs lock rota rows alike
        db.execute(update(LeadRota).where(LeadRota.id == rota_id).values(given=LeadRota.given + counts[rota_id]))


def rota_row(db: Session, unit_id: int, interest: str | None, user_id: int) -> LeadRota | None:
    """One rota row."""
    stmt = select(LeadRota).where(LeadRota.unit_id == unit_id, LeadRota.user_id == user_id)
    stmt = stmt.where(LeadRota.interest.is_(None) if interest is None else LeadRota.interest == interest)
    return db.scalar(stmt)


def unit_rotas(db: Session, unit_id: int) -> list[tuple[LeadRota, User]]:
    """Every rota row of a unit, left ones too, with its manager: by interest (any first), then turn order."""
    stmt = (
        select(LeadRota, User)
        .join(User, User.id == LeadRota.user_id)
        .where(LeadRota.unit_id == unit_id)
        .order_by(LeadRota.interest.is_not(None), LeadRota.interest, LeadRota.position, LeadRota.id)
    )
    return [(r, u) for r, u in db.execute(stmt)]


def staff_under(db: Session, path: str) -> list[User]:
    """Active users working in the unit subtree, by name."""
    stmt = select(User).where(User.org_unit_id.in_(_units_under(path)), User.active.is_(True))
    return list(db.scalars(stmt.order_by(User.display_name, User.id)))


def overdue(db: Session, now: datetime, limit: int) -> list[Lead]:
    """Assigned leads not accepted by their due time, oldest due first."""
    stmt = select(Lead).where(
        Lead.status == LeadStatus.ASSIGNED.value, Lead.accepted_at.is_(None), Lead.accept_due_at <= now
    )
    return list(db.scalars(stmt.order_by(Lead.accept_due_at, Lead.id).limit(limit).with_for_update()))


def open_spell(db: Session, lead_id: int) -> LeadAssignment | None:
    """The lead's current assignment spell."""
    stmt = select(LeadAssignment).where(LeadAssignment.lead_id == lead_id, LeadAssignment.ended_at.is_(None))
    return db.scalar(stmt.order_by(LeadAssignment.id.desc()))


def spells(db: Session, lead_id: int) -> Sequence[LeadAssignment]:
    """Every assignment spell of a lead, oldest first."""
    return db.scalars(select(LeadAssignment).where(LeadAssignment.lead_id == lead_id).order_by(LeadAssignment.id)).all()


def awaiting_approval(db: Session) -> list[Lead]:
    """Qualified leads whose CIF create request has been filed (the job settles the decided ones)."""
    stmt = select(Lead).where(Lead.status == LeadStatus.QUALIFIED.value, Lead.change_request_id.is_not(None))
    return list(db.scalars(stmt.order_by(Lead.id)))


def leaderboard(db: Session, month: date, unit_path: str) -> list[tuple[int, int, int]]:
    """(user id, points, referrals credited) of the month for referrers whose unit lies under the path."""
    stmt = (
        select(ReferralPoints.user_id, func.sum(ReferralPoints.points), func.count())
        .where(ReferralPoints.month == month, ReferralPoints.unit_id.in_(_units_under(unit_path)))
        .group_by(ReferralPoints.user_id)
    )
    return [(int(u), int(p or 0), int(n)) for u, p, n in db.execute(stmt)]


def points_of(db: Session, user_id: int) -> int:
    """A referrer's points, all time."""
    return int(
        db.scalar(select(func.coalesce(func.sum(ReferralPoints.points), 0)).where(ReferralPoints.user_id == user_id))
        or 0
    )


def points_by_lead(db: Session, lead_ids: list[int]) -> dict[int, int]:
    """Points credited per lead."""
    if not lead_ids:
        return {}
    stmt = select(ReferralPoints.lead_id, ReferralPoints.points).where(ReferralPoints.lead_id.in_(lead_ids))
    return {int(k): int(v) for k, v in db.execute(stmt)}


def customer_leads(db: Session, principal: Principal, customer_id: int) -> list[Lead]:
    """A customer's leads the reader may see, newest first."""
    stmt = readable(principal).where(Lead.customer_id == customer_id).order_by(Lead.id.desc()).limit(50)
    found: list[Lead] = list(db.scalars(stmt))
    return found


def delivered_refs(db: Session, system: str, refs: list[str]) -> set[str]:
    """Which of these references the system delivered before."""
    found: set[str] = set()
    for start in range(0, len(refs), 1000):
        part = refs[start : start + 1000]
        stmt = select(Lead.external_ref).where(Lead.external_system == system, Lead.external_ref.in_(part))
        found.update(r for r in db.scalars(stmt) if r is not None)
    return found


def taken_phone_indexes(db: Session, indexes: set[str]) -> set[str]:
    """Which phone blind indexes are a customer's phone or an open lead's."""
    found: set[str] = set()
    ordered = sorted(indexes)
    open_codes = [s.value for s in OPEN_STATUSES]
    for start in range(0, len(ordered), 1000):
        part = ordered[start : start + 1000]
        contact = select(CustomerContact.value_index).where(
            CustomerContact.channel == "phone", CustomerContact.value_index.in_(part)
        )
        leads = select(Lead.phone_index).where(Lead.phone_index.in_(part), Lead.status.in_(open_codes))
        found.update(i for i in db.scalars(contact) if i is not None)
        found.update(i for i in db.scalars(leads) if i is not None)
    return found


def add_spells(db: Session, rows: list[dict[str, Any]]) -> None:
    """Assignment spells in one bulk insert (COPY on PostgreSQL)."""
    insert_many(db, LeadAssignment, rows)


def account_managers(db: Session, ids: set[int]) -> dict[int, int | None]:
    """The primary account manager of each of these customers (None: none), a thousand per query."""
    found: dict[int, int | None] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), 1000):
        stmt = select(Customer.id, Customer.account_manager_id).where(Customer.id.in_(ordered[start : start + 1000]))
        found.update({int(c): m for c, m in db.execute(stmt)})
    return found


def reserve_ids(db: Session, n: int) -> list[int]:
    """``n`` new lead ids (a delivered file's leads are written in bulk, each phone encrypted bound to its id)."""
    return _reserve_ids(db, Lead, n)


def add_leads(db: Session, rows: list[dict[str, Any]]) -> None:
    """New leads with their ids, every column, in one bulk insert (COPY on PostgreSQL)."""
    insert_many(db, Lead, rows)
