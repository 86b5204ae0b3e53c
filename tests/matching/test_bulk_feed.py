"""A customers feed writes its new customers in bulk: the rows must be exactly those the one-by-one path writes
(customer, search keys, profile, contacts, history, audit event), and the audit chain must stay whole."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.audit import service as audit_service
from bankcrm.config import Settings
from bankcrm.customers.service import delivered, records
from bankcrm.kit import workers
from bankcrm.kit.crypto import FieldCipher
from bankcrm.matching.service import feed
from bankcrm.models.audit import AuditEvent
from bankcrm.models.customer import (
    CorporateProfile,
    Customer,
    CustomerContact,
    CustomerSearchKey,
    FieldChange,
    IndividualProfile,
)
from bankcrm.models.matching import CustomerSource
from bankcrm.models.org import OrgUnit
from tests.holdings.helpers import load, reasons, write_file
from tests.matching.helpers import company, person

VOLATILE = {"id", "customer_id", "created_at", "updated_at", "changed_at", "id_no_enc", "value_enc"}


def _columns(row: Any) -> dict[str, Any]:
    return {c.key: getattr(row, c.key) for c in row.__table__.columns if c.key not in VOLATILE}


def snapshot(db: Session, cipher: FieldCipher, ids: list[int]) -> list[dict[str, Any]]:
    """Everything written for these customers, in their order: ids, times and ciphertexts left out (nonces differ),
    encrypted values compared in clear instead."""
    db.expire_all()
    out = []
    for customer_id in ids:
        customer = db.get(Customer, customer_id)
        assert customer is not None
        contacts = db.scalars(
            select(CustomerContact).where(CustomerContact.customer_id == customer_id).order_by(CustomerContact.id)
        ).all()
        history = db.scalars(
            select(FieldChange).where(FieldChange.customer_id == customer_id).order_by(FieldChange.id)
        ).all()
        events = db.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_type == "customer", AuditEvent.entity_id == customer.cif_no)
            .order_by(AuditEvent.seq)  # without it PostgreSQL may return them in any order
        ).all()
        profile = db.get(IndividualProfile, customer_id) or db.get(CorporateProfile, customer_id)
        out.append(
            {
                "customer": _columns(customer) | {"id_no": records.id_no_of(cipher, customer)},
                "keys": sorted(
                    db.scalars(select(CustomerSearchKey.key).where(CustomerSearchKey.customer_id == customer_id))
                ),
                "profile": _columns(profile),
                "contacts": [_columns(c) | {"clear": records.contact_value(cipher, c)} for c in contacts],
                "history": [_columns(h) for h in history],
                "events": [
                    {k: v for k, v in _columns(e).items() if k not in ("seq", "occurred_at", "prev_hash", "hash")}
                    for e in events
                ],
            }
        )
    return out


def test_a_feed_creates_the_same_rows_as_one_by_one(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given a core-banking file with a person (phones, e-mail, address) and a company (industry, capital)
    rows = [
        person("P1", name="欧阳娜娜", email="nana@example.cn", phone_home="010-62345678", name_en="Nana Ouyang"),
        company("C1", industry_division="65", registered_address="北京市朝阳区建国路88号"),
        person("P2", id_type="", id_no="", name="李雷", mobile="13912345678", gender="M"),
    ]
    path = write_file(tmp_path / "c.csv", "customers", rows)
    cipher = settings.field_cipher()
    # When it is loaded (in bulk), and separately the same delivered values are created one by one
    savepoint = db.begin_nested()
    result = load(db, settings, path, "customers")
    assert reasons(result) == []
    made = db.scalars(select(CustomerSource).order_by(CustomerSource.source_customer_id)).all()
    by_key = {s.source_customer_id: s for s in made}
    order = ["P1", "C1", "P2"]
    bulk_ids = [by_key[k].customer_id for k in order]
    assert all(i is not None for i in bulk_ids)
    bulk = snapshot(db, cipher, [i for i in bulk_ids if i is not None])
    delivered_rows = [feed.delivered_values(cipher, by_key[k]) for k in order]
    assert audit_service.verify(db).ok
    savepoint.rollback()
    unit = db.scalar(select(OrgUnit.id).where(OrgUnit.code == "BJ"))
    assert unit is not None
    one_by_one = [
        delivered.create(db, cipher, "CORE", v["kind"], delivered.customer_fields(db, v["kind"], v), unit).id
        for v in delivered_rows
    ]
    db.flush()
    # Then every row is the same, field by field: CIF numbers, names and search keys, ID in clear, profile,
    # contacts (phones in clear), history and the audit event of each creation
    assert snapshot(db, cipher, one_by_one) == bulk
    assert [len(s["events"]) for s in bulk] == [1, 1, 1]
    assert bulk[0]["customer"]["name_pinyin"] == "ouyangnana"
    assert [c["clear"] for c in bulk[0]["contacts"]] == [
        "+8613800138000",
        "+861062345678",
        "nana@example.cn",
        "北京市海淀区中关村大街1号",
    ]
    assert bulk[1]["profile"]["industry_section"] == "I"  # division 65: information technology services
    # And the audit chain verifies after either path
    assert audit_service.verify(db).ok


def test_a_feed_in_many_chunks_keeps_the_chain_and_one_event_per_customer(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given a file of 300 people alike enough that later chunks link some to earlier ones or queue them for review
    # (bulk runs of new customers between other outcomes), loaded in small chunks
    rows = [person(f"P{i:04d}", id_type="", id_no="", name=f"测试{i}", mobile=f"139{i:08d}") for i in range(300)]
    path = write_file(tmp_path / "c.csv", "customers", rows)
    before = len(db.scalars(select(AuditEvent.seq)).all())
    # When it is loaded
    result = load(db, settings, path, "customers", chunk_bytes=8192)
    # Then each customer made has its own CIF number and one creation event, and the chain verifies
    assert reasons(result) == []
    cifs = db.scalars(select(Customer.cif_no).order_by(Customer.id)).all()
    made = db.scalars(select(CustomerSource.customer_id).where(CustomerSource.match_method == "created")).all()
    assert len(cifs) == len(set(cifs)) == len(made) > 1
    created = db.scalars(select(AuditEvent.entity_id).where(AuditEvent.action == "customer.create")).all()
    assert sorted(created) == sorted(cifs)
    assert len(db.scalars(select(AuditEvent.seq)).all()) >= before + len(cifs)
    report = audit_service.verify(db)
    assert report.ok, report.reason


def test_the_worker_processes_make_the_same_rows_as_this_process(
    db: Session, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a file of people and companies (IDs, phones of every kind, e-mail, address, industry, capital)
    rows = [
        person("P1", name="欧阳娜娜", email="nana@example.cn", phone_home="010-62345678", name_en="Nana Ouyang"),
        company("C1", industry_division="65", registered_address="北京市朝阳区建国路88号"),
        person("P2", id_type="", id_no="", name="李雷", mobile="13912345678", gender="M"),
        person("P3", name="单田芳", mobile="+86 139 1234 5679", phone_work="0755-51234567"),
        person("P4", name="张三", mobile="12345", email="not an address"),
    ]
    path = write_file(tmp_path / "c.csv", "customers", rows)
    cipher = settings.field_cipher()

    def loaded(pool: bool) -> tuple[list[str], list[dict[str, Any]]]:
        monkeypatch.setattr(workers, "MIN_ROWS", 1 if pool else 10**9)
        monkeypatch.setenv("BANKCRM_WORKERS", "2")
        savepoint = db.begin_nested()
        result = load(db, settings, path, "customers")
        made = db.scalars(select(CustomerSource).order_by(CustomerSource.source_customer_id)).all()
        out = reasons(result), snapshot(db, cipher, [s.customer_id for s in made if s.customer_id is not None])
        savepoint.rollback()
        return out

    # When it is loaded with its rows checked and built by two worker processes, and again in this process
    pooled, here = loaded(pool=True), loaded(pool=False)
    # Then the same rows are refused for the same reasons, and every row written is the same, field by field
    assert pooled == here
    assert len(here[1]) == 4 and here[0] != []


def test_chunks_checked_ahead_by_the_workers_load_as_chunk_by_chunk_here(
    db: Session, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a file of several chunks with bad rows in each (an unknown code, a bad mobile, a bad e-mail, an ID
    # that does not match its birth date), people and companies, some names with heteronym surnames
    rows: list[dict[str, str]] = []
    for i in range(60):
        if i % 10 == 3:
            rows.append(person(f"P{i:03d}", id_type="", id_no="", name=f"单测{i}", mobile="12345"))
        elif i % 10 == 5:
            rows.append(person(f"P{i:03d}", id_type="", id_no="", name=f"曾测{i}", email="not an address"))
        elif i % 10 == 7:
            rows.append(person(f"P{i:03d}", id_type="", id_no="", name=f"区测{i}", gender="X"))
        elif i % 10 == 9:
            rows.append(company(f"C{i:03d}", name=f"查氏{i}号公司", uscc=""))
        else:
            rows.append(person(f"P{i:03d}", id_type="", id_no="", name=f"解测{i}", mobile=f"139{i:08d}"))
    path = write_file(tmp_path / "c.csv", "customers", rows)
    cipher = settings.field_cipher()

    def loaded(pool: bool) -> tuple[list[tuple[int, str, str]], list[dict[str, Any]], bool]:
        monkeypatch.setattr(workers, "MIN_ROWS", 1 if pool else 10**9)
        monkeypatch.setenv("BANKCRM_WORKERS", "2")
        savepoint = db.begin_nested()
        result = load(db, settings, path, "customers", chunk_bytes=2048)
        made = db.scalars(select(CustomerSource).order_by(CustomerSource.source_customer_id)).all()
        out = reasons(result), snapshot(db, cipher, [s.customer_id for s in made if s.customer_id is not None])
        chain = audit_service.verify(db).ok
        savepoint.rollback()
        return out[0], out[1], chain

    # When it is loaded with each next chunk checked by the workers while this one is written, and again here
    pooled, here = loaded(pool=True), loaded(pool=False)
    # Then the same rows are refused on the same lines, fields and reasons, every row written is the same, and the
    # audit chain verifies
    assert pooled == here
    assert [(line, field) for line, field, _ in here[0]] == [(i + 2, f) for i, f in _bad_rows()]
    assert len(here[1]) == 60 - 24 and here[2]


def _bad_rows() -> list[tuple[int, str]]:
    return [(i, {3: "mobile", 5: "email", 7: "gender", 9: "uscc"}[i % 10]) for i in range(60) if i % 10 in (3, 5, 7, 9)]
