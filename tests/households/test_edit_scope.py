"""A manual household edit recomputes only the households it touches; the nightly derivation does the rest."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.households.service.around import derive_around
from bankcrm.kit.time import today_in
from bankcrm.models.household import Household
from tests.conftest import token_for
from tests.households.helpers import SH, A, B, C, D, E, F, derive, given_people, household_of, households, link


def derived_at(db: Session) -> dict[int, object]:
    db.expire_all()
    return {h.id: h.derived_at for h in db.scalars(select(Household))}


def test_adding_a_member_recomputes_that_household_and_the_one_left_not_the_others(
    client: TestClient, db: Session, settings: Settings
) -> None:
    # Given {A, B}, {C, D} and {E, F} derived, then a new spouse link F-SH the nightly run has not seen yet
    people = given_people(db)
    link(db, people, A, B, "SPOUSE")
    link(db, people, C, D, "SIBLING")
    link(db, people, E, F, "SIBLING")
    derive(db, settings)
    couple, siblings, others = household_of(db, A), household_of(db, C), household_of(db, E)
    before = derived_at(db)
    link(db, people, F, SH, "SPOUSE")
    # When am1 puts C into the couple's household
    added = client.post(f"/api/v1/households/{couple}/members", json={"cif_no": C}, headers=token_for(client, "am1"))
    # Then the couple gains C, D is left alone (dissolved), and {E, F} is untouched (neither SH nor its time)
    assert added.status_code == 200, added.text
    assert households(db) == {couple: {A, B, C}, others: {E, F}}
    after = derived_at(db)
    assert after[others] == before[others]
    assert after[couple] > before[couple]  # type: ignore[operator]
    assert db.get(Household, siblings).dissolved_at is not None  # type: ignore[union-attr]
    assert db.get(Household, others).dissolved_at is None  # type: ignore[union-attr]
    # When the nightly derivation runs, SH joins E and F through the new link
    derive(db, settings)
    assert households(db) == {couple: {A, B, C}, others: {E, F, SH}}


def test_the_part_recomputed_is_closed_under_links_and_membership(db: Session, settings: Settings) -> None:
    # Given {A, B, C} (a chain of links) and {D, E} derived
    people = given_people(db)
    link(db, people, A, B, "SPOUSE")
    link(db, people, B, C, "SIBLING")
    link(db, people, D, E, "SIBLING")
    derive(db, settings)
    # When the households around A alone are derived
    report = derive_around(db, today=today_in(settings.timezone), customers={people[A].id})
    # Then exactly one household with its three members was recomputed, and nothing changed
    assert (report.households, report.members, report.created, report.dissolved) == (1, 3, 0, 0)
    assert sorted(map(sorted, households(db).values())) == [[A, B, C], [D, E]]
    # And around a customer in no household and linked to nobody, nothing is recomputed
    nobody = derive_around(db, today=today_in(settings.timezone), customers={people[F].id})
    assert (nobody.households, nobody.members, nobody.created, nobody.dissolved) == (0, 0, 0, 0)
