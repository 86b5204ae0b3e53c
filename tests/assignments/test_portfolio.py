"""Portfolios: exact figures and counts in the viewer's scope; out-of-scope customers are never listed or counted."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.assignments.helpers import (
    BJ_1,
    BJ_2,
    BJ_3,
    SH_1,
    approved_change,
    given_customers,
    given_staff,
    slot,
)
from tests.conftest import token_for, user_id


@pytest.fixture(autouse=True)
def _bank(db: Session) -> None:
    given_staff(db)
    given_customers(db)


def portfolio(client: TestClient, viewer: str, manager_id: int, **params: int) -> dict:  # type: ignore[type-arg]
    response = client.get(f"/api/v1/managers/{manager_id}/portfolio", params=params, headers=token_for(client, viewer))
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_a_managers_portfolio_has_exact_figures_shares_and_counts(client: TestClient, db: Session) -> None:
    approved_change(client, BJ_1, [slot(db, "am1", "primary", 7000), slot(db, "am3", "co", 3000)])

    mine = portfolio(client, "manager", user_id(db, "am1"))
    co = portfolio(client, "manager", user_id(db, "am3"))

    assert [(i["cif_no"], i["role"], i["share_bp"], i["aum"]) for i in mine["items"]] == [
        (BJ_1, "primary", 7000, 1_000_000),
        (BJ_2, "primary", 10000, 500_003),
        (BJ_3, "primary", 10000, None),
    ]
    assert mine["totals"] == {
        "customers": 3,
        "primary": 3,
        "co": 0,
        "by_status": {"ACTIVE": 2, "DORMANT": 1},
        "aum": 1_500_003,
        "deposit_balance": 1_300_003,
        "loan_balance": 300_000,
        "aum_credited": 700_000 + 500_003,
        "deposit_credited": 560_000 + 500_003,
        "loan_credited": 300_000,
        "figures_as_of": "2026-11-29",
    }
    assert [(i["cif_no"], i["role"], i["share_bp"]) for i in co["items"]] == [(BJ_1, "co", 3000)]
    assert (co["totals"]["customers"], co["totals"]["aum_credited"], co["totals"]["loan_credited"]) == (1, 300_000, 0)


def test_credited_figures_round_down_over_the_whole_portfolio(client: TestClient, db: Session) -> None:
    approved_change(client, BJ_2, [slot(db, "am1", "primary", 3333), slot(db, "am3", "co", 6667)])

    co = portfolio(client, "manager", user_id(db, "am3"))

    assert co["totals"]["aum_credited"] == 500_003 * 6667 // 10_000


def test_pages_list_primary_first_and_totals_cover_every_page(client: TestClient, db: Session) -> None:
    first = portfolio(client, "manager", user_id(db, "am1"), page=1, size=2)
    second = portfolio(client, "manager", user_id(db, "am1"), page=2, size=2)

    assert [i["cif_no"] for i in first["items"]] == [BJ_1, BJ_2]
    assert [i["cif_no"] for i in second["items"]] == [BJ_3]
    assert first["total"] == second["total"] == 3
    assert first["totals"] == second["totals"]


def test_out_of_scope_customers_are_neither_listed_nor_counted(client: TestClient, db: Session) -> None:
    approved_change(
        client, SH_1, [slot(db, "am2", "primary", 6000), slot(db, "am3", "co", 4000)], checker="homgr", maker="shmgr"
    )

    seen_by_bj = client.get(f"/api/v1/managers/{user_id(db, 'am3')}/portfolio", headers=token_for(client, "manager"))
    seen_by_head_office = portfolio(client, "homgr", user_id(db, "am3"))

    assert seen_by_bj.status_code == 200
    assert SH_1 not in seen_by_bj.text and "陈" not in seen_by_bj.text
    assert seen_by_bj.json()["items"] == []
    assert seen_by_bj.json()["totals"]["customers"] == 0
    assert seen_by_bj.json()["totals"]["aum"] == 0
    assert seen_by_bj.json()["totals"]["by_status"] == {}
    assert [(i["cif_no"], i["share_bp"]) for i in seen_by_head_office["items"]] == [(SH_1, 4000)]
    assert seen_by_head_office["totals"]["aum_credited"] == 3_600_000


def test_a_manager_outside_the_viewers_scope_is_not_found(client: TestClient, db: Session) -> None:
    for viewer, manager in (("shmgr", "am1"), ("am2", "am1"), ("manager", "am2")):
        response = client.get(f"/api/v1/managers/{user_id(db, manager)}/portfolio", headers=token_for(client, viewer))
        assert response.status_code == 404, (viewer, manager)
        assert response.headers["content-type"] == "application/problem+json"
        assert "李明" not in response.text


def test_an_account_manager_sees_own_portfolio_only_in_own_scope(client: TestClient, db: Session) -> None:
    approved_change(client, BJ_1, [slot(db, "am1", "primary", 7000), slot(db, "am3", "co", 3000)])

    own = portfolio(client, "am1", user_id(db, "am1"))
    co_only = portfolio(client, "am3", user_id(db, "am3"))

    assert [i["cif_no"] for i in own["items"]] == [BJ_1, BJ_2, BJ_3]
    # A co-manager reads the customers they co-manage: BJ_1 is am3's, with am3's 30 % share.
    assert [(i["cif_no"], i["role"], i["share_bp"]) for i in co_only["items"]] == [(BJ_1, "co", 3000)]
    assert co_only["totals"]["customers"] == 1


def test_customer_managers_of_an_out_of_scope_customer_are_not_found(client: TestClient, db: Session) -> None:
    response = client.get(f"/api/v1/customers/{SH_1}/managers", headers=token_for(client, "manager"))

    assert response.status_code == 404
    assert "陈" not in response.text


def test_a_co_manager_reads_the_customer_while_co_managing_it(client: TestClient, db: Session) -> None:
    # given am3 is made co-manager of BJ_1 (am1 keeps 70 %)
    approved_change(client, BJ_1, [slot(db, "am1", "primary", 7000), slot(db, "am3", "co", 3000)])
    # then am3 reads the customer, as its primary manager does
    assert client.get(f"/api/v1/customers/{BJ_1}", headers=token_for(client, "am3")).status_code == 200
    # when the co-manager is removed again
    approved_change(client, BJ_1, [slot(db, "am1", "primary", 10_000)])
    # then am3 no longer reads it: the ended assignment row gives no access
    assert client.get(f"/api/v1/customers/{BJ_1}", headers=token_for(client, "am3")).status_code == 404
