"""Households are the components of active family links between individuals; overrides survive re-derivation."""

from __future__ import annotations

from datetime import date

import numpy as np
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.households.service.derive import components
from bankcrm.models.audit import AuditEvent
from bankcrm.models.household import Household, HouseholdOverride
from tests.conftest import token_for
from tests.households.helpers import CO, SH, A, B, C, D, E, F, derive, given_people, household_of, households, link


def test_components_of_an_edge_list() -> None:
    # Given edges 1-2, 3-2, 7-8 and a repeated 8-7
    source = np.array([1, 3, 7, 8], dtype=np.int64)
    target = np.array([2, 2, 8, 7], dtype=np.int64)
    # Then the components are {1, 2, 3} and {7, 8}
    assert sorted(map(sorted, components(source, target))) == [[1, 2, 3], [7, 8]]
    assert components(np.array([], dtype=np.int64), np.array([], dtype=np.int64)) == []


def test_two_families_become_two_households_and_other_links_are_ignored(db: Session, settings: Settings) -> None:
    # Given A married to B, C a parent of B, D and E siblings
    people = given_people(db)
    link(db, people, A, B, "SPOUSE")
    link(db, people, C, B, "PARENT_OF")
    link(db, people, D, E, "SIBLING")
    # And links that do not make a household: not family, ended, or reaching a company
    link(db, people, F, CO, "EMPLOYEE_OF")
    link(db, people, F, A, "GUARANTOR_FOR", valid_to=None)
    link(db, people, E, F, "SIBLING", valid_to=date(2021, 1, 1))
    link(db, people, F, CO, "SPOUSE")  # a row the links service would refuse: a company is never family
    # When households are derived
    report = derive(db, settings)
    # Then there are exactly two households, {A, B, C} and {D, E}
    assert sorted(map(sorted, households(db).values())) == [[A, B, C], [D, E]]
    assert (report.households, report.members, report.created, report.dissolved) == (2, 5, 2, 0)
    # And the oldest member heads each
    heads = {h.id: h.head_customer_id for h in db.scalars(select(Household))}
    assert heads[household_of(db, A)] == people[A].id
    assert heads[household_of(db, D)] == people[D].id
    # And the run is audited once
    [event] = db.scalars(select(AuditEvent).where(AuditEvent.action == "household.derived")).all()
    assert event.detail == "2 households with 5 members; 2 created, 0 dissolved"


def test_deriving_again_keeps_ids_and_changes_nothing(db: Session, settings: Settings) -> None:
    # Given derived households
    people = given_people(db)
    link(db, people, A, B, "SPOUSE")
    link(db, people, D, E, "SIBLING")
    derive(db, settings)
    before = households(db)
    # When derived again, and again after E gains a sibling F
    again = derive(db, settings)
    link(db, people, E, F, "SIBLING")
    grown = derive(db, settings)
    # Then ids are kept: the second run changed nothing, the third added F to D's household
    assert (again.created, again.dissolved) == (0, 0)
    assert (grown.created, grown.dissolved) == (0, 0)
    after = households(db)
    assert after[household_of(db, A)] == before[household_of(db, A)] == {A, B}
    assert after[household_of(db, D)] == {D, E, F}
    assert set(after) == set(before)


def test_manual_edits_are_kept_when_households_are_derived_again(
    client: TestClient, db: Session, settings: Settings
) -> None:
    # Given {A, B, C} and {D, E} derived
    people = given_people(db)
    link(db, people, A, B, "SPOUSE")
    link(db, people, C, B, "PARENT_OF")
    link(db, people, D, E, "SIBLING")
    derive(db, settings)
    family, siblings = household_of(db, A), household_of(db, D)
    am1 = token_for(client, "am1")
    # When am1 removes C, adds F to the siblings' household and makes B the head of the family
    removed = client.post(f"/api/v1/households/{family}/members/{C}/remove", headers=am1)
    added = client.post(f"/api/v1/households/{siblings}/members", json={"cif_no": F}, headers=am1)
    head = client.post(f"/api/v1/households/{family}/head", json={"cif_no": B}, headers=am1)
    assert (removed.status_code, added.status_code, head.status_code) == (204, 200, 200), head.text
    # And C gains a sibling link to D, and the nightly derivation runs twice
    link(db, people, C, D, "SIBLING")
    derive(db, settings)
    derive(db, settings)
    # Then C stays out, F stays in (added by hand), B stays head, and the ids are the same
    assert households(db) == {family: {A, B}, siblings: {D, E, F}}
    assert db.get(Household, family).head_customer_id == people[B].id  # type: ignore[union-attr]
    body = client.get(f"/api/v1/households/{siblings}", headers=am1).json()
    assert [(m["cif_no"], m["manual"]) for m in body["members"]] == [(D, False), (E, False), (F, True)]
    # And each edit is audited with the CIF number it concerned
    events = db.scalars(
        select(AuditEvent).where(AuditEvent.action.like("household.%"), AuditEvent.action != "household.derived")
    ).all()
    assert [(e.action, e.entity_id, e.actor_username) for e in events] == [
        ("household.member_removed", str(family), "am1"),
        ("household.member_added", str(siblings), "am1"),
        ("household.head_set", str(family), "am1"),
    ]
    assert f'"member_cif_no": ["{C}", null]' in (events[0].changes or "")
    assert f'"head_cif_no": ["{A}", "{B}"]' in (events[2].changes or "")


def test_a_household_left_with_one_member_dissolves_and_a_removed_head_is_replaced(
    client: TestClient, db: Session, settings: Settings
) -> None:
    # Given {A, B} and {C, D, E} (C heads it as the oldest)
    people = given_people(db)
    link(db, people, A, B, "SPOUSE")
    link(db, people, C, D, "SIBLING")
    link(db, people, D, E, "SIBLING")
    derive(db, settings)
    couple, siblings = household_of(db, A), household_of(db, C)
    am1 = token_for(client, "am1")
    # When B leaves the couple, and the head C leaves the siblings
    assert client.post(f"/api/v1/households/{couple}/members/{B}/remove", headers=am1).status_code == 204
    assert client.post(f"/api/v1/households/{siblings}/members/{C}/remove", headers=am1).status_code == 204
    # Then the couple is dissolved (404 from now on) and D heads the siblings
    assert households(db) == {siblings: {D, E}}
    assert client.get(f"/api/v1/households/{couple}", headers=am1).status_code == 404
    assert client.get(f"/api/v1/customers/{A}/household", headers=am1).status_code == 404
    assert client.get(f"/api/v1/households/{siblings}", headers=am1).json()["head_cif_no"] == D
    # And the overrides are stored: two exclusions
    assert [o.kind for o in db.scalars(select(HouseholdOverride))] == ["EXCLUDE", "EXCLUDE"]
    # And a cross-branch spouse counts as a member like any other
    link(db, people, E, SH, "SPOUSE")
    derive(db, settings)
    assert households(db) == {siblings: {D, E, SH}}
    assert db.scalar(select(func.count()).select_from(Household).where(Household.dissolved_at.is_(None))) == 1
