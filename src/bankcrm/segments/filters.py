"""The segment specification: JSON validated part by part into a tree the repository compiles to SQL.

A node is a group ``{"all": [...]}``, ``{"any": [...]}`` or ``{"not": node}``, or one condition:

- ``{"feature": F, "op": OP, "value": V}``: a feature of the customer's newest monthly snapshot (the
  catalogue, reference_data/catalogue/feature.csv; the value tier is the feature ``tier``);
- ``{"feature": F, "change_pct_over_months": N, "op": OP, "value": P}``: the feature's change in percent from
  N months before the newest month (a customer whose earlier figure was 0 or missing never matches);
- ``{"attribute": A, "op": OP, "value": V}``: a customer attribute (``ATTRIBUTES``); dates take
  ``in_last_months`` / ``not_in_last_months`` with a whole number of months;
- ``{"has_tag": CODE or [CODES]}``, ``{"holds_category": CODE or [CODES]}`` (an open account or contract of a
  product of that category), ``{"member_of": "household" | "corporate_group"}``.

Nothing is evaluated and no SQL is built from text: names are looked up in fixed tables, values checked
against their type, and reach the database only as bound parameters. A fault raises ``RuleError`` naming the
part (``all[1].value``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bankcrm.insight import catalogue
from bankcrm.kit.i18n import N_
from bankcrm.tags.filters import (
    CODE_PATTERN,
    NOT_A_CODE,
    NOT_A_LIST,
    NOT_AN_OBJECT,
    TOO_DEEP,
    TOO_MANY,
    UNKNOWN_KEYS,
    RuleError,
)

NUMBER_OPS = ("=", "!=", "<", "<=", ">", ">=", "between", "in")
CHANGE_OPS = ("<", "<=", ">", ">=", "between")
CODE_OPS = ("=", "!=", "in", "not_in")
DATE_OPS = ("in_last_months", "not_in_last_months")
# attribute → its type (code or date); the column it reads is the repository's business.
ATTRIBUTES = {"status": "code", "home_unit": "code", "customer_since": "date", "last_transaction": "date"}
MEMBERSHIPS = ("household", "corporate_group")
FEATURE_TYPES = ("money", "integer", "code")  # reference features (unit, manager ids) are not offered
MAX_NUMBER = 10**15  # fen: past any customer's figure
MAX_PCT = 10**6
MAX_MONTHS = 36  # the snapshot keeps 36 months
MAX_LIST = 200
MAX_CONDITIONS = 50
MAX_DEPTH = 5
CONDITION_KEYS = ("feature", "attribute", "has_tag", "holds_category", "member_of")

UNKNOWN_FEATURE = N_("Unknown feature %(name)s.")
UNKNOWN_ATTRIBUTE = N_("Unknown attribute %(name)s.")
BAD_OP = N_("This condition takes the operators %(ops)s.")
NOT_A_NUMBER = N_("Expected a whole number from %(min)s to %(max)s.")
NOT_A_PAIR = N_("Expected two whole numbers [low, high] with low ≤ high.")
NOT_NUMBERS = N_("Expected a non-empty list of at most %(max)s whole numbers.")
NOT_CODES = N_("Expected a code or a non-empty list of at most %(max)s codes.")
NOT_MONTHS = N_("Expected a whole number of months from 1 to %(max)s.")
NOT_CHANGEABLE = N_("Only money and whole-number features have a change.")
UNKNOWN_CODE = N_("Unknown code %(code)s.")
UNKNOWN_TAG = N_("Unknown tag %(code)s.")
UNKNOWN_CATEGORY = N_("Unknown product category %(code)s.")
UNKNOWN_MEMBERSHIP = N_("Expected household or corporate_group.")
ONE_CONDITION = N_("A condition has exactly one of feature, attribute, has_tag, holds_category, member_of.")


@dataclass(frozen=True)
class Condition:
    """One validated condition: ``kind`` is feature, change, attribute, has_tag, holds_category or member_of."""

    kind: str
    name: str  # the feature, attribute or membership; "" for has_tag and holds_category
    op: str
    value: Any
    months: int | None = None  # change: how far back


@dataclass(frozen=True)
class Group:
    """Conditions and groups joined by all (and), any (or), or the negation of its one item (not)."""

    joiner: str
    items: tuple[Condition | Group, ...]


def feature_types() -> dict[str, str]:
    """Selectable feature → its type (money, integer or code)."""
    return {f.name: f.type for f in catalogue.features() if f.type in FEATURE_TYPES}


def parse(data: Any, known: Mapping[str, frozenset[str]] | None = None) -> Group:
    """A specification from its decoded JSON, every part checked; the first fault raised as ``RuleError``.

    ``known`` (has_tag, holds_category → the codes on file) also refuses codes not in the tag catalogue or the
    product categories; a stored specification is read without it (a tag retired since simply matches nobody).
    """
    node = _node(data, "spec", 1, [0], known or {})
    return node if isinstance(node, Group) else Group("all", (node,))


def _node(
    data: Any, part: str, depth: int, counter: list[int], known: Mapping[str, frozenset[str]]
) -> Condition | Group:
    if not isinstance(data, dict):
        raise RuleError(part, NOT_AN_OBJECT)
    joiner = next((k for k in ("all", "any", "not") if k in data), None)
    if joiner is None:
        return _condition(data, part, counter, known)
    if len(data) != 1:
        raise RuleError(part, UNKNOWN_KEYS, keys=", ".join(sorted(map(str, set(data) - {joiner}))))
    if depth > MAX_DEPTH:
        raise RuleError(part, TOO_DEEP, max=MAX_DEPTH)
    name = joiner if part == "spec" else f"{part}.{joiner}"
    if joiner == "not":
        return Group("not", (_node(data["not"], name, depth + 1, counter, known),))
    items = data[joiner]
    if not isinstance(items, list) or not items:
        raise RuleError(name, NOT_A_LIST)
    return Group(joiner, tuple(_node(x, f"{name}[{i}]", depth + 1, counter, known) for i, x in enumerate(items)))


def _condition(data: dict[str, Any], part: str, counter: list[int], known: Mapping[str, frozenset[str]]) -> Condition:
    counter[0] += 1
    if counter[0] > MAX_CONDITIONS:
        raise RuleError(part, TOO_MANY, max=MAX_CONDITIONS)
    heads = [k for k in CONDITION_KEYS if k in data]
    if len(heads) != 1:
        raise RuleError(part, ONE_CONDITION)
    head = heads[0]
    allowed = {
        "feature": {"feature", "op", "value", "change_pct_over_months"},
        "attribute": {"attribute", "op", "value"},
    }
    extra = set(data) - allowed.get(head, {head})
    if extra:
        raise RuleError(part, UNKNOWN_KEYS, keys=", ".join(sorted(map(str, extra)))[:200])
    if head == "feature":
        return _feature(data, part)
    if head == "attribute":
        return _attribute(data, part)
    if head == "member_of":
        if data["member_of"] not in MEMBERSHIPS:
            raise RuleError(f"{part}.member_of", UNKNOWN_MEMBERSHIP)
        return Condition("member_of", data["member_of"], "=", True)
    codes = _codes(data[head], f"{part}.{head}")
    if head in known:
        fault = UNKNOWN_TAG if head == "has_tag" else UNKNOWN_CATEGORY
        for i, code in enumerate(codes):
            if code not in known[head]:
                at = f"{part}.{head}" if isinstance(data[head], str) else f"{part}.{head}[{i}]"
                raise RuleError(at, fault, code=code)
    return Condition(head, "", "in", codes)


def _op(data: dict[str, Any], part: str, ops: tuple[str, ...]) -> str:
    op = data.get("op")
    if op not in ops:
        raise RuleError(f"{part}.op", BAD_OP, ops=", ".join(ops))
    return str(op)


def _feature(data: dict[str, Any], part: str) -> Condition:
    name = data["feature"]
    types = feature_types()
    if not isinstance(name, str) or name not in types:
        raise RuleError(f"{part}.feature", UNKNOWN_FEATURE, name=str(name)[:40])
    kind = types[name]
    if "change_pct_over_months" in data:
        if kind == "code":
            raise RuleError(f"{part}.change_pct_over_months", NOT_CHANGEABLE)
        months = _months(data["change_pct_over_months"], f"{part}.change_pct_over_months")
        op = _op(data, part, CHANGE_OPS)
        return Condition("change", name, op, _numbers(op, data.get("value"), f"{part}.value", MAX_PCT), months)
    if kind == "code":
        op = _op(data, part, CODE_OPS)
        value = _codes(data.get("value"), f"{part}.value", many=op in ("in", "not_in"))
        _known_codes(name, value, f"{part}.value")
        return Condition("feature", name, op, value)
    op = _op(data, part, NUMBER_OPS)
    return Condition("feature", name, op, _numbers(op, data.get("value"), f"{part}.value", MAX_NUMBER))


def _attribute(data: dict[str, Any], part: str) -> Condition:
    name = data["attribute"]
    if not isinstance(name, str) or name not in ATTRIBUTES:
        raise RuleError(f"{part}.attribute", UNKNOWN_ATTRIBUTE, name=str(name)[:40])
    if ATTRIBUTES[name] == "date":
        op = _op(data, part, DATE_OPS)
        return Condition("attribute", name, op, _months(data.get("value"), f"{part}.value"))
    op = _op(data, part, CODE_OPS)
    return Condition("attribute", name, op, _codes(data.get("value"), f"{part}.value", many=op in ("in", "not_in")))


def _whole(value: Any, part: str, low: int, high: int) -> int:
    # bool is an int in Python: refused, as is a float or a numeric string.
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise RuleError(part, NOT_A_NUMBER, min=low, max=high)
    return value


def _months(value: Any, part: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_MONTHS:
        raise RuleError(part, NOT_MONTHS, max=MAX_MONTHS)
    return value


def _numbers(op: str, value: Any, part: str, bound: int) -> Any:
    if op == "between":
        if not isinstance(value, list) or len(value) != 2:
            raise RuleError(part, NOT_A_PAIR)
        low, high = (_whole(v, f"{part}[{i}]", -bound, bound) for i, v in enumerate(value))
        if low > high:
            raise RuleError(part, NOT_A_PAIR)
        return (low, high)
    if op == "in":
        if not isinstance(value, list) or not 0 < len(value) <= MAX_LIST:
            raise RuleError(part, NOT_NUMBERS, max=MAX_LIST)
        return tuple(_whole(v, f"{part}[{i}]", -bound, bound) for i, v in enumerate(value))
    return _whole(value, part, -bound, bound)


def _code(value: Any, part: str) -> str:
    if not isinstance(value, str) or not CODE_PATTERN.match(value):
        raise RuleError(part, NOT_A_CODE)
    return value


def _codes(value: Any, part: str, *, many: bool = True) -> Any:
    """One code, or (``many``) a code or a list of codes answered as a tuple."""
    if not many:
        return _code(value, part)
    if isinstance(value, str):
        return (_code(value, part),)
    if not isinstance(value, list) or not 0 < len(value) <= MAX_LIST:
        raise RuleError(part, NOT_CODES, max=MAX_LIST)
    return tuple(_code(v, f"{part}[{i}]") for i, v in enumerate(value))


def _known_codes(feature: str, value: str | tuple[str, ...], part: str) -> None:
    """Codes of features with a shipped code list must be on it (a typo would match nobody silently)."""
    known = {
        "kind": set(catalogue.KINDS),
        "tier": {t.code for t in catalogue.tiers()},
        "rfm_group": {g.code for g in catalogue.rfm_groups()},
    }.get(feature)
    codes = (value,) if isinstance(value, str) else value
    for i, code in enumerate(codes):
        if known is not None and code not in known:
            raise RuleError(part if isinstance(value, str) else f"{part}[{i}]", UNKNOWN_CODE, code=code)


def to_json(node: Condition | Group) -> dict[str, Any]:
    """The specification back as JSON data (the form it is stored and shown in)."""
    if isinstance(node, Group):
        if node.joiner == "not":
            return {"not": to_json(node.items[0])}
        return {node.joiner: [to_json(i) for i in node.items]}
    value = list(node.value) if isinstance(node.value, tuple) else node.value
    if node.kind == "change":
        return {"feature": node.name, "change_pct_over_months": node.months, "op": node.op, "value": value}
    if node.kind in ("feature", "attribute"):
        return {node.kind: node.name, "op": node.op, "value": value}
    if node.kind == "member_of":
        return {"member_of": node.name}
    return {node.kind: value}
