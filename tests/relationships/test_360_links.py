"""The 360° view leads to the household, corporate group, guarantee circle, graph and history; members' exposure."""

from __future__ import annotations

import re
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.households import jobs as household_jobs
from bankcrm.models.customer import Customer
from bankcrm.models.group import CorporateGroup, GuaranteeCircle
from bankcrm.models.household import HouseholdMember
from bankcrm.models.relationship import CustomerLink
from tests.conftest import signed_in, token_for
from tests.factories import make_customer
from tests.relationships.groups_fixtures import (
    HOLD,
    LEAF,
    MID,
    PERSON,
    SUB,
    G,
    derive,
    given_figures,
    given_group_customers,
    given_guarantees,
    given_shareholdings,
)

SPOUSE = "91000000002"  # PERSON's wife: PERSON is in a household, a group (as controller) and gives a guarantee


def given_everything(client: TestClient, db: Session, settings: Settings) -> dict[str, Customer]:
    made = given_group_customers(db)
    made[SPOUSE] = make_customer(db, SPOUSE, name="李小红")
    given_shareholdings(db, made)
    given_guarantees(db, made)
    given_figures(db, made)
    db.add(
        CustomerLink(
            from_customer_id=made[PERSON].id,
            to_customer_id=made[SPOUSE].id,
            link_type="SPOUSE",
            valid_from=date(2020, 1, 1),
        )
    )
    db.flush()
    household_jobs.derive_households(db, settings)
    derive(client, token_for(client, "risk"))
    return made


def exposure_cells(html: str, cif_no: str) -> tuple[str, str]:
    """The loans and guarantees cells of a member's row."""
    row = re.search(rf'<tr[^>]*data-cif="{cif_no}".*?</tr>', html, re.S)
    assert row, f"no row for {cif_no}"
    loans = re.search(r'data-exposure="loans">([^<]*)<', row.group(0))
    given = re.search(r'data-exposure="guarantees">([^<]*)<', row.group(0))
    assert loans and given
    return loans.group(1), given.group(1)


def test_the_360_view_links_household_group_circle_graph_and_history(
    client: TestClient, db: Session, settings: Settings
) -> None:
    # Given PERSON (household with SPOUSE, controller of HOLD's group), G2 (in a circle) and G7 (in none)
    made = given_everything(client, db, settings)
    group_id = db.scalars(select(CorporateGroup.id).where(CorporateGroup.core_customer_id == made[HOLD].id)).one()
    household_id = db.scalars(
        select(HouseholdMember.household_id).where(HouseholdMember.customer_id == made[PERSON].id)
    ).one()
    circle_id = db.scalars(select(GuaranteeCircle.id).where(GuaranteeCircle.member_count == 3)).one()
    am1 = signed_in(client, "am1")
    # When am1 opens the 360° views
    person = am1.get(f"/customers/{PERSON}/360")
    in_circle = am1.get(f"/customers/{G[1]}/360")
    lonely = am1.get(f"/customers/{G[6]}/360")
    # Then PERSON's page links to the household and the group (with its status label), not to a circle
    assert person.status_code == 200
    assert f'href="/households/{household_id}" id="household-link"' in person.text
    assert f'href="/groups/{group_id}" data-testid="group-link-{group_id}"' in person.text
    assert f"Group #{group_id}: 4 companies</a>" in person.text
    assert '<span class="badge bg-blue-lt" data-group-status="PROPOSED">Proposed</span>' in person.text
    assert "data-guarantee-circle" not in person.text
    # And G2's page links to its circle, not to a household or a group
    assert f'href="/guarantee-circles/{circle_id}" data-testid="circle-link-{circle_id}"' in in_circle.text
    assert "household-link" not in in_circle.text and "data-corporate-group" not in in_circle.text
    # And G7's page has none of the three, but every page has the graph and history links
    for absent in ("household-link", "data-corporate-group", "data-guarantee-circle"):
        assert absent not in lonely.text
    for page, cif_no in ((person, PERSON), (in_circle, G[1]), (lonely, G[6])):
        assert f'href="/customers/{cif_no}/relationships" id="customer-graph-link"' in page.text
        assert f'href="/customers/{cif_no}#tab-history" id="customer-history-link"' in page.text
    # And the 360° API carries the group with its status
    api = client.get(f"/api/v1/customers/{PERSON}/view", headers=token_for(client, "am1")).json()
    assert api["corporate_groups"] == [
        {"group_id": group_id, "status": "PROPOSED", "status_label": "Proposed", "member_count": 4}
    ]
    # And in Chinese the status label is the catalogue's Chinese one
    zh = am1.get(f"/customers/{PERSON}/360", headers={"Accept-Language": "zh-CN"})
    assert 'data-group-status="PROPOSED">待审核</span>' in zh.text


def test_group_and_circle_pages_show_each_members_exposure(client: TestClient, db: Session, settings: Settings) -> None:
    # Given the group of HOLD and the circles, with figures and guarantees
    made = given_everything(client, db, settings)
    group_id = db.scalars(select(CorporateGroup.id).where(CorporateGroup.core_customer_id == made[HOLD].id)).one()
    am1 = signed_in(client, "am1")
    # When the group's page is opened
    page = am1.get(f"/groups/{group_id}").text
    # Then each member's loans outstanding and active guarantees given are exact (HOLD's guarantee has ended)
    assert exposure_cells(page, HOLD) == ("100,000.00", "0.00")
    assert exposure_cells(page, MID) == ("200,000.00", "30,000.00")
    assert exposure_cells(page, LEAF) == ("0.00", "0.00")
    assert exposure_cells(page, SUB) == ("0.00", "0.00")
    assert exposure_cells(page, PERSON) == ("50.00", "10.00")
    # And the API gives the same in fen
    body = client.get(f"/api/v1/groups/{group_id}", headers=token_for(client, "am1")).json()
    assert {m["cif_no"]: (m["loan_balance"], m["guarantees_given"]) for m in body["members"]} == {
        PERSON: (5_000, 1_000),
        HOLD: (10_000_000, 0),
        MID: (20_000_000, 3_000_000),
        LEAF: (0, 0),
        SUB: (0, 0),
    }
    # When the 3-cycle's page is opened: G1 also guarantees G6 outside the circle (all its guarantees count)
    circle_id = db.scalars(select(GuaranteeCircle.id).where(GuaranteeCircle.member_count == 3)).one()
    circle = am1.get(f"/guarantee-circles/{circle_id}").text
    assert [exposure_cells(circle, c) for c in G[:3]] == [("0.00", "501.00"), ("0.00", "2.00"), ("0.00", "3.00")]


def test_a_member_outside_scope_shows_no_exposure(client: TestClient, db: Session, settings: Settings) -> None:
    # Given the cycle group (CYC_A, CYC_B in Beijing, SH_CO in Shanghai)
    given_everything(client, db, settings)
    body = client.get("/api/v1/groups?status=proposed", headers=token_for(client, "am2")).json()
    group_id = body["items"][0]["id"]
    # When am2 (Shanghai) reads it
    members = client.get(f"/api/v1/groups/{group_id}", headers=token_for(client, "am2")).json()["members"]
    # Then only its own customer's exposure is shown
    assert sorted((m["masked"], m["loan_balance"], m["guarantees_given"]) for m in members) == [
        (False, 0, 0),
        (True, None, None),
        (True, None, None),
    ]
