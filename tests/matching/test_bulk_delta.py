"""A delta applies a chunk's survivals together: the customers, contacts, history, change requests and audit
events must be exactly those the same records give applied one record at a time (a chunk of one row each)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.audit import service as audit_service
from bankcrm.config import Settings
from bankcrm.customers.service import approval
from bankcrm.kit.crypto import FieldCipher
from bankcrm.models.audit import AuditEvent
from bankcrm.models.customer import ChangeRequest, Customer
from bankcrm.models.matching import CustomerSource
from tests.factories import resident_id, uscc
from tests.holdings.helpers import DAY, load, reasons, write_file
from tests.matching.helpers import company, person
from tests.matching.test_bulk_feed import snapshot

NEXT = DAY + timedelta(days=1)
ID_1, ID_2, ID_3, ID_4 = (resident_id(seq=s) for s in ("101", "102", "105", "107"))  # 102: a woman
CODE = uscc("91110108MA01BCDE7")


def _initial() -> list[dict[str, str]]:
    return [
        person("P1", id_no=ID_1, email="ming@example.cn"),
        person("P2", id_no=ID_2, name="李娜", gender="F"),
        company("C1", uscc=CODE, industry_division="65", phone_work="010-62345678"),
        person("P3", id_no=ID_3, name="赵六", employer="星河科技"),
        person("P4", id_no=ID_4, name="钱七"),
    ]


def _delta() -> list[dict[str, str]]:
    p2 = {"id_no": ID_2, "name": "李娜", "gender": "F"}
    return [
        # other English name (search keys), phones and e-mail, employer, marital status; name and status wait
        person(
            "P1",
            id_no=ID_1,
            name="王大明",
            name_en="Daming Wang",
            status="DORMANT",
            mobile="13912345678",
            phone_work="0755-51234567",
            email="daming@example.cn",
            employer="华夏银行",
            marital_status="10",
        ),
        # another address; another name (identity) waits for a checker
        person("P2", **(p2 | {"name": "李娜娜"}), address="上海市浦东新区世纪大道100号"),
        # capital, industry, dates and a phone change at once; another legal representative waits
        company(
            "C1",
            uscc=CODE,
            industry_division="66",
            registered_capital="8000000.50",
            established_on="2016-05-02",
            phone_work="010-62345679",
            legal_rep_name="周八",
        ),
        # another customer's ID number is not filed (a reviewer's merge), the marital status changes
        person("P3", id_no=ID_4, name="赵六", marital_status="10", employer="星河科技"),
        # two new records of P2's document: both link to P2, the second sees what the first did
        person("Q1", **p2, mobile="13900000001", marital_status="30"),
        person("Q2", **p2, mobile="13900000002", education="20", email="na@example.cn"),
        person("P4", id_no=ID_4, name="钱七"),  # nothing changed
        # no ID; P1's birth date, gender and address: linked to P1 by score, after the others
        person("N1", id_type="", id_no="", name="孙九", mobile="13700000007"),
    ]


def _requests(db: Session, cipher: FieldCipher) -> list[dict[str, Any]]:
    out = []
    for r in db.scalars(select(ChangeRequest).order_by(ChangeRequest.id)):
        customer = db.get(Customer, r.customer_id) if r.customer_id else None
        out.append(
            {
                "customer": customer.cif_no if customer else None,
                "kind": r.kind,
                "fields": r.fields,
                "status": r.status,
                "maker": r.maker_name,
                "summary": json.loads(r.summary),
                "payload": approval.payload_of(cipher, r),
                "id_no_index": r.id_no_index,
            }
        )
    return out


def _events(db: Session, after: int) -> list[tuple[str, str | None, str | None, str | None]]:
    """The delta's events in chain order; a request is named by its customer and fields (ids differ by run)."""
    named = {
        str(r.id): f"{c.cif_no if (c := db.get(Customer, r.customer_id or 0)) else '-'} {r.fields}"
        for r in db.scalars(select(ChangeRequest))
    }
    rows = db.scalars(select(AuditEvent).where(AuditEvent.seq > after).order_by(AuditEvent.seq))
    return [
        (
            e.action,
            e.actor_username,
            named.get(e.entity_id or "", e.entity_id) if e.entity_type == "change_request" else e.entity_id,
            e.changes,
        )
        for e in rows
        if e.entity_type in ("customer", "change_request")
    ]


def _after_delta(db: Session, settings: Settings, path: Path, after: int, **kw: Any) -> dict[str, Any]:
    cipher = settings.field_cipher()
    result = load(db, settings, path, "customers", NEXT, **kw)
    assert reasons(result) == []
    ids = list(db.scalars(select(Customer.id).order_by(Customer.cif_no)))
    links = db.execute(
        select(CustomerSource.source_customer_id, Customer.cif_no, CustomerSource.match_method)
        .join(Customer, Customer.id == CustomerSource.customer_id)
        .order_by(CustomerSource.source_customer_id)
    ).all()
    report = audit_service.verify(db)
    assert report.ok, report.reason
    return {
        "customers": snapshot(db, cipher, ids),
        "requests": _requests(db, cipher),
        "events": _events(db, after),
        "links": [tuple(r) for r in links],
    }


def _whole_and_one_by_one(
    db: Session, settings: Settings, tmp_path: Path, delta: list[dict[str, str]]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The initial customers loaded; then what ``delta`` writes as one chunk, and (from the same start, rolled back
    to) one record per chunk."""
    first = load(db, settings, write_file(tmp_path / "c.csv", "customers", _initial()), "customers")
    assert reasons(first) == []
    after = db.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1)) or 0
    path = write_file(tmp_path / "d.csv", "customers", delta)
    savepoint = db.begin_nested()
    whole = _after_delta(db, settings, path, after)
    savepoint.rollback()
    db.expire_all()
    return whole, _after_delta(db, settings, path, after, chunk_bytes=16)


def test_a_delta_chunk_writes_what_one_record_at_a_time_writes(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given customers created by core banking (people, a company; phones, e-mail, address, industry)
    # When the next day's delta is loaded as one chunk, and again (from the same start) one record per chunk
    whole, one_by_one = _whole_and_one_by_one(db, settings, tmp_path, _delta())
    # Then customers, search keys, profiles, contacts, history, requests and audit events are the same,
    # the events in the same order on a chain that verifies
    assert whole == one_by_one
    # And the delta did what survivorship says: changes at once, identity values waiting, the duplicate not filed
    requests = {(r["customer"], r["fields"]) for r in whole["requests"]}
    cif = {key: c for key, c, _ in whole["links"]}
    cif = {key: c for key, c, _ in whole["links"]}
    assert requests == {(cif["P1"], "name,status"), (cif["P2"], "name"), (cif["C1"], "legal_rep_name")}
    assert cif["Q1"] == cif["Q2"] == cif["P2"] and cif["N1"] == cif["P1"]
    update, submit = "customer.update", "change_request.submit"
    assert [(action, who.split()[0]) for action, _, who, _ in whole["events"] if who] == [
        (update, cif["P1"]),
        (submit, cif["P1"]),
        (update, cif["P2"]),
        (submit, cif["P2"]),
        (update, cif["C1"]),
        (submit, cif["C1"]),
        (update, cif["P3"]),  # its marital status; another customer's ID number is not filed
        (update, cif["P2"]),  # Q1
        (update, cif["P2"]),  # Q2, after Q1's change
        (update, cif["P1"]),  # N1, linked by score
    ]


def _newcomer(key: str, born: str, name: str, mobile: str, address: str, **more: str) -> dict[str, str]:
    """A person no customer resembles, born on ``born`` (YYYYMMDD), with a resident ID of that date."""
    birth = f"{born[:4]}-{born[4:6]}-{born[6:]}"
    seq = "132" if more.get("gender") == "F" else "211"
    return (
        person(key, id_no=resident_id(born=born, seq=seq), name=name, birth_date=birth, mobile=mobile, address=address)
        | more
    )


def _mixed() -> list[dict[str, str]]:
    """New people before, between and after records linked by score: created together, chained in row order."""
    return [
        _newcomer("A1", "19720611", "欧阳春", "13511112222", "天津市和平区南京路5号"),
        # no ID; P1's birth date, gender and address: linked to P1 by score
        person("N1", id_type="", id_no="", name="孙九", mobile="13700000007"),
        _newcomer(
            "A2", "19850920", "司马兰", "13633334444", "重庆市渝中区解放碑8号", gender="F", email="lan@example.cn"
        ),
        # no ID; P3's name, birth date and employer, another mobile: linked to P3 by score
        person("N3", id_type="", id_no="", name="赵六", employer="星河科技", mobile="13711110000"),
        _newcomer("A3", "19990101", "诸葛亮", "13755556666", "深圳市南山区科技园9号"),
    ]


def test_new_customers_among_links_are_chained_in_row_order(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given customers created by core banking
    # When a delta with new people before, between and after links by score is loaded as one chunk,
    # and again (from the same start) one record per chunk
    whole, one_by_one = _whole_and_one_by_one(db, settings, tmp_path, _mixed())
    # Then everything written is the same, the audit events in the same order
    assert whole == one_by_one
    cif = {key: c for key, c, _ in whole["links"]}
    assert [(action, who.split()[0]) for action, _, who, _ in whole["events"] if who] == [
        ("customer.create", cif["A1"]),
        ("customer.update", cif["P1"]),  # N1, linked by score: its mobile
        ("change_request.submit", cif["P1"]),  # and its other name, for a checker
        ("customer.create", cif["A2"]),
        ("customer.update", cif["P3"]),  # N3, linked by score
        ("customer.create", cif["A3"]),
    ]
    # And the three new people got consecutive CIF numbers in row order
    assert sorted(cif[k] for k in ("A1", "A2", "A3")) == [cif["A1"], cif["A2"], cif["A3"]]
