"""Household roll-up figures and products, scope and masking, API errors, the page and the 360° line."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.holdings.jobs import nightly
from bankcrm.models.audit import AuditEvent
from bankcrm.models.household import HouseholdOverride
from tests.conftest import csrf_from, signed_in, token_for
from tests.holdings.helpers import account, load, loan, write_file
from tests.households.helpers import CO, SH, A, B, C, D, E, F, derive, given_people, household_of, households, link


def given_a_family_with_holdings(db: Session, settings: Settings, tmp_path: Path) -> int:
    """{A, B, SH} (SH in Shanghai) and {D, E}; A, B and SH hold accounts and loans; figures computed."""
    people = given_people(db)
    link(db, people, A, B, "SPOUSE")
    link(db, people, SH, A, "PARENT_OF")
    link(db, people, D, E, "SIBLING")
    accounts = [
        account("6222000000000001", A, balance="1000.00"),
        account("6222000000000002", A, balance="250.50", product_code="FD-MMF"),
        account("6222000000000003", B, balance="300.00"),
        account("6222000000000004", SH, balance="99999.00", branch_code="SH"),
    ]
    load(db, settings, write_file(tmp_path / "a.csv", "accounts", accounts), "accounts")
    loans = [loan("LN00000001", B, outstanding="500.00", drawn="1000.00", amount="1000.00")]
    load(db, settings, write_file(tmp_path / "l.csv", "loans", loans), "loans")
    nightly(db, settings)
    derive(db, settings)
    return household_of(db, A)


def test_the_household_rolls_up_the_figures_and_products_of_the_members_in_scope(
    client: TestClient, db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given the family with holdings
    family = given_a_family_with_holdings(db, settings, tmp_path)
    # When am1 reads it, by id and through B
    am1 = token_for(client, "am1")
    body = client.get(f"/api/v1/households/{family}", headers=am1).json()
    through_b = client.get(f"/api/v1/customers/{B}/household", headers=am1).json()
    # Then the Shanghai member is a hidden node, the others named in full; A, the oldest, heads the household
    assert through_b == body
    assert [(m["cif_no"], m["name"], m["visible"]) for m in body["members"]] == [
        (A, "张甲", True),
        (B, "李乙", True),
        (None, "—", False),
    ]
    assert [m["aum"] for m in body["members"]] == [125050, 30000, None]
    # And the totals are exact over A and B: AUM 1000 + 250.50 + 300, deposits 1300, loans 500, 4 products
    assert body["totals"] | {"as_of": None} == {
        "members_counted": 2,
        "members_hidden": 1,
        "aum": 155050,
        "deposit_balance": 130000,
        "loan_balance": 50000,
        "product_count": 4,
        "as_of": None,
    }
    # And the products by category: demand deposits held by both, a fund by A, a personal loan by B
    assert [(p["category"], p["label"], p["holders"], p["holdings"]) for p in body["products"]] == [
        ("DEMAND", "Demand deposit", 2, 2),
        ("FUND", "Fund", 1, 1),
        ("PLOAN", "Personal loan", 1, 1),
    ]
    assert (body["member_count"], body["head_cif_no"], body["head_name"]) == (3, A, "张甲")


def test_another_branch_sees_only_its_own_member_and_gets_404_for_the_others(
    client: TestClient, db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given the family spanning Beijing and Shanghai, and the Beijing-only siblings
    family = given_a_family_with_holdings(db, settings, tmp_path)
    siblings = household_of(db, D)
    am2 = token_for(client, "am2")
    # When am2 (Shanghai) reads a Beijing member's household, or the Beijing-only household
    by_member = client.get(f"/api/v1/customers/{A}/household", headers=am2)
    by_id = client.get(f"/api/v1/households/{siblings}", headers=am2)
    # Then both are 404 problems that name nothing, and the attempts are audited
    assert (by_member.status_code, by_id.status_code) == (404, 404)
    assert by_id.headers["content-type"] == "application/problem+json"
    assert by_id.json()["detail"] == "No such household."
    assert D not in by_id.text and E not in by_id.text
    assert by_member.json()["detail"] == "Customer not found."
    denied = db.scalars(select(AuditEvent).where(AuditEvent.action == "authz.out_of_scope")).all()
    assert [(e.entity_type, e.entity_id) for e in denied] == [("customer", A), ("household", str(siblings))]
    # And through its own customer am2 sees the family with both Beijing members hidden and uncounted
    body = client.get(f"/api/v1/customers/{SH}/household", headers=am2).json()
    assert body["id"] == family
    assert [(m["cif_no"], m["name"], m["aum"]) for m in body["members"]] == [
        (None, "—", None),
        (SH, "陈静", 9999900),
        (None, "—", None),
    ]
    assert (body["head_cif_no"], body["head_name"]) == (None, "—")
    assert (body["totals"]["aum"], body["totals"]["members_hidden"]) == (9999900, 2)
    assert [p["category"] for p in body["products"]] == ["DEMAND"]


@pytest.mark.parametrize(
    ("user", "path", "body", "status", "errors"),
    [
        (
            "am1",
            "members",
            {"cif_no": CO},
            422,
            [{"field": "cif_no", "message": "Only individual customers belong to a household."}],
        ),
        (
            "am1",
            "members",
            {"cif_no": "92000000099"},
            422,
            [{"field": "cif_no", "message": "No customer in your scope has this CIF number."}],
        ),
        (
            "am1",
            "members",
            {"cif_no": SH},
            422,
            [{"field": "cif_no", "message": "No customer in your scope has this CIF number."}],
        ),
        ("am1", "members", {"cif_no": B}, 409, None),
        (
            "am1",
            "head",
            {"cif_no": D},
            422,
            [{"field": "cif_no", "message": "Choose a member of this household in your scope."}],
        ),
        ("am1", "members/92000000004/remove", None, 404, None),
        ("manager", "members", {"cif_no": F}, 403, None),
        ("am2", "members", {"cif_no": SH}, 404, None),
    ],
)
def test_refused_edits_are_problems_and_change_nothing(
    client: TestClient,
    db: Session,
    settings: Settings,
    user: str,
    path: str,
    body: dict[str, str] | None,
    status: int,
    errors: list[dict[str, str]] | None,
) -> None:
    # Given the couple {A, B} in Beijing
    people = given_people(db)
    link(db, people, A, B, "SPOUSE")
    link(db, people, D, E, "SIBLING")
    derive(db, settings)
    couple = household_of(db, A)
    before = households(db)
    # When a refused edit is posted
    response = client.post(f"/api/v1/households/{couple}/{path}", json=body, headers=token_for(client, user))
    # Then it is the expected problem, and no override or membership changed
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    if errors is not None:
        assert response.json()["errors"] == errors
    assert db.scalar(select(func.count()).select_from(HouseholdOverride)) == 0
    assert households(db) == before


def test_am1_edits_the_household_on_its_page_and_the_360_view_links_to_it(
    client: TestClient, db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given the family with holdings, and am1 signed in on A's 360° view
    family = given_a_family_with_holdings(db, settings, tmp_path)
    am1 = signed_in(client, "am1")
    view = am1.get(f"/customers/{A}/360")
    # Then the view says how many members the household has and its AUM in scope, with a link
    assert 'id="household-link"' in view.text and f'href="/households/{family}"' in view.text
    assert "Household: 3 members, AUM 1,550.50" in " ".join(view.text.split())
    # When am1 opens the household page
    page = am1.get(f"/households/{family}")
    assert page.status_code == 200
    assert "张甲" in page.text and "1 member outside your customers is not shown" in page.text
    assert SH not in page.text and "陈" not in page.text
    # And adds a company, which is refused on the form
    bad = am1.post(
        f"/households/{family}/members", data={"csrf_token": csrf_from(page.text), "cif_no": CO}, follow_redirects=False
    )
    assert bad.status_code == 422
    assert 'data-field-error="cif_no">Only individual customers belong to a household.</div>' in bad.text
    # And adds C, then makes B the head
    added = am1.post(
        f"/households/{family}/members", data={"csrf_token": csrf_from(page.text), "cif_no": C}, follow_redirects=False
    )
    assert (added.status_code, added.headers["location"]) == (303, f"/households/{family}?saved=added")
    head = am1.post(
        f"/households/{family}/head", data={"csrf_token": csrf_from(page.text), "cif_no": B}, follow_redirects=False
    )
    assert head.status_code == 303
    # Then the page lists C, added by hand, and B as head
    shown = am1.get(head.headers["location"])
    assert "The head of the household is changed." in shown.text and "Added by hand" in shown.text
    assert households(db)[family] == {A, B, C, SH}
    # And removing B and C, then A, dissolves the household and sends am1 to A's 360° view
    for cif in (B, C):
        gone = am1.post(
            f"/households/{family}/members/{cif}/remove",
            data={"csrf_token": csrf_from(page.text)},
            follow_redirects=False,
        )
        assert gone.headers["location"] == f"/households/{family}?saved=removed"
    last = am1.post(
        f"/households/{family}/members/{A}/remove", data={"csrf_token": csrf_from(page.text)}, follow_redirects=False
    )
    assert last.headers["location"] == f"/customers/{A}/360"
    assert am1.get(f"/households/{family}").status_code == 404
    assert 'id="household-link"' not in am1.get(f"/customers/{A}/360").text
