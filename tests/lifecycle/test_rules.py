"""Each shipped rule at its boundary: the figure exactly at the threshold moves the customer, one fen or one
month or one product short does not. Customers start in July 2026; the newest month is the one judged."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.lifecycle.service import run as lifecycle_run
from bankcrm.models.insight import CustomerMonth
from bankcrm.models.lifecycle import CustomerStage, CustomerStageHistory
from tests.lifecycle.helpers import given_a_customer_over, held

TODAY = date(2026, 12, 3)
F = held(1, 100000)  # a growing customer of a year: one product, ¥1,000


def _months(*rows: dict[str, Any]) -> list[dict[str, Any]]:
    return list(rows)


CASES: list[tuple[str, list[dict[str, Any]], str, str | None]] = [
    # (case, months, stage in the last month, rule of the last month's move or None: no move then)
    ("acquisition at 6 months", _months(held(1, 100000, tenure=6)), "ACQUISITION", "ACQUISITION_NEW"),
    ("no acquisition at 7 months", _months(held(1, 100000, tenure=7)), "FORMATION", "START_FORMATION"),
    (
        "acquisition ends after 6 months",
        _months(held(1, 100000, tenure=6), held(1, 100000, tenure=7)),
        "FORMATION",
        "FORMATION_SETTLED",
    ),
    ("start stable at 24 months", _months(held(1, 100000, tenure=24)), "STABLE", "START_STABLE"),
    ("start formation at 23 months", _months(held(1, 100000, tenure=23)), "FORMATION", "START_FORMATION"),
    ("prospect without a product", _months(held(0, 0)), "PROSPECT", "PROSPECT_NONE"),
    ("decline at AUM −30 %", _months(F, F, F, held(1, 70000)), "DECLINE", "DECLINE_AUM"),
    ("no decline at AUM −29.999 %", _months(F, F, F, held(1, 70001)), "FORMATION", None),
    ("decline on one product fewer", _months(held(2, 100000), F), "DECLINE", "DECLINE_PRODUCTS"),
    ("no decline on as many products", _months(held(2, 100000), held(2, 100000)), "FORMATION", None),
    ("lost when all closed", _months(F, held(0, 0)), "LOST", "LOST_CLOSED"),
    (
        "lost below ¥100 for 3 months",
        _months(F, held(1, 9999), held(1, 9999), held(1, 9999)),
        "LOST",
        "LOST_DORMANT",
    ),
    (
        "not lost at ¥100 once in 3 months (declined instead)",
        _months(F, held(1, 10000), held(1, 9999), held(1, 9999)),
        "DECLINE",
        "DECLINE_AUM",
    ),
    (
        "not lost below ¥100 with a loan (declined instead)",
        _months(F, *[held(1, 0, loans_outstanding=1)] * 3),
        "DECLINE",
        "DECLINE_AUM",
    ),
    ("won back at ¥100", _months(F, held(0, 0), held(1, 10000)), "WON_BACK", "WON_BACK_ACTIVE"),
    ("still lost at ¥99.99", _months(F, held(0, 0), held(1, 9999)), "LOST", None),
    (
        "formation on one product more",
        _months(held(2, 100000), F, held(2, 100000)),
        "FORMATION",
        "FORMATION_PRODUCTS",
    ),
    ("declined stays on as many products", _months(held(2, 100000), F, F), "DECLINE", None),
    (
        "formation on AUM up a fen over 3 months",
        _months(held(2, 100000), F, F, held(1, 100001)),
        "FORMATION",
        "FORMATION_AUM",
    ),
    ("declined stays on AUM unchanged", _months(held(2, 100000), F, F, F), "DECLINE", None),
    (
        "stable at 24 months and AUM +15 %",
        _months(*(held(1, 100000, tenure=t) for t in (21, 22, 23)), held(1, 115000, tenure=24)),
        "STABLE",
        "STABLE_STEADY",
    ),
    (
        "stable at 24 months and AUM −15 %",
        _months(*(held(1, 100000, tenure=t) for t in (21, 22, 23)), held(1, 85000, tenure=24)),
        "STABLE",
        "STABLE_STEADY",
    ),
    (
        "not stable at AUM +15.001 %",
        _months(*(held(1, 100000, tenure=t) for t in (21, 22, 23)), held(1, 115001, tenure=24)),
        "FORMATION",
        None,
    ),
    (
        "not stable at 23 months",
        _months(*(held(1, 100000, tenure=t) for t in (20, 21, 22)), held(1, 115000, tenure=23)),
        "FORMATION",
        None,
    ),
]


@pytest.mark.parametrize(("case", "months", "stage", "rule"), CASES, ids=[c[0] for c in CASES])
def test_each_rule_at_its_boundary(
    db: Session, case: str, months: list[dict[str, Any]], stage: str, rule: str | None
) -> None:
    # Given a customer's snapshot months
    customer = given_a_customer_over(db, "91000000001", months)
    last = max(db.scalars(select(CustomerMonth.month).where(CustomerMonth.customer_id == customer.id)))
    # When the lifecycle is evaluated over every month
    lifecycle_run.run(db, today=TODAY, full=True)
    # Then the last month's stage is as the rules say, and the move of that month (if any) names the rule
    assert db.scalar(select(CustomerMonth.lifecycle_stage).where(CustomerMonth.month == last)) == stage
    moved = db.scalar(select(CustomerStageHistory.rule).where(CustomerStageHistory.month == last))
    assert moved == rule
    now = db.get(CustomerStage, customer.id)
    assert now is not None and (now.stage, now.month) == (stage, last)
