"""The rule language of rule tags: a small JSON specification, validated, then compiled to SQLAlchemy.

A rule is a group ``{"all": [...]}`` or ``{"any": [...]}`` of conditions and groups; a condition is
``{"field": NAME, "op": OP, "value": VALUE}`` on one of ``FIELDS`` below (customer attributes, the nightly
figures in ``customer_figure``, what the customer holds). Values are checked against the field's type and
only ever reach the database as bound parameters: nothing is evaluated, no SQL is built from text. An
invalid rule raises ``RuleError`` naming the part (``all[1].value``) and what is wrong with it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, func, or_, select, true

from bankcrm.kit.i18n import N_
from bankcrm.models.customer import Customer, IndividualProfile
from bankcrm.models.holding import Account, AccountTransaction, CustomerFigure, Product

MONEY, COUNT, DAYS, CODE = "money", "count", "days", "code"
# field → (type, the operators it takes). Money in fen; days and counts whole numbers.
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "kind": (CODE, ("=", "in")),
    "status": (CODE, ("=", "in")),
    "age": (COUNT, (">=", "<=", "between")),
    "aum": (MONEY, (">=", "<=", "between")),
    "deposit_balance": (MONEY, (">=", "<=", "between")),
    "loan_balance": (MONEY, (">=", "<=", "between")),
    "monthly_avg_balance": (MONEY, (">=", "<=", "between")),
    "product_count": (COUNT, (">=", "<=", "between")),
    "days_since_last_txn": (DAYS, (">=", "<=")),  # no transaction on file counts as ever so long
    "holds_category": (CODE, ("=", "in")),  # an open account of a product of that category
    "salary_credits_90d": (COUNT, (">=",)),  # credits with purpose SALARY in the last 90 days
    "maturity_within_days": (DAYS, ("<=",)),  # an open account maturing from today to today + n days
}
CODE_PATTERN = re.compile(r"^[A-Za-z0-9_]{1,20}$")
MAX_VALUE = 10**15  # fen: ten thousand billion yuan, past any customer
MAX_CONDITIONS = 50
MAX_DEPTH = 4

UNKNOWN_FIELD = N_("Unknown field %(name)s.")
NOT_AN_OBJECT = N_("Expected an object with all or any, or field, op and value.")
NOT_A_LIST = N_("Expected a non-empty list of conditions.")
BAD_OP = N_("This field takes the operators %(ops)s.")
NOT_A_NUMBER = N_("Expected a whole number from 0 to %(max)s.")
NOT_A_PAIR = N_("Expected two whole numbers [low, high] with low ≤ high.")
NOT_A_CODE = N_("Expected a code of letters, digits and underscores (at most 20).")
NOT_CODES = N_("Expected a non-empty list of codes.")
UNKNOWN_KEYS = N_("Unknown keys %(keys)s.")
TOO_DEEP = N_("Groups nest at most %(max)s deep.")
TOO_MANY = N_("A rule has at most %(max)s conditions.")
NOT_JSON = N_("The rule is not valid JSON.")


class RuleError(ValueError):
    """An invalid rule: ``part`` is where (``all[1].value``), ``message`` an N_ msgid with ``params``."""

    def __init__(self, part: str, message: str, **params: Any) -> None:
        super().__init__(f"{part}: {message % params if params else message}")
        self.part, self.message, self.params = part, message, params


@dataclass(frozen=True)
class Condition:
    """One validated comparison of a field with a value."""

    field: str
    op: str
    value: Any


@dataclass(frozen=True)
class Group:
    """Conditions and groups joined by all (and) or any (or)."""

    joiner: str  # all | any
    items: tuple[Condition | Group, ...]


def parse_text(text: str) -> Group:
    """A rule from its JSON text (as stored on the tag), validated."""
    try:
        data = json.loads(text)
    except (TypeError, ValueError) as exc:
        raise RuleError("rule", NOT_JSON) from exc
    return parse(data)


def parse(data: Any) -> Group:
    """A rule from its decoded JSON, validated: every part checked, the first problem raised."""
    counter = [0]
    node = _node(data, "rule", 1, counter)
    return node if isinstance(node, Group) else Group("all", (node,))


def _node(data: Any, part: str, depth: int, counter: list[int]) -> Condition | Group:
    if not isinstance(data, dict):
        raise RuleError(part, NOT_AN_OBJECT)
    joiners = [k for k in ("all", "any") if k in data]
    if joiners:
        if len(data) != 1:
            raise RuleError(part, UNKNOWN_KEYS, keys=", ".join(sorted(set(data) - {joiners[0]})))
        if depth > MAX_DEPTH:
            raise RuleError(part, TOO_DEEP, max=MAX_DEPTH)
        joiner = joiners[0]
        items = data[joiner]
        if not isinstance(items, list) or not items:
            raise RuleError(f"{part}.{joiner}", NOT_A_LIST)
        name = joiner if part == "rule" else f"{part}.{joiner}"
        return Group(joiner, tuple(_node(x, f"{name}[{i}]", depth + 1, counter) for i, x in enumerate(items)))
    extra = set(data) - {"field", "op", "value"}
    if extra:
        raise RuleError(part, UNKNOWN_KEYS, keys=", ".join(sorted(map(str, extra))))
    counter[0] += 1
    if counter[0] > MAX_CONDITIONS:
        raise RuleError(part, TOO_MANY, max=MAX_CONDITIONS)
    field = data.get("field")
    if not isinstance(field, str) or field not in FIELDS:
        raise RuleError(f"{part}.field", UNKNOWN_FIELD, name=str(field)[:40])
    kind, ops = FIELDS[field]
    op = data.get("op")
    if op not in ops:
        raise RuleError(f"{part}.op", BAD_OP, ops=", ".join(ops))
    return Condition(field, op, _value(kind, op, data.get("value"), f"{part}.value"))


def _number(value: Any, part: str) -> int:
    # bool is an int in Python: refused, as is a float or a numeric string.
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_VALUE:
        raise RuleError(part, NOT_A_NUMBER, max=MAX_VALUE)
    return value


def _code(value: Any, part: str) -> str:
    if not isinstance(value, str) or not CODE_PATTERN.match(value):
        raise RuleError(part, NOT_A_CODE)
    return value


def _value(kind: str, op: str, value: Any, part: str) -> Any:
    if kind == CODE:
        if op == "in":
            if not isinstance(value, list) or not value:
                raise RuleError(part, NOT_CODES)
            return tuple(_code(v, f"{part}[{i}]") for i, v in enumerate(value))
        return _code(value, part)
    if op == "between":
        if not isinstance(value, list) or len(value) != 2:
            raise RuleError(part, NOT_A_PAIR)
        low, high = (_number(v, f"{part}[{i}]") for i, v in enumerate(value))
        if low > high:
            raise RuleError(part, NOT_A_PAIR)
        return (low, high)
    return _number(value, part)


def to_json(rule: Group) -> dict[str, Any]:
    """The rule back as JSON data (the form it is stored and shown in)."""
    items = [to_json(i) if isinstance(i, Group) else _condition_json(i) for i in rule.items]
    return {rule.joiner: items}


def _condition_json(c: Condition) -> dict[str, Any]:
    return {"field": c.field, "op": c.op, "value": list(c.value) if isinstance(c.value, tuple) else c.value}


def compile_rule(rule: Group, today: date) -> ColumnElement[bool]:
    """The rule as a WHERE clause over ``customer`` outer-joined to ``customer_figure`` (see ``members_query``)."""
    parts = [compile_rule(i, today) if isinstance(i, Group) else _condition(i, today) for i in rule.items]
    return and_(true(), *parts) if rule.joiner == "all" else or_(false(), *parts)


def members_query(rule: Group, today: date) -> Any:
    """SELECT customer.id of every customer (not merged) the rule holds for on ``today``."""
    return (
        select(Customer.id)
        .outerjoin(CustomerFigure, CustomerFigure.customer_id == Customer.id)
        .where(Customer.status != "MERGED", compile_rule(rule, today))
    )


def _compare(column: Any, op: str, value: Any) -> ColumnElement[bool]:
    if op == ">=":
        return column >= value  # type: ignore[no-any-return]
    if op == "<=":
        return column <= value  # type: ignore[no-any-return]
    if op == "between":
        return column.between(value[0], value[1])  # type: ignore[no-any-return]
    if op == "in":
        return column.in_(list(value))  # type: ignore[no-any-return]
    return column == value  # type: ignore[no-any-return]


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def _age(op: str, value: Any, today: date) -> ColumnElement[bool]:
    """Age in whole years on ``today`` as a range of birth dates (individuals with a birth date only)."""
    born = IndividualProfile.birth_date
    low, high = (value, value) if op != "between" else value
    conditions = [IndividualProfile.customer_id == Customer.id, born.is_not(None)]
    if op in (">=", "between"):
        conditions.append(born <= _years_before(today, low))  # at least ``low`` years old
    if op in ("<=", "between"):
        conditions.append(born > _years_before(today, high + 1))  # not yet ``high + 1``
    return exists(select(IndividualProfile.customer_id).where(*conditions))


def _condition(c: Condition, today: date) -> ColumnElement[bool]:
    if c.field in ("kind", "status"):
        return _compare(getattr(Customer, c.field), c.op, c.value)
    if c.field == "age":
        return _age(c.op, c.value, today)
    if c.field in ("aum", "deposit_balance", "loan_balance", "monthly_avg_balance", "product_count"):
        return _compare(getattr(CustomerFigure, c.field), c.op, c.value)
    if c.field == "days_since_last_txn":
        cutoff = today - timedelta(days=c.value)
        last = CustomerFigure.last_txn_date
        if c.op == ">=":
            return or_(last.is_(None), last <= cutoff)
        return last >= cutoff
    if c.field == "holds_category":
        return exists(
            select(Account.id)
            .join(Product, Product.code == Account.product_code)
            .where(
                Account.customer_id == Customer.id,
                Account.close_date.is_(None),
                _compare(Product.category, c.op, c.value),
            )
        )
    if c.field == "maturity_within_days":
        return exists(
            select(Account.id).where(
                Account.customer_id == Customer.id,
                Account.close_date.is_(None),
                Account.maturity_date.between(today, today + timedelta(days=c.value)),
            )
        )
    # salary_credits_90d: at least n salary credits in the last 90 days (n = 0 holds for everyone).
    if c.value == 0:
        return true()
    since = today - timedelta(days=90)
    credits = select(func.count()).where(
        AccountTransaction.customer_id == Customer.id,
        AccountTransaction.purpose_code == "SALARY",
        AccountTransaction.direction == "C",
        AccountTransaction.txn_time >= datetime(since.year, since.month, since.day, tzinfo=UTC),
    )
    return credits.scalar_subquery() >= c.value  # type: ignore[no-any-return]
