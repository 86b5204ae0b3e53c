"""Every condition type of the specification, previewed and materialised by the nightly against hand-built
customers with exact member lists."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bankcrm.access.service import auth as auth_service
from bankcrm.config import Settings
from bankcrm.kit.time import today_in
from bankcrm.models.access import User
from bankcrm.models.segment import SegmentSize
from bankcrm.segments.service import membership
from bankcrm.segments.service import spec as specs
from tests.conftest import token_for
from tests.segments.helpers import periods, segment
from tests.segments.plant import A, B, C, D, E, F, plant

VIP = {"feature": "tier", "op": "=", "value": "VIP"}
FELL_20 = {"feature": "aum_avg", "change_pct_over_months": 3, "op": "<=", "value": -20}

CASES: list[tuple[str, dict[str, Any], list[str]]] = [
    ("money >=", {"feature": "aum_avg", "op": ">=", "value": 5_000_000}, [A, B]),
    ("money >", {"feature": "aum_avg", "op": ">", "value": 8_000_000}, [A]),
    ("money <", {"feature": "aum_avg", "op": "<", "value": 100_000}, [D]),
    ("money <=", {"feature": "aum_avg", "op": "<=", "value": 100_000}, [C, D]),
    ("money =", {"feature": "aum_avg", "op": "=", "value": 100_000}, [C]),
    ("money != (no snapshot row never matches)", {"feature": "aum_avg", "op": "!=", "value": 0}, [A, B, C]),
    ("between", {"feature": "aum_avg", "op": "between", "value": [100_000, 8_000_000]}, [B, C]),
    ("in list", {"feature": "aum_avg", "op": "in", "value": [0, 100_000]}, [C, D]),
    ("integer feature", {"feature": "held_wealth", "op": ">=", "value": 1}, [A]),
    ("value tier =", VIP, [A, B]),
    ("value tier in", {"feature": "tier", "op": "in", "value": ["VIP", "MASS"]}, [A, B, C]),
    ("value tier not_in", {"feature": "tier", "op": "not_in", "value": ["VIP"]}, [C, D]),
    ("code feature kind", {"feature": "kind", "op": "=", "value": "corporate"}, [D]),
    ("fell 20% or more in 3 months", FELL_20, [A]),
    ("change between", {"feature": "aum_avg", "change_pct_over_months": 3, "op": "between", "value": [-20, 0]}, [B]),
    ("change >", {"feature": "aum_avg", "change_pct_over_months": 3, "op": ">", "value": -20}, [B]),
    ("attribute status", {"attribute": "status", "op": "=", "value": "ACTIVE"}, [A, B, C, D, F]),
    ("attribute home unit", {"attribute": "home_unit", "op": "in", "value": ["BJ"]}, [A, B, C, D, F]),
    ("attribute home unit not", {"attribute": "home_unit", "op": "!=", "value": "BJ"}, []),
    (
        "customer since, last 3 months",
        {"attribute": "customer_since", "op": "in_last_months", "value": 3},
        [B, C, D, F],
    ),
    ("customer before", {"attribute": "customer_since", "op": "not_in_last_months", "value": 3}, [A]),
    ("last transaction", {"attribute": "last_transaction", "op": "in_last_months", "value": 1}, [A]),
    ("no transaction", {"attribute": "last_transaction", "op": "not_in_last_months", "value": 1}, [B, C, D, F]),
    ("has tag", {"has_tag": "KEY_FOLLOW"}, [B]),
    ("has one of the tags", {"has_tag": ["KEY_FOLLOW", "HNW"]}, [B]),
    ("holds a product of category", {"holds_category": ["WEALTH"]}, [A]),
    ("member of a household", {"member_of": "household"}, [C]),
    ("member of a corporate group", {"member_of": "corporate_group"}, [D]),
    ("not (a missing figure counts as not holding)", {"not": VIP}, [C, D, F]),
    ("any", {"any": [VIP, {"feature": "kind", "op": "=", "value": "corporate"}]}, [A, B, D]),
    ("all", {"all": [VIP, FELL_20]}, [A]),
    ("nested", {"any": [{"all": [VIP, {"not": FELL_20}]}, {"member_of": "household"}]}, [B, C]),
]


@pytest.mark.parametrize(("spec", "members"), [pytest.param(s, m, id=name) for name, s, m in CASES])
def test_each_condition_type_selects_exactly_its_customers_in_the_callers_scope(
    client: TestClient, db: Session, settings: Settings, spec: dict[str, Any], members: list[str]
) -> None:
    # Given the hand-built customers (E lies in Shanghai, outside the Beijing manager's scope)
    plant(db, today_in(settings.timezone))
    # When the branch manager previews the specification
    answer = client.post("/api/v1/segments/preview", json=spec, headers=token_for(client, "manager"))
    # Then exactly the expected customers are counted and sampled, by CIF number
    assert answer.status_code == 200, answer.text
    assert (answer.json()["count"], [s["cif_no"] for s in answer.json()["sample"]]) == (len(members), members)


def test_the_preview_is_inside_the_callers_scope_and_masked_like_the_customer_list(
    client: TestClient, db: Session, settings: Settings
) -> None:
    # Given the customers; B is the branch manager's, the rest am1's; E am2's in Shanghai
    plant(db, today_in(settings.timezone))
    vip = {"feature": "tier", "op": "=", "value": "VIP"}
    # When am1 (own customers), am2 (Shanghai) and the manager (Beijing) preview VIP customers
    seen = {
        user: client.post("/api/v1/segments/preview", json=vip, headers=token_for(client, user)).json()
        for user in ("am1", "am2", "manager")
    }
    # Then each counts only those in their scope
    assert {u: [s["cif_no"] for s in a["sample"]] for u, a in seen.items()} == {
        "am1": [A],
        "am2": [E],
        "manager": [A, B],
    }
    # And the sample is what the customer list shows the same reader (masked the same way)
    listed = client.get("/api/v1/customers", headers=token_for(client, "am1")).json()["items"]
    assert seen["am1"]["sample"] == [c for c in listed if c["cif_no"] == A]


# The cases E (Shanghai, VIP, AUM fell from ¥200k to ¥100k, no transaction, new) is in as well, bank-wide.
WITH_E = {
    "money >=",
    "money >",
    "money != (no snapshot row never matches)",
    "value tier =",
    "value tier in",
    "fell 20% or more in 3 months",
    "attribute status",
    "attribute home unit not",
    "customer since, last 3 months",
    "no transaction",
    "any",
    "all",
}


def test_the_nightly_materialises_each_condition_type_exactly_and_a_rerun_changes_nothing(
    db: Session, settings: Settings
) -> None:
    # Given the hand-built customers and one saved rule segment per condition type
    today = today_in(settings.timezone)
    plant(db, today)
    saved = {name: segment(db, name, "rule", json.dumps(spec)) for name, spec, _ in CASES}
    # When the nightly materialises them all (their first run), and again the next day
    first = membership.refresh(db, today=today)
    after_first = {name: periods(db, row) for name, row in saved.items()}
    again = membership.refresh(db, today=today + timedelta(days=1))
    # Then each segment holds exactly its customers bank-wide, entered today
    expected = {name: sorted([*cifs, E] if name in WITH_E else cifs) for name, _, cifs in CASES}
    assert after_first == {name: [(cif, today, None) for cif in cifs] for name, cifs in expected.items()}
    assert (first.segments, first.entered, first.left) == (len(CASES), sum(map(len, expected.values())), 0)
    # And the rerun found nobody to enter or leave
    assert (again.entered, again.left, again.members) == (0, 0, first.members)
    assert {name: periods(db, row) for name, row in saved.items()} == after_first


def test_new_segments_of_every_condition_type_filled_in_bulk_a_few_customers_a_statement_equal_entry_at_a_time(
    db: Session, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the hand-built customers, one new rule segment per condition type, and a bulk fill that reads two
    # customer ids a statement (PostgreSQL; SQLite fills them one at a time either way)
    today = today_in(settings.timezone)
    plant(db, today)
    saved = {name: segment(db, name, "rule", json.dumps(spec)) for name, spec, _ in CASES}
    monkeypatch.setattr(membership, "FILL_SPAN", 2 * len(CASES))
    # When their first run fills them with the indexes dropped and built again, and (rolled back) entry at a time
    seen = {}
    for rebuild in (True, False):
        with db.begin_nested() as run:
            report = membership.refresh(db, today=today, rebuild=rebuild)
            sizes = db.execute(select(SegmentSize.segment_id, SegmentSize.members).where(SegmentSize.day == today))
            seen[rebuild] = (report, {name: periods(db, row) for name, row in saved.items()}, sorted(map(tuple, sizes)))
            run.rollback()
    # Then both ways give the same report, periods and sizes: each segment exactly its customers, entered today
    assert seen[True] == seen[False]
    expected = {name: sorted([*cifs, E] if name in WITH_E else cifs) for name, _, cifs in CASES}
    assert seen[True][1] == {name: [(cif, today, None) for cif in cifs] for name, cifs in expected.items()}
    assert seen[True][2] == sorted((saved[name].id, len(cifs)) for name, cifs in expected.items())


def test_a_preview_leaves_the_planner_settings_of_the_transaction_as_they_were(db: Session, settings: Settings) -> None:
    # Given the customers and a transaction that set its own work_mem and jit (PostgreSQL; SQLite has no such settings)
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL planner settings")
    plant(db, today_in(settings.timezone))
    db.execute(text("SET LOCAL work_mem = '5MB'"))
    db.execute(text("SET LOCAL jit = on"))
    manager = auth_service.principal_for(db.scalars(select(User).where(User.username == "manager")).one())
    # When the manager previews VIP customers
    found = specs.preview(db, manager, VIP, today=today_in(settings.timezone))
    # Then the count is right and the transaction's settings are its own again
    assert found.count == 2
    assert db.execute(text("SELECT current_setting('work_mem'), current_setting('jit')")).one() == ("5MB", "on")
