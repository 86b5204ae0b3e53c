"""The leads policy as shipped data: acceptance hours, working day, referral points
(reference_data/catalogue/lead_policy.csv), the ordered assignment rules (lead_assignment_rule.csv) and the product
a converted lead's opportunity opens with (lead_interest_product.csv); each read once and checked. The working days
are the bank's one working calendar (the workcalendar module), handed in."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import time
from functools import cache
from pathlib import Path

from bankcrm.kit.workdays import Calendar
from bankcrm.kit.workhours import WorkCalendar

DATA_DIR = Path(__file__).resolve().parent.parent / "reference_data" / "catalogue"
METHODS = ("primary_manager", "rota_interest", "rota_any")
APPLIES = ("customer", "any")
MANUAL = "MANUAL"  # the rule recorded for a hand-made assignment


@dataclass(frozen=True)
class Policy:
    """The numbers the leads rules read."""

    accept_hours: float
    day_start: time
    day_end: time
    referral_points: int


@dataclass(frozen=True)
class AssignmentRule:
    """One assignment rule: tried in order, the first that finds a manager wins."""

    code: str
    sort_order: int
    applies_to: str  # customer: only leads for an existing customer; any: every lead
    method: str
    label_en: str
    label_zh: str


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@cache
def policy() -> Policy:
    """lead_policy.csv, checked: positive hours and points, a working day that ends after it starts."""
    values = {r["code"]: r["value"] for r in _rows("lead_policy")}
    found = Policy(
        float(values["ACCEPT_HOURS"]),
        time.fromisoformat(values["DAY_START"]),
        time.fromisoformat(values["DAY_END"]),
        int(values["REFERRAL_POINTS"]),
    )
    if found.accept_hours <= 0 or found.referral_points < 0 or found.day_end <= found.day_start:
        raise ValueError("lead_policy.csv: hours must be positive, points not negative, the day must end after start")
    return found


@cache
def rules() -> tuple[AssignmentRule, ...]:
    """lead_assignment_rule.csv in order; an unknown method or scope is a shipping error."""
    out = []
    for r in _rows("lead_assignment_rule"):
        rule = AssignmentRule(
            r["code"], int(r["sort_order"]), r["applies_to"], r["method"], r["label_en"], r["label_zh"]
        )
        if rule.method not in METHODS or rule.applies_to not in APPLIES:
            raise ValueError(f"lead_assignment_rule.csv: {rule.code} has an unknown method or applies_to")
        out.append(rule)
    return tuple(sorted(out, key=lambda x: x.sort_order))


def calendar(zone: str, days: Calendar) -> WorkCalendar:
    """The policy's working hours on the working days of the bank's calendar ``days``."""
    p = policy()
    return WorkCalendar(zone, p.day_start, p.day_end, days)


def rule_label(code: str | None, locale: str) -> str:
    """A rule's label in the reader's language (the code itself for MANUAL or an unknown code)."""
    rule = next((r for r in rules() if r.code == code), None)
    if rule is None:
        return code or ""
    return rule.label_zh if locale.startswith("zh") else rule.label_en


@cache
def opening_products() -> dict[str, str]:
    """lead_interest_product.csv: the product a converted lead's opportunity opens with, by interest code."""
    return {r["interest"]: r["product_code"] for r in _rows("lead_interest_product")}
