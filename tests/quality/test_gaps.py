"""Customers with gaps: rows, filters, an account manager's own customers, the export (audited)."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.access.service import auth as auth_service
from bankcrm.config import Settings
from bankcrm.kit.listing import SortKey, SortSpec
from bankcrm.kit.pagination import PageRequest
from bankcrm.models.access import User
from bankcrm.models.audit import AuditEvent
from bankcrm.quality.schemas import GAP_LIST
from bankcrm.quality.service import gaps
from tests.conftest import signed_in, token_for, user_id
from tests.quality.helpers import TODAY, build

DEFAULT = GAP_LIST.sort(None)


def listed(
    db: Session, settings: Settings, username: str, **filters: object
) -> list[tuple[str, int, list[str], list[str]]]:
    reader = auth_service.principal_for(db.query(User).filter_by(username=username).one())
    page = gaps.gaps(
        db,
        settings.field_cipher(),
        reader,
        TODAY,
        "en",
        sort=DEFAULT,
        page=PageRequest(1, 50),
        **filters,  # type: ignore[arg-type]
    )
    return [(g.cif_no, g.gaps, g.missing, g.invalid) for g in page.items]


def test_the_operations_manager_lists_their_customers_with_gaps_most_gaps_first(
    db: Session, settings: Settings
) -> None:
    # given the bank
    build(db, settings.field_cipher())
    # when BJ's operations manager lists the gaps
    rows = listed(db, settings, "ops")
    # then the sparse customer and the company are listed, each gap named; the complete one is not
    assert rows == [
        (
            "90000000102",
            8,
            [
                "ID document",
                "ID expiry date (not passed)",
                "E-mail",
                "Address",
                "Occupation (coded)",
                "Industry (coded)",
            ],
            ["Mobile phone", "At least one phone"],
        ),
        (
            "90000000104",
            4,
            ["Industry (coded)", "Enterprise size (coded)", "Registered address"],
            ["Licence expiry date (not passed)"],
        ),
    ]


def test_gaps_filter_by_field_and_account_manager(db: Session, settings: Settings) -> None:
    # given the bank
    build(db, settings.field_cipher())
    # when filtered by a field, and by am1
    # then only the customers whose that field is missing or invalid, or whom am1 manages
    assert [r[0] for r in listed(db, settings, "ops", field="individual.mobile")] == ["90000000102"]
    assert [r[0] for r in listed(db, settings, "ops", field="corporate.licence_expiry")] == ["90000000104"]
    assert [r[0] for r in listed(db, settings, "ops", manager_id=user_id(db, "am1"))] == ["90000000102"]


def test_an_account_manager_sees_only_their_own_customers_gaps(db: Session, settings: Settings) -> None:
    # given the bank
    build(db, settings.field_cipher())
    # when am2 asks for am1's customers
    # then they still see only their own
    assert [r[0] for r in listed(db, settings, "am2", manager_id=user_id(db, "am1"))] == ["90000000103"]
    assert [r[0] for r in listed(db, settings, "am1")] == ["90000000102"]


def test_gaps_sort_by_cif_number_descending(db: Session, settings: Settings) -> None:
    build(db, settings.field_cipher())
    reader = auth_service.principal_for(db.query(User).filter_by(username="ops").one())
    sort = SortSpec((SortKey("cif_no", True),), "id")
    page = gaps.gaps(db, settings.field_cipher(), reader, TODAY, "en", sort=sort, page=PageRequest(1, 1))
    assert ([g.cif_no for g in page.items], page.total) == (["90000000104"], 2)


def test_the_gaps_page_and_its_export_over_http(client: TestClient, db: Session, settings: Settings) -> None:
    # given the bank, committed for the app's sessions
    build(db, settings.field_cipher())
    db.commit()
    ops = signed_in(client, "ops")
    # when the operations manager opens the page, filtered by field
    page = ops.get("/quality/gaps?field=individual.mobile")
    # then the one customer is a row
    assert page.status_code == 200
    assert 'data-cif="90000000102"' in page.text and 'data-cif="90000000104"' not in page.text
    # when they export the whole list as CSV
    exported = ops.get("/quality/gaps/export.csv")
    # then it has a header and one row per customer with gaps, and the export is audited
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["CIF no.", "Name", "Kind"]
    assert [(r[0], r[5]) for r in rows[1:]] == [("90000000102", "8"), ("90000000104", "4")]
    events = db.scalars(select(AuditEvent.detail).where(AuditEvent.action == "quality.gaps_export")).all()
    assert len(events) == 1 and events[0].startswith("2 rows")
    # and the XLSX export answers too
    assert ops.get("/quality/gaps/export.xlsx").status_code == 200


def test_an_account_manager_opens_their_gaps_and_not_the_quality_page(
    client: TestClient, db: Session, settings: Settings
) -> None:
    # given the bank
    build(db, settings.field_cipher())
    db.commit()
    am1 = signed_in(client, "am1")
    # when am1 opens their gaps, the shared gaps list and the quality page
    mine = am1.get("/quality/my-gaps")
    shared = am1.get("/quality/gaps")
    # then both lists show only their sparse customer; the page of figures is refused
    assert mine.status_code == 200 and 'data-cif="90000000102"' in mine.text and "90000000103" not in mine.text
    assert shared.status_code == 200 and 'data-cif="90000000102"' in shared.text
    assert am1.get("/quality").status_code == 403
    csv_rows = am1.get("/quality/my-gaps/export.csv").content.decode("utf-8-sig").splitlines()
    assert [r.split(",")[0] for r in csv_rows[1:]] == ["90000000102"]


def test_the_api_twins(client: TestClient, db: Session, settings: Settings) -> None:
    # given the bank
    build(db, settings.field_cipher())
    db.commit()
    ops = token_for(client, "ops")
    # when the operations manager asks the API for the figures and the gaps
    figures = client.get("/api/v1/quality", headers=ops)
    listed_gaps = client.get("/api/v1/quality/gaps?sort=cif_no", headers=ops)
    trend = client.get("/api/v1/quality/trend", headers=ops)
    # then they are the page's numbers
    assert figures.status_code == 200
    body = figures.json()
    assert (body["unit_code"], body["customers"], body["duplicates"], body["without_source"]) == ("BJ", 3, 2, 1)
    mobile = next(f for f in body["fields"] if f["key"] == "individual.mobile")
    assert (mobile["complete_pct"], mobile["valid_pct"]) == (100.0, 50.0)
    assert [g["cif_no"] for g in listed_gaps.json()["items"]] == ["90000000102", "90000000104"]
    assert trend.json() == []
    # and an unknown field or a caller without the permission is refused
    assert client.get("/api/v1/quality/gaps?field=individual.nope", headers=ops).status_code == 422
    assert client.get("/api/v1/quality", headers=token_for(client, "am1")).status_code == 403
    assert client.get("/api/v1/quality/gaps", headers=token_for(client, "teller")).status_code == 403


def test_the_quality_page_shows_fields_branches_and_sources(
    client: TestClient, db: Session, settings: Settings
) -> None:
    # given the bank
    build(db, settings.field_cipher())
    db.commit()
    ops = signed_in(client, "ops")
    # when the operations manager opens the page
    page = ops.get("/quality")
    # then it shows each field's percentages, each branch and the customers without a source
    assert page.status_code == 200
    assert 'data-field="individual.mobile"' in page.text and 'data-complete="100.0"' in page.text
    assert 'data-unit="BJ-HD"' in page.text
    assert 'data-figure="without-source">1<' in page.text
    assert ops.get("/quality/trend.json").json() == {"months": [], "complete": [], "valid": []}
