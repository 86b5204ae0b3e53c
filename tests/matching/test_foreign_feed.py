"""Foreign ID documents in a customers file: checked by the form's rules on the feed's columns, identified by (type,
issuing country, number) when matching on arrival, and a changed issuing country filed for a checker."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.models.customer import ChangeRequest, Customer
from bankcrm.models.matching import CustomerSource
from tests.holdings.helpers import DAY, load, reasons, write_file
from tests.matching.helpers import person, sources

NEXT = DAY + timedelta(days=1)


def foreigner(key: str, **overrides: str) -> dict[str, str]:
    """A German passport holder's row of a customers file."""
    row = person(
        key,
        name="米勒",
        id_type="PASSPORT",
        id_country="DE",
        id_no="C01X00T47",
        birth_date="1985-05-12",
        gender="F",
        nationality="DE",
        mobile="13912345678",
        address="北京市朝阳区三里屯路1号",
    )
    return row | overrides


def customer_of(db: Session, source: str, key: str) -> Customer:
    record = db.scalar(
        select(CustomerSource).where(CustomerSource.source == source, CustomerSource.source_customer_id == key)
    )
    assert record is not None and record.customer_id is not None
    customer = db.get(Customer, record.customer_id)
    assert customer is not None
    db.refresh(customer)
    return customer


def test_each_document_rule_rejects_its_row_on_the_feed_column(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given a file with a good foreign row and one bad row per document rule
    rows = [
        foreigner("F01"),  # 2 good
        foreigner("F02", id_country=""),  # 3 a passport needs its issuing country
        foreigner("F03", id_type="RIC", id_no="110105199001011234", id_country="DE"),  # 4 China issues the RIC
        foreigner("F04", id_type="FOREIGN_ID", id_country="ES", id_no="12345678A"),  # 5 Spanish DNI check letter
        foreigner("F05", id_country="XX"),  # 6 not a country
        foreigner("F06", id_type="HKMO_PERMIT", id_country="", id_no="X12345678"),  # 7 permit shape
        foreigner("F07", id_type="", id_no="", id_country="DE"),  # 8 a country without a document
        foreigner("F08", id_type="FOREIGN_ID", id_country="CN", id_no="12345678Z"),  # 9 CN issues no foreign ID
    ]
    # When it is loaded from core banking
    result = load(db, settings, write_file(tmp_path / "f.csv", "customers", rows), "customers")
    # Then each bad row is rejected with its line, feed column and the form's message
    assert reasons(result) == [
        (3, "id_country", "Give the country that issued this document."),
        (4, "id_country", "This document is issued by CN only."),
        (5, "id_no", "The check digit of this national ID number of ES is wrong."),
        (6, "id_country", "Not a country code: two capital letters (ISO 3166-1), such as DE."),
        (
            7,
            "id_no",
            "A travel permit number of a Hong Kong or Macao resident is H or M followed by 8 digits (or 10).",
        ),
        (8, "id_country", "An issuing country needs an ID type and an ID number."),
        (9, "id_country", "This document type cannot be issued by CN."),
    ]
    # And the good row is a customer with its passport's issuing country
    customer = customer_of(db, "CORE", "F01")
    assert (customer.id_type, customer.id_country, customer.id_no_masked) == ("PASSPORT", "DE", "C01**0T47")


def test_a_compatriots_permit_gets_cn_when_no_country_is_given(db: Session, settings: Settings, tmp_path: Path) -> None:
    rows = [foreigner("H1", name="陈大文", id_type="HKMO_PERMIT", id_country="", id_no="H12345678", nationality="CN")]
    load(db, settings, write_file(tmp_path / "h.csv", "customers", rows), "customers")
    customer = customer_of(db, "CORE", "H1")
    assert (customer.id_type, customer.id_country) == ("HKMO_PERMIT", "CN")


def test_an_old_feed_without_the_id_country_column_still_loads(db: Session, settings: Settings, tmp_path: Path) -> None:
    path = write_file(tmp_path / "o.csv", "customers", [person("P1")], drop=("id_country",))
    result = load(db, settings, path, "customers")
    assert reasons(result) == []
    assert customer_of(db, "CORE", "P1").id_country == "CN"


def test_the_same_number_from_two_countries_is_two_customers_and_links_by_type_country_and_number(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given a German and a French passport with the same characters, two people, from core banking
    french = foreigner(
        "F2", name="杜邦", id_country="FR", birth_date="1979-11-02", mobile="13712345678", nationality="FR"
    )
    load(db, settings, write_file(tmp_path / "c.csv", "customers", [foreigner("F1"), french]), "customers")
    german_customer, french_customer = customer_of(db, "CORE", "F1"), customer_of(db, "CORE", "F2")
    assert german_customer.id != french_customer.id
    assert (german_customer.id_country, french_customer.id_country) == ("DE", "FR")
    count = db.scalar(select(func.count()).select_from(Customer))
    # When the credit system delivers the German passport under its own number (another mobile)
    rows = [foreigner("K1", mobile="13600136000")]
    load(db, settings, write_file(tmp_path / "k.csv", "customers", rows), "customers", NEXT, source="CREDIT")
    # Then it links to the German customer by identity: (PASSPORT, DE, C01X00T47); nothing is added
    assert db.scalar(select(func.count()).select_from(Customer)) == count
    assert customer_of(db, "CREDIT", "K1").id == german_customer.id
    assert {(s[0], s[1]): s[3] for s in sources(db)}[("CREDIT", "K1")] == "identity"


def test_a_feed_changing_the_issuing_country_files_a_request_and_changes_nothing_yet(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given a German passport holder created by core banking
    load(db, settings, write_file(tmp_path / "c.csv", "customers", [foreigner("F1")]), "customers")
    # When the next day's file says the passport was issued by Austria
    changed = foreigner("F1", id_country="AT")
    load(db, settings, write_file(tmp_path / "d.csv", "customers", [changed]), "customers", NEXT)
    # Then the document (type, country, number) waits in a change request by the source; the country is unchanged
    customer = customer_of(db, "CORE", "F1")
    assert customer.id_country == "DE"
    request = db.scalar(select(ChangeRequest).where(ChangeRequest.kind == "update"))
    assert request is not None
    assert (request.fields, request.maker_name, request.status) == (
        "id_country,id_no,id_type",
        "source:CORE",
        "submitted",
    )
    assert json.loads(request.summary)["id_country"] == ["DE", "AT"]
    # And delivering the same change again files nothing more
    load(db, settings, write_file(tmp_path / "e.csv", "customers", [changed]), "customers", NEXT + timedelta(days=1))
    assert db.scalar(select(func.count()).select_from(ChangeRequest)) == 1


def test_a_foreign_record_without_an_identity_match_is_scored(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given a German passport holder on file
    load(db, settings, write_file(tmp_path / "c.csv", "customers", [foreigner("F1")]), "customers")
    german = customer_of(db, "CORE", "F1")
    # When the credit system delivers the same person with the passport keyed in as French (no identity match)
    rows = [foreigner("K1", id_country="FR")]
    load(db, settings, write_file(tmp_path / "k.csv", "customers", rows), "customers", NEXT, source="CREDIT")
    # Then the record went through scoring: name, birth date, mobile and address agree, the documents do not
    record = db.scalar(select(CustomerSource).where(CustomerSource.source_customer_id == "K1"))
    assert record is not None
    assert (record.customer_id, record.match_method) == (german.id, "probabilistic")
