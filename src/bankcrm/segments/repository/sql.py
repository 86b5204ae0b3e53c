"""A validated specification compiled to a SQLAlchemy WHERE clause: names map to fixed columns, values bind."""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, exists, false, not_, or_, select, true
from sqlalchemy.orm import aliased

from bankcrm.models.customer import Customer
from bankcrm.models.group import CorporateGroup, CorporateGroupMember, GroupStatus
from bankcrm.models.holding import Account, CustomerFigure, LoanContract, Product
from bankcrm.models.household import Household, HouseholdMember
from bankcrm.models.insight import CustomerMonth
from bankcrm.models.org import OrgUnit
from bankcrm.models.tag import CustomerTag
from bankcrm.segments.filters import Condition, Group

# The newest snapshot row, outer-joined on the customer by ``members_query``; a change reads an older one.
CURRENT = aliased(CustomerMonth, name="cm_now")
EARLIER = aliased(CustomerMonth, name="cm_then")


def add_months(month: date, n: int) -> date:
    """The first day of the month ``n`` months from ``month`` (negative: back)."""
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def months_before(day: date, n: int) -> date:
    """The same day ``n`` months earlier (the month's last day when it is shorter: 31 May − 3 → 28 or 29 Feb)."""
    first = add_months(day.replace(day=1), -n)
    return first.replace(day=min(day.day, monthrange(first.year, first.month)[1]))


class Live:
    """A specification read from the tables: ``customer`` outer-joined to its newest snapshot row ``CURRENT``; a
    change looks the earlier row up."""

    customer: Any = Customer

    def feature(self, name: str) -> Any:
        """The newest month's figure."""
        return getattr(CURRENT, name)

    def change(self, c: Condition, month: date | None) -> ColumnElement[bool]:
        """Percent change from ``months`` before, without division: (now − then) × 100 op p × then, then > 0."""
        if month is None or c.months is None:
            return false()
        then = getattr(EARLIER, c.name)
        return exists(
            select(EARLIER.customer_id).where(
                EARLIER.customer_id == Customer.id,
                EARLIER.month == add_months(month, -c.months),
                then > 0,
                _changed(c, self.feature(c.name), then),
            )
        )


class Scratch(Live):
    """A specification read from the nightly's scratch table (``repository.segments.scratch``): one row per live
    customer with the customer columns conditions read, the newest month's figures as ``f_<feature>`` and the
    earlier ones a change compares with as ``f_<feature>_<months>``."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.customer = table.c

    def feature(self, name: str) -> Any:
        return self.table.c[f"f_{name}"]

    def change(self, c: Condition, month: date | None) -> ColumnElement[bool]:
        if month is None or c.months is None:
            return false()
        then = self.table.c[f"f_{c.name}_{c.months}"]
        return and_(then > 0, _changed(c, self.feature(c.name), then))


class Joined(Live):
    """A specification read over many customers at once: ``customer`` outer-joined to its newest snapshot row
    ``CURRENT`` and, for each span of months a change looks back, to that month's row (``cm_<months>``), as the
    scratch table is built; a change compares the two joined rows instead of probing for the earlier one a
    customer. ``changes``: the (feature, months) of the specifications' changes (``wanted``)."""

    def __init__(self, changes: Iterable[tuple[str, int]]) -> None:
        self.earlier = {back: aliased(CustomerMonth, name=f"cm_{back}") for back in sorted({b for _, b in changes})}

    def change(self, c: Condition, month: date | None) -> ColumnElement[bool]:
        if month is None or c.months is None:
            return false()
        then = getattr(self.earlier[c.months], c.name)
        return and_(then > 0, _changed(c, self.feature(c.name), then))

    def rows(self, month: date | None, first: int, end: int | None) -> Any:
        """SELECT (no columns yet) of the customers not merged with ids from ``first`` to before ``end`` (None: to
        the last), joined to their snapshot rows; the range is said on every joined table, so each reads its part."""

        def part(column: Any) -> ColumnElement[bool]:
            return column >= first if end is None else and_(column >= first, column < end)

        joined: Any = Customer.__table__.outerjoin(
            CURRENT, and_(CURRENT.customer_id == Customer.id, CURRENT.month == month, part(CURRENT.customer_id))
        )
        for back, then in self.earlier.items():
            on = and_(then.customer_id == Customer.id, then.month == _back(month, back), part(then.customer_id))
            joined = joined.outerjoin(then, on)
        return select().select_from(joined).where(Customer.status != "MERGED", part(Customer.id))


def _back(month: date | None, months: int) -> date | None:
    return None if month is None else add_months(month, -months)


LIVE = Live()


def members_query(spec: Group, *, month: date | None, today: date) -> Any:
    """SELECT customer.id of every customer (not merged) the specification holds for; ``month`` the snapshot's."""
    return (
        select(Customer.id)
        .outerjoin(CURRENT, and_(CURRENT.customer_id == Customer.id, CURRENT.month == month))
        .where(Customer.status != "MERGED", compile_spec(spec, month=month, today=today))
    )


def scratch_query(spec: Group, scratch: Scratch, *, month: date | None, today: date) -> Any:
    """SELECT id of every row of the scratch table (live customers) the specification holds for."""
    return select(scratch.table.c.id.label("id")).where(compile_spec(spec, month=month, today=today, over=scratch))


def wanted(node: Group | Condition) -> tuple[set[str], set[tuple[str, int]]]:
    """The features a specification reads from the newest month, and the (feature, months) of its changes."""
    if isinstance(node, Condition):
        if node.kind == "feature":
            return {node.name}, set()
        if node.kind == "change" and node.months is not None:
            return {node.name}, {(node.name, node.months)}
        return set(), set()
    features: set[str] = set()
    changes: set[tuple[str, int]] = set()
    for item in node.items:
        f, c = wanted(item)
        features, changes = features | f, changes | c
    return features, changes


def compile_spec(node: Group | Condition, *, month: date | None, today: date, over: Live = LIVE) -> ColumnElement[bool]:
    """The node as a WHERE clause over ``over``'s rows (by default ``customer`` outer-joined to ``CURRENT``)."""
    if isinstance(node, Condition):
        return _condition(node, month, today, over)
    parts = [compile_spec(i, month=month, today=today, over=over) for i in node.items]
    if node.joiner == "not":
        # A missing figure is NULL: NOT NULL would be NULL too, so "not" means "the condition does not hold".
        return not_(_coalesce(parts[0]))
    return and_(true(), *parts) if node.joiner == "all" else or_(false(), *parts)


def _coalesce(clause: ColumnElement[bool]) -> ColumnElement[bool]:
    return and_(clause.is_not(None), clause)


def compare(column: Any, op: str, value: Any) -> ColumnElement[bool]:
    """``column op value`` for one of the specification's operators; the value is bound, never spliced."""
    ops = {
        "=": lambda: column == value,
        "!=": lambda: column != value,
        "<": lambda: column < value,
        "<=": lambda: column <= value,
        ">": lambda: column > value,
        ">=": lambda: column >= value,
        "between": lambda: column.between(value[0], value[1]),
        "in": lambda: column.in_(list(value)),
        "not_in": lambda: column.not_in(list(value)),
    }
    return ops[op]()  # type: ignore[no-any-return]


def _changed(c: Condition, now: Any, then: Any) -> ColumnElement[bool]:
    """(now − then) × 100 op p × then: the percent change without division."""
    delta = (now - then) * 100
    if c.op == "between":
        return and_(delta >= then * c.value[0], delta <= then * c.value[1])
    return compare(delta, c.op, then * c.value)


def _attribute(c: Condition, today: date, customer: Any) -> ColumnElement[bool]:
    if c.name == "status":
        return compare(customer.status, c.op, c.value)
    if c.name == "home_unit":
        units = select(OrgUnit.id).where(compare(OrgUnit.code, "in" if c.op in ("=", "in") else "not_in", _list(c)))
        return customer.home_unit_id.in_(units)  # type: ignore[no-any-return]
    since = months_before(today, c.value)
    if c.name == "customer_since":
        column: Any = customer.created_at
        cutoff: Any = datetime(since.year, since.month, since.day, tzinfo=UTC)
    else:  # last_transaction, from the nightly figures; none on file counts as long ago
        column = select(CustomerFigure.last_txn_date).where(CustomerFigure.customer_id == customer.id)
        column, cutoff = column.scalar_subquery(), since
    inside = and_(column.is_not(None), column >= cutoff)
    return inside if c.op == "in_last_months" else not_(inside)


def _list(c: Condition) -> tuple[str, ...]:
    return c.value if isinstance(c.value, tuple) else (c.value,)


def _condition(c: Condition, month: date | None, today: date, over: Live) -> ColumnElement[bool]:
    customer = over.customer
    if c.kind == "feature":
        return compare(over.feature(c.name), c.op, c.value)
    if c.kind == "change":
        return over.change(c, month)
    if c.kind == "attribute":
        return _attribute(c, today, customer)
    if c.kind == "has_tag":
        return exists(
            select(CustomerTag.id).where(
                CustomerTag.customer_id == customer.id,
                CustomerTag.removed_at.is_(None),
                CustomerTag.tag_code.in_(list(c.value)),
            )
        )
    if c.kind == "holds_category":
        accounts = select(Account.id).join(Product, Product.code == Account.product_code)
        loans = select(LoanContract.id).join(Product, Product.code == LoanContract.product_code)
        return or_(
            exists(
                accounts.where(
                    Account.customer_id == customer.id,
                    Account.close_date.is_(None),
                    Product.category.in_(list(c.value)),
                )
            ),
            exists(
                loans.where(
                    LoanContract.customer_id == customer.id,
                    LoanContract.outstanding > 0,
                    Product.category.in_(list(c.value)),
                )
            ),
        )
    if c.name == "household":
        return exists(
            select(HouseholdMember.customer_id)
            .join(Household, Household.id == HouseholdMember.household_id)
            .where(HouseholdMember.customer_id == customer.id, Household.dissolved_at.is_(None))
        )
    return exists(
        select(CorporateGroupMember.customer_id)
        .join(CorporateGroup, CorporateGroup.id == CorporateGroupMember.group_id)
        .where(
            CorporateGroupMember.customer_id == customer.id,
            CorporateGroup.status == GroupStatus.ACCEPTED,
            CorporateGroup.ended_at.is_(None),
        )
    )
