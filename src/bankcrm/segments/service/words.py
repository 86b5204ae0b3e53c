"""A specification in words, in the reader's language (the detail page and the API's ``words``)."""

from __future__ import annotations

from typing import Any

from bankcrm.insight import catalogue
from bankcrm.kit.i18n import N_, gettext_for
from bankcrm.segments.filters import Condition, Group

ATTRIBUTE_LABELS = {
    "status": N_("Customer status"),
    "home_unit": N_("Home branch code"),
    "customer_since": N_("Customer since"),
    "last_transaction": N_("Date of the last transaction"),
}
OPS = {
    "=": N_("is"),
    "!=": N_("is not"),
    "<": N_("is below"),
    "<=": N_("is at most"),
    ">": N_("is above"),
    ">=": N_("is at least"),
    "in": N_("is one of"),
    "not_in": N_("is none of"),
}
BETWEEN = N_("%(what)s is between %(low)s and %(high)s")
COMPARED = N_("%(what)s %(op)s %(value)s")
CHANGE = N_("%(what)s changed over %(months)s months by a percentage that %(op)s %(value)s")
CHANGE_BETWEEN = N_("%(what)s changed over %(months)s months by between %(low)s%% and %(high)s%%")
IN_LAST = N_("%(what)s within the last %(months)s months")
NOT_IN_LAST = N_("%(what)s not within the last %(months)s months")
HAS_TAG = N_("has a tag %(codes)s")
HOLDS = N_("holds a product of category %(codes)s")
HOUSEHOLD = N_("is a member of a household")
CORPORATE_GROUP = N_("is a member of a corporate group")
AND, OR, NOT = N_("and"), N_("or"), N_("not")


def _yuan(fen: int) -> str:
    return f"¥{fen / 100:,.2f}"


def _shown(value: Any, money: bool) -> str:
    if isinstance(value, tuple):
        return ", ".join(_shown(v, money) for v in value)
    return _yuan(value) if money and isinstance(value, int) else str(value)


def words(node: Group | Condition, locale: str, *, top: bool = True) -> str:
    """The node as a sentence; nested groups in brackets."""
    if isinstance(node, Condition):
        return _condition(node, locale)
    if node.joiner == "not":
        return f"{gettext_for(locale, NOT)} ({words(node.items[0], locale, top=False)})"
    joiner = gettext_for(locale, AND if node.joiner == "all" else OR)
    text = f" {joiner} ".join(words(i, locale, top=False) for i in node.items)
    return text if top or len(node.items) == 1 else f"({text})"


def _condition(c: Condition, locale: str) -> str:
    def say(msgid: str, **params: object) -> str:
        return gettext_for(locale, msgid, params)

    if c.kind in ("feature", "change"):
        feature = next(f for f in catalogue.features() if f.name == c.name)
        what, money = feature.label(locale), feature.type == "money" and c.kind == "feature"
    elif c.kind == "attribute":
        what, money = gettext_for(locale, ATTRIBUTE_LABELS[c.name]), False
    else:
        what, money = "", False
    if c.kind == "change":
        if c.op == "between":
            return say(CHANGE_BETWEEN, what=what, months=c.months, low=c.value[0], high=c.value[1])
        return say(CHANGE, what=what, months=c.months, op=gettext_for(locale, OPS[c.op]), value=f"{c.value}%")
    if c.kind in ("feature", "attribute"):
        if c.op in ("in_last_months", "not_in_last_months"):
            return say(IN_LAST if c.op == "in_last_months" else NOT_IN_LAST, what=what, months=c.value)
        if c.op == "between":
            return say(BETWEEN, what=what, low=_shown(c.value[0], money), high=_shown(c.value[1], money))
        return say(COMPARED, what=what, op=gettext_for(locale, OPS[c.op]), value=_shown(c.value, money))
    if c.kind == "member_of":
        return gettext_for(locale, HOUSEHOLD if c.name == "household" else CORPORATE_GROUP)
    return say(HAS_TAG if c.kind == "has_tag" else HOLDS, codes=_shown(c.value, False))
