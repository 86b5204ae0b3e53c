"""Target actuals credited by co-manager shares, against a hand calculation; ranks; the API's scope."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM_PRINCIPAL
from bankcrm.models.assignment import ManagerAssignment
from bankcrm.sales.schemas import TargetSet
from bankcrm.sales.service import targets
from tests.conftest import token_for, user_id
from tests.factories import make_customer, make_user
from tests.lifecycle.helpers import put_month


def test_aum_growth_and_deposits_are_credited_by_shares_and_ranked(client: TestClient, db: Session) -> None:
    # Given am1 primary of A (am3 co-manager at 30 %) and of B alone; am3 primary of C; all in Beijing
    make_user(db, "am3", "BJ", "account_manager")
    a = make_customer(db, "91000000401")
    b = make_customer(db, "91000000402")
    c = make_customer(db, "91000000403", manager="am3")
    db.add(
        ManagerAssignment(
            customer_id=a.id, manager_id=user_id(db, "am3"), role="co", share_bp=3000, valid_from=date(2026, 1, 1)
        )
    )
    # and their month-end AUM and deposits in October and November 2026 (fen)
    for customer, oct_aum, nov_aum, nov_dep in (
        (a, 1_000_000, 2_000_000, 500_000),
        (b, 0, 300_000, 300_000),
        (c, 100_000, 50_000, 0),
    ):
        put_month(db, customer, date(2026, 10, 1), aum_end=oct_aum)
        put_month(db, customer, date(2026, 11, 1), aum_end=nov_aum, demand_end=nov_dep)
    for manager, value in (("am1", 1_000_000), ("am3", 500_000)):
        targets.set_target(
            db,
            SYSTEM_PRINCIPAL,
            TargetSet(kind="AUM_GROWTH", period="2026-11", unit="BJ", manager=manager, value=value),
        )
    targets.set_target(db, SYSTEM_PRINCIPAL, TargetSet(kind="AUM_GROWTH", period="2026-11", unit="BJ", value=2_000_000))
    targets.set_target(
        db, SYSTEM_PRINCIPAL, TargetSet(kind="DEPOSITS", period="2026-11", unit="BJ", manager="am1", value=1_000_000)
    )
    db.commit()
    # When the branch manager reads November's targets
    got = client.get("/api/v1/targets?period=2026-11&unit=BJ", headers=token_for(client, "manager")).json()
    mine = client.get("/api/v1/targets?period=2026-11", headers=token_for(client, "am1")).json()
    # Then by hand: A grew 1,000,000 (am1 70 % = 700,000; am3 30 % = 300,000), B grew 300,000 (am1), C fell 50,000 (am3)
    # am1: 700,000 + 300,000 = 1,000,000 of 1,000,000 → 100 %; am3: 300,000 − 50,000 = 250,000 of 500,000 → 50 %
    # the branch: 1,250,000 of 2,000,000 → 62.5 %; am1's deposits: 70 % of 500,000 + 300,000 = 650,000 → 65 %
    rows = {(t["kind"], t["manager"]): (t["actual"], t["attainment_pct"], t["rank"], t["ranked"]) for t in got}
    assert rows == {
        ("AUM_GROWTH", None): (1_250_000.0, 62.5, None, None),
        ("AUM_GROWTH", "am1"): (1_000_000.0, 100.0, 1, 2),
        ("AUM_GROWTH", "am3"): (250_000.0, 50.0, 2, 2),
        ("DEPOSITS", "am1"): (650_000.0, 65.0, 1, 1),
    }
    # and am1 sees only their own targets, with their rank
    assert sorted((t["kind"], t["manager"], t["rank"]) for t in mine) == [
        ("AUM_GROWTH", "am1", 1),
        ("DEPOSITS", "am1", 1),
    ]


def test_a_bad_period_is_422_naming_it_and_another_branch_is_404(client: TestClient, db: Session) -> None:
    # Given the branch manager of Beijing
    headers = token_for(client, "manager")
    # When they ask for a bad period and for Shanghai
    bad = client.get("/api/v1/targets?period=2026-13", headers=headers)
    other = client.get("/api/v1/targets?period=2026-11&unit=SH", headers=headers)
    # Then 422 names the period and Shanghai is not found
    assert (bad.status_code, [e["field"] for e in bad.json()["errors"]]) == (422, ["period"])
    assert other.status_code == 404
