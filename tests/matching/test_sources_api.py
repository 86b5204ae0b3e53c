"""A customer's source records and the lookup by a source's own customer number (客户号对照)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.models.audit import AuditEvent
from bankcrm.models.matching import MatchReview
from tests.conftest import signed_in, token_for
from tests.holdings.helpers import DAY, load, write_file
from tests.matching.helpers import person
from tests.matching.test_customers_feed import cif_of


def given_a_customer_from_two_sources(db: Session, settings: Settings, tmp_path: Path, branch: str = "BJ") -> str:
    load(db, settings, write_file(tmp_path / "c.csv", "customers", [person("P1", branch_code=branch)]), "customers")
    credit = write_file(tmp_path / "k.csv", "customers", [person("K-9", branch_code=branch)])
    load(db, settings, credit, "customers", DAY, source="CREDIT")
    return cif_of(db, "CORE", "P1")


def test_the_sources_of_a_customer_with_masked_values(
    db: Session, settings: Settings, client: TestClient, tmp_path: Path
) -> None:
    # Given a customer delivered by core banking and linked from the credit system
    cif = given_a_customer_from_two_sources(db, settings, tmp_path)
    # When an operations manager asks for its sources
    response = client.get(f"/api/v1/customers/{cif}/sources", headers=token_for(client, "ops"))
    # Then both records, with how each was linked, and C2 values masked
    assert response.status_code == 200, response.text
    body = response.json()
    assert [(r["source"], r["source_customer_id"], r["match_method"], r["first_seen"]) for r in body] == [
        ("CORE", "P1", "created", DAY.isoformat()),
        ("CREDIT", "K-9", "identity", DAY.isoformat()),
    ]
    assert body[0]["match_method_label"] == "New customer"
    assert body[0]["values"]["mobile"] == "138****8000"
    assert "*" in body[0]["values"]["id_no"] and body[0]["values"]["id_no"] != person("P1")["id_no"]


def test_a_customer_outside_the_scope_is_404_and_audited(
    db: Session, settings: Settings, client: TestClient, tmp_path: Path
) -> None:
    # Given a customer of the Shanghai branch
    cif = given_a_customer_from_two_sources(db, settings, tmp_path, branch="SH")
    # When a Beijing operations manager asks for its sources
    response = client.get(f"/api/v1/customers/{cif}/sources", headers=token_for(client, "ops"))
    # Then 404, and the attempt is audited
    assert response.status_code == 404
    audited = db.scalars(select(AuditEvent.entity_id).where(AuditEvent.action == "authz.out_of_scope")).all()
    assert cif in audited


def test_a_source_number_finds_its_customer(
    db: Session, settings: Settings, client: TestClient, tmp_path: Path
) -> None:
    # Given a customer linked from the credit system
    cif = given_a_customer_from_two_sources(db, settings, tmp_path)
    headers = token_for(client, "ops")
    # When another system asks for the credit system's number
    found = client.get("/api/v1/customers", params={"source": "CREDIT", "source_customer_id": "K-9"}, headers=headers)
    # Then the page holds that customer alone
    assert found.status_code == 200, found.text
    assert [c["cif_no"] for c in found.json()["items"]] == [cif]
    # And an unknown number gives an empty page; half a key is refused naming the missing field
    unknown = client.get("/api/v1/customers", params={"source": "CREDIT", "source_customer_id": "NO"}, headers=headers)
    assert (unknown.status_code, unknown.json()["items"]) == (200, [])
    half = client.get("/api/v1/customers", params={"source": "CREDIT"}, headers=headers)
    assert half.status_code == 422
    assert [e["field"] for e in half.json()["errors"]] == ["source_customer_id"]


def test_the_sources_tab_lists_the_records(db: Session, settings: Settings, client: TestClient, tmp_path: Path) -> None:
    # Given a customer from two sources
    cif = given_a_customer_from_two_sources(db, settings, tmp_path)
    # When the operations manager opens the customer page's Sources tab
    page = signed_in(client, "ops").get(f"/customers/{cif}/tabs/sources")
    # Then each source is a row with its number
    assert page.status_code == 200
    assert 'data-source="CORE"' in page.text and "K-9" in page.text


def test_a_record_waiting_in_an_arrival_review_shows_under_its_candidate(
    db: Session, settings: Settings, client: TestClient, tmp_path: Path
) -> None:
    # Given a customer from core banking, and a credit-system record without ID that may be the same person
    # (same birth date and gender, a name read the same, another mobile and address): it waits for a reviewer
    load(db, settings, write_file(tmp_path / "c.csv", "customers", [person("P1")]), "customers")
    cif = cif_of(db, "CORE", "P1")
    maybe = person("K-7", name="王晓明", id_type="", id_no="", mobile="13900000000", address="上海市黄浦区南京东路8号")
    load(db, settings, write_file(tmp_path / "k.csv", "customers", [maybe]), "customers", DAY, source="CREDIT")
    review_id = db.scalar(select(MatchReview.id).where(MatchReview.kind == "arrival", MatchReview.status == "open"))
    assert review_id is not None
    # When the operations manager asks for the customer's sources
    response = client.get(f"/api/v1/customers/{cif}/sources", headers=token_for(client, "ops"))
    # Then the linked record, then the waiting one with its review and no match method, values masked
    assert response.status_code == 200, response.text
    assert [(r["source"], r["source_customer_id"], r["match_method"], r["review_id"]) for r in response.json()] == [
        ("CORE", "P1", "created", None),
        ("CREDIT", "K-7", None, review_id),
    ]
    assert response.json()[1]["values"]["mobile"] == "139****0000"
    # And the lookup by the waiting record's number finds no customer yet (it is nobody's until reviewed)
    found = client.get(
        "/api/v1/customers", params={"source": "CREDIT", "source_customer_id": "K-7"}, headers=token_for(client, "ops")
    )
    assert (found.status_code, found.json()["items"]) == (200, [])
    # And the Sources tab links the waiting record to its review
    tab = signed_in(client, "ops").get(f"/customers/{cif}/tabs/sources")
    assert f'data-waiting-review="{review_id}"' in tab.text
