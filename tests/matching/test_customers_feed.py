"""A customers file: rows checked by the form's rules, source records kept and linked, new customers created or
filed, survivorship per field, and the ingest contract (same file twice, corrections, a failed load)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM
from bankcrm.access.service.auth import principal_for
from bankcrm.config import Settings
from bankcrm.customers.schemas import Decision
from bankcrm.customers.service import approval
from bankcrm.errors import ValidationFailed
from bankcrm.ingest.service.rerun import rerun
from bankcrm.matching.schemas import Outcome, Placement
from bankcrm.matching.service import arrival, feed
from bankcrm.models.access import User
from bankcrm.models.audit import AuditEvent
from bankcrm.models.customer import ChangeRequest, CodeItem, Customer, CustomerContact, FieldChange
from bankcrm.models.matching import CustomerSource, MatchReview, SourceSystem
from tests.factories import resident_id, uscc
from tests.holdings.helpers import DAY, load, reasons, write_file
from tests.matching.helpers import company, customers, person, sources

NEXT = DAY + timedelta(days=1)


def cif_of(db: Session, source: str, key: str) -> str:
    record = db.scalar(
        select(CustomerSource).where(CustomerSource.source == source, CustomerSource.source_customer_id == key)
    )
    assert record is not None and record.customer_id is not None
    customer = db.get(Customer, record.customer_id)
    assert customer is not None
    return customer.cif_no


def customer_of(db: Session, source: str, key: str) -> Customer:
    customer = db.scalar(select(Customer).where(Customer.cif_no == cif_of(db, source, key)))
    assert customer is not None
    db.refresh(customer)
    return customer


def test_each_form_rule_rejects_its_row_on_the_feed_column(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given a file with a good row and one row per rule of the entry form
    good_id = resident_id()
    rows = [
        person("P01"),  # 2 good
        person("P02", id_no=good_id[:-1] + ("0" if good_id[-1] != "0" else "1")),  # 3 wrong check digit
        person("P03", birth_date=""),  # 4 birth date missing
        company("C04", uscc=uscc()[:-1] + ("0" if uscc()[-1] != "0" else "1")),  # 5 wrong USCC check character
        person("P05", marital_status="99"),  # 6 unknown code
        company("C06", legal_rep_name=""),  # 7 corporate without legal representative
        person("P07", kind="partnership"),  # 8 unknown kind
        person("P08", birth_date="1991-01-01"),  # 9 ID birth date disagrees
        person("P01"),  # 10 the same source customer id again
        person("P10", branch_code="XX"),  # 11 unknown org unit
        person("P11", status="MERGED"),  # 12 a status only a merge sets
        person("P12", birth_date="1990-13-01"),  # 13 not a date
        person("P13", id_type=""),  # 14 an ID number without its type
        person("P14", gender="F"),  # 15 ID gender digit disagrees
        person("P15", email="not-an-address"),  # 16 e-mail
        person("P16", source_customer_id="P 16"),  # 17 source customer id shape
        company("C17"),  # 18 good
    ]
    # When it is loaded from core banking
    result = load(db, settings, write_file(tmp_path / "c.csv", "customers", rows), "customers")
    # Then each bad row is rejected with its line, feed column and the form's message
    assert reasons(result) == [
        (3, "id_no", "The check digit of this ID number is wrong."),
        (4, "birth_date", "Required for individual customers."),
        (5, "uscc", "The check character of this unified social credit code is wrong."),
        (6, "marital_status", "Choose one of the listed values."),
        (7, "legal_rep_name", "Required for corporate customers."),
        (8, "kind", "Must be individual or corporate."),
        (9, "id_no", "The birth date in the ID number (1990-03-07) does not match the date of birth."),
        (10, "source_customer_id", "Duplicate key: the same value is on line 2."),
        (11, "branch_code", "Unknown code XX (code table org_unit)."),
        (12, "status", "Choose one of the listed values."),
        (13, "birth_date", "Not a date in the form YYYY-MM-DD."),
        (14, "id_type", "The ID type and the ID number go together: give both or neither."),
        (15, "id_no", "The gender digit in the ID number does not match the gender."),
        (16, "email", "Enter a valid e-mail address."),
        (17, "source_customer_id", "1 to 64 letters, digits, dashes or underscores."),
    ]
    # And the two good rows are customers, with their source records
    assert result.run.rows_loaded == 2
    assert [s[:2] for s in sources(db)] == [("CORE", "C17"), ("CORE", "P01")]


def test_an_unknown_source_is_refused_naming_source(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given a customers file from a system the catalogue does not know
    path = write_file(tmp_path / "c.csv", "customers", [person("P1")])
    # When it is loaded, then the request is refused on the field source and nothing is kept
    with pytest.raises(ValidationFailed) as refused:
        load(db, settings, path, "customers", source="NOPE")
    assert [e.field for e in refused.value.errors] == ["source"]
    assert sources(db) == []


def test_a_trusted_source_creates_customers_audited_as_the_source(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given a GBK file from core banking (trusted) with a person and a company
    rows = [person("P1", name="欧阳娜娜", email="nana@example.cn"), company("C1")]
    path = write_file(tmp_path / "c.csv", "customers", rows, encoding="gbk")
    # When it is loaded
    result = load(db, settings, path, "customers", encoding="gbk")
    # Then both are customers at once, with CIF numbers, search keys, encrypted ID and phone
    assert reasons(result) == []
    person_row = customer_of(db, "CORE", "P1")
    assert (person_row.name, person_row.name_pinyin, person_row.status) == ("欧阳娜娜", "ouyangnana", "ACTIVE")
    assert person_row.id_no_masked is not None and person_row.id_no_enc is not None
    assert person_row.individual is not None and person_row.individual.birth_date == date(1990, 3, 7)
    phones = db.scalars(
        select(CustomerContact.value_masked).where(
            CustomerContact.customer_id == person_row.id, CustomerContact.channel == "phone"
        )
    ).all()
    assert phones == ["138****8000"]
    firm = customer_of(db, "CORE", "C1")
    assert firm.corporate is not None and firm.corporate.registered_capital == 500_000_000
    # And linked as created, audited as made by the source
    assert [s[3] for s in sources(db)] == ["created", "created"]
    actors = db.scalars(select(AuditEvent.actor_username).where(AuditEvent.action == "customer.create")).all()
    assert actors == ["source:CORE", "source:CORE"]


def test_an_untrusted_source_files_new_customers_for_a_checker_and_links_once_approved(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given a credit system's file with a new person
    before = db.scalar(select(func.count()).select_from(Customer))
    load(db, settings, write_file(tmp_path / "c.csv", "customers", [person("K1")]), "customers", source="CREDIT")
    # Then no customer yet: a create request by the source, and the source record waits for it
    assert db.scalar(select(func.count()).select_from(Customer)) == before
    request = db.scalar(select(ChangeRequest).where(ChangeRequest.maker_name == "source:CREDIT"))
    assert request is not None and (request.kind, request.status) == ("create", "submitted")
    assert sources(db) == [("CREDIT", "K1", None, "created", True)]
    # When a checker approves it
    manager = db.scalar(select(User).where(User.username == "manager"))
    assert manager is not None
    approval.decide(db, principal_for(manager), settings.field_cipher(), request.id, Decision(approve=True))
    # And the source delivers again the next day (the same row)
    load(db, settings, write_file(tmp_path / "d.csv", "customers", [person("K1")]), "customers", NEXT, source="CREDIT")
    # Then the source record is linked to the new customer
    assert request.customer is not None
    assert sources(db) == [("CREDIT", "K1", request.customer.cif_no, "created", True)]


def test_whether_a_source_is_trusted_is_configuration(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given the bank trusts its card system
    card = db.get(SourceSystem, "CARD")
    assert card is not None
    card.trusted = True
    # When it delivers a new person, then the customer is created at once
    load(db, settings, write_file(tmp_path / "c.csv", "customers", [person("X1")]), "customers", source="CARD")
    assert sources(db)[0][3] == "created" and sources(db)[0][2] is not None


def test_a_record_with_a_known_id_links_to_that_customer(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given a person and a company created by core banking
    load(db, settings, write_file(tmp_path / "c.csv", "customers", [person("P1"), company("C1")]), "customers")
    count = db.scalar(select(func.count()).select_from(Customer))
    # When the credit system delivers the same ID number and the same credit code under its own numbers
    rows = [person("K-77", mobile="13900139000"), company("K-88", name="北京星河科技有限公司")]
    load(db, settings, write_file(tmp_path / "k.csv", "customers", rows), "customers", source="CREDIT")
    # Then they link to the same customers by identity, and no customer is added or filed
    assert db.scalar(select(func.count()).select_from(Customer)) == count
    assert cif_of(db, "CREDIT", "K-77") == cif_of(db, "CORE", "P1")
    assert cif_of(db, "CREDIT", "K-88") == cif_of(db, "CORE", "C1")
    methods = {(s[0], s[1]): s[3] for s in sources(db)}
    assert methods[("CREDIT", "K-77")] == methods[("CREDIT", "K-88")] == "identity"
    assert db.scalar(select(func.count()).select_from(ChangeRequest)) == 0


def test_a_feed_changing_an_identity_field_files_a_request_and_changes_nothing_yet(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given a person created by core banking
    load(db, settings, write_file(tmp_path / "c.csv", "customers", [person("P1")]), "customers")
    # When the next day's file gives another name and another marital status
    changed = person("P1", name="王大明", marital_status="10")
    load(db, settings, write_file(tmp_path / "d.csv", "customers", [changed]), "customers", NEXT)
    # Then the name waits in a change request by the source; the name is unchanged
    customer = customer_of(db, "CORE", "P1")
    assert customer.name == "王小明"
    request = db.scalar(select(ChangeRequest).where(ChangeRequest.kind == "update"))
    assert request is not None
    assert (request.fields, request.maker_name, request.status) == ("name", "source:CORE", "submitted")
    assert json.loads(request.summary) == {"name": ["王**", "王**"]}
    # And the marital status (most recent wins) changed at once, in the field history as the source, after the
    # one row of the customer's creation (its count of fields; the audit event keeps each value)
    assert customer.individual is not None and customer.individual.marital_status == "10"
    history = db.scalars(select(FieldChange).where(FieldChange.customer_id == customer.id)).all()
    assert [(h.field, h.old_value, h.new_value, h.changed_by_name) for h in history] == [
        ("created", None, "12", "source:CORE"),
        ("marital_status", "20", "10", "source:CORE"),
    ]
    # And delivering the same change again files nothing more
    load(db, settings, write_file(tmp_path / "e.csv", "customers", [changed]), "customers", NEXT + timedelta(days=1))
    assert db.scalar(select(func.count()).select_from(ChangeRequest)) == 1


def test_survivorship_per_field(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given a person from core banking (priority 10) with a nationality and no ethnicity
    core = person("P1", nationality="CN", marital_status="20", employer="星河科技")
    load(db, settings, write_file(tmp_path / "c.csv", "customers", [core]), "customers")
    # When the credit system (priority 20) delivers the same person with other values and another branch
    credit = person("K1", nationality="HK", ethnicity="02", marital_status="10", employer="月光科技", branch_code="SH")
    load(db, settings, write_file(tmp_path / "k.csv", "customers", [credit]), "customers", NEXT, source="CREDIT")
    customer = customer_of(db, "CORE", "P1")
    profile = customer.individual
    assert profile is not None
    # Then source priority: core's nationality stays; the ethnicity no higher source gave is taken
    assert (profile.nationality, profile.ethnicity) == ("CN", "02")
    # And most recent: marital status and employer are the credit system's
    assert (profile.marital_status, profile.employer) == ("10", "月光科技")
    # And never: the home unit is not a feed's to change
    assert customer.home_unit.code == "BJ"


def test_the_same_file_twice_changes_nothing(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given a file loaded once
    path = write_file(tmp_path / "c.csv", "customers", [person("P1"), company("C1")])
    load(db, settings, path, "customers")
    before = (sources(db), customers(db), db.scalar(select(func.count()).select_from(AuditEvent)))
    # When the same file is loaded again
    again = load(db, settings, path, "customers")
    # Then nothing changed
    assert again.unchanged
    assert (sources(db), customers(db), db.scalar(select(func.count()).select_from(AuditEvent))) == before


def test_a_corrected_redelivery_replaces_the_source_records(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given a delivery that created two people
    first = [person("P1"), person("P2", id_no=resident_id(seq="135"), name="赵六")]
    load(db, settings, write_file(tmp_path / "c.csv", "customers", first), "customers")
    kept = cif_of(db, "CORE", "P2")
    # When a corrected file for the same day leaves P2 out and changes P1's mobile
    fixed = [person("P1", mobile="13900139000")]
    result = load(db, settings, write_file(tmp_path / "c2.csv", "customers", fixed), "customers")
    # Then P2's source record is gone (its customer, once created, stays) and P1's holds the correction
    assert result.run.replaced
    assert [s[:2] for s in sources(db)] == [("CORE", "P1")]
    assert db.scalar(select(Customer).where(Customer.cif_no == kept)) is not None
    record = db.scalar(select(CustomerSource))
    assert record is not None
    assert feed.delivered_values(settings.field_cipher(), record)["mobile"] == "+8613900139000"
    p1 = customer_of(db, "CORE", "P1")
    phones = db.scalars(
        select(CustomerContact.value_masked).where(
            CustomerContact.customer_id == p1.id, CustomerContact.channel == "phone"
        )
    ).all()
    assert phones == ["139****9000"]


def test_a_load_that_fails_midway_leaves_nothing(
    db: Session, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a file of many rows whose placement fails on the second chunk
    rows = [person(f"P{i:04d}", id_type="", id_no="", name=f"测试{i}") for i in range(400)]
    path = write_file(tmp_path / "c.csv", "customers", rows)
    calls = {"n": 0}
    real = arrival.place

    def failing(db_: Session, cipher: object, records: object, known: object = None) -> dict[int, Placement]:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("killed")
        return real(db_, cipher, records, known)  # type: ignore[arg-type]

    monkeypatch.setattr(arrival, "place", failing)
    counts = {t: db.scalar(select(func.count()).select_from(t)) for t in (Customer, CustomerSource, AuditEvent)}
    # When the load fails in its transaction
    savepoint = db.begin_nested()
    with pytest.raises(RuntimeError):
        load(db, settings, path, "customers", chunk_bytes=8192)
    savepoint.rollback()
    # Then nothing of it is left
    assert calls["n"] == 2
    assert {t: db.scalar(select(func.count()).select_from(t)) for t in counts} == counts


def test_each_placement_outcome_is_handled(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given a customer on file and two credit-system records without an identity match
    load(db, settings, write_file(tmp_path / "c.csv", "customers", [person("P1")]), "customers")
    target = customer_of(db, "CORE", "P1")
    rows = [person("K1", id_type="", id_no=""), person("K2", id_type="", id_no="", name="王晓明")]
    cipher = settings.field_cipher()
    delivery = feed.start(db, "CREDIT", NEXT, None)  # type: ignore[arg-type]
    records = []
    for row in rows:
        values = {k: v for k, v in row.items() if v}
        record = CustomerSource(
            source="CREDIT",
            source_customer_id=row["source_customer_id"],
            kind="individual",
            values_enc="",
            values_hash="",
            first_seen=NEXT,
            last_seen=NEXT,
        )
        db.add(record)
        db.flush()
        records.append((record, values))
    units = {"BJ": target.home_unit_id}
    # When the scorer links the first above the upper threshold and sends the second to review
    fields = [feed.delivered.customer_fields(db, "individual", v) for _, v in records]
    link = Placement(Outcome.LINK, target.id, 0.97, {"name": {"level": 3}})
    review = Placement(Outcome.REVIEW, target.id, 0.71, {"name": {"level": 2}})
    feed.handle(db, cipher, delivery, records[0][0], fields[0], link, "BJ", units)
    feed.handle(db, cipher, delivery, records[1][0], fields[1], review, "BJ", units)
    # Then the first is linked by score, the second waits unlinked with an open arrival review
    assert (records[0][0].customer_id, records[0][0].match_method, records[0][0].match_probability) == (
        target.id,
        "probabilistic",
        0.97,
    )
    assert (records[1][0].customer_id, records[1][0].match_method) == (None, None)
    queued = db.scalars(select(MatchReview)).all()
    assert [(q.kind, q.status, q.customer_id, q.source_record_id, q.probability) for q in queued] == [
        ("arrival", "open", target.id, records[1][0].id, 0.71)
    ]
    assert json.loads(queued[0].comparisons) == {"name": {"level": 2}}


def test_two_untrusted_records_of_one_person_wait_on_one_request(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given a wealth-platform file naming the same person under two of its numbers
    rows = [person("W1"), person("W2", mobile="13900139000")]
    # When it is loaded
    load(db, settings, write_file(tmp_path / "w.csv", "customers", rows), "customers", source="WEALTH")
    # Then one create request is filed, and both records wait on it
    requests = db.scalars(select(ChangeRequest.id)).all()
    assert len(requests) == 1
    waiting = db.scalars(select(CustomerSource.change_request_id).order_by(CustomerSource.source_customer_id)).all()
    assert waiting == [requests[0], requests[0]]


def test_a_row_rejected_for_a_code_added_since_loads_when_rerun(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given a core-banking row rejected for an income band the bank has not defined yet
    path = write_file(tmp_path / "c.csv", "customers", [person("P1", income_band="X9")])
    first = load(db, settings, path, "customers")
    assert reasons(first) == [(2, "income_band", "Choose one of the listed values.")]
    # When the bank adds the band and the rejected rows are re-run
    db.add(CodeItem(category="income_band", code="X9", label_en="X9", label_zh="X9", sort_order=99))
    db.flush()
    again = rerun(db, settings.field_cipher(), SYSTEM, first.run.id, timezone=settings.timezone)
    # Then the row loads: a customer created, its source record linked
    assert (again.run.rows_loaded, again.run.rows_rejected) == (1, 0)
    assert customer_of(db, "CORE", "P1").individual.income_band == "X9"  # type: ignore[union-attr]
