"""A small hand-built bank for the quality tests: four customers whose every checked field is known."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from bankcrm.kit.crypto import FieldCipher, aad_for
from bankcrm.models.customer import ContactPerson, Customer, CustomerContact
from bankcrm.models.matching import CustomerSource, MatchReview
from tests.factories import make_customer, resident_id, uscc

TODAY = date(2026, 12, 3)


@dataclass(frozen=True)
class Bank:
    """The customers by their role in the tests."""

    complete: Customer  # BJ-CY, am1: every individual field complete and valid
    sparse: Customer  # BJ-HD, am1: birth date and gender only, and an invalid mobile
    expired: Customer  # SH, am2: an expired ID, an unknown occupation code
    company: Customer  # BJ itself, no manager: an expired licence, three fields missing


def _contact(db: Session, cipher: FieldCipher, customer: Customer, channel: str, purpose: str, value: str) -> None:
    row = CustomerContact(customer_id=customer.id, channel=channel, purpose=purpose, value_masked="***")
    if channel == "phone":
        db.add(row)
        db.flush()
        row.value_enc = cipher.encrypt(value, aad_for("customer_contact", "value", row.id))
    else:
        row.value = value
        db.add(row)
    db.flush()


def _source(db: Session, customer: Customer, source: str, source_id: str) -> None:
    db.add(
        CustomerSource(
            source=source,
            source_customer_id=source_id,
            kind=customer.kind,
            customer_id=customer.id,
            values_enc="x",
            values_hash="h" * 64,
            first_seen=TODAY,
            last_seen=TODAY,
        )
    )


def _review(db: Session, kind: str, status: str, one: Customer, other: Customer | None) -> None:
    db.add(
        MatchReview(
            kind=kind,
            status=status,
            customer_id=one.id,
            other_customer_id=other.id if other else None,
            probability=0.9,
            comparisons="{}",
        )
    )


def build(db: Session, cipher: FieldCipher) -> Bank:
    """The four customers, their contacts, source records and match reviews (flushed)."""
    complete = make_customer(db, "90000000101", unit="BJ-CY-01", manager="am1", name="完整客户")
    complete.id_type = "RIC"
    complete.id_no_enc = cipher.encrypt(resident_id(), aad_for("customer", "id_no", complete.id))
    profile = complete.individual
    assert profile is not None
    profile.birth_date = date(1990, 3, 7)
    profile.gender = "M"
    profile.id_expiry_date = date(2030, 1, 1)
    profile.occupation = "2"
    profile.industry = "01"
    _contact(db, cipher, complete, "phone", "mobile", "+8613812345678")
    _contact(db, cipher, complete, "email", "HOME", "zhang@example.com")
    _contact(db, cipher, complete, "address", "HOME", "北京市朝阳区望京街道1号")

    sparse = make_customer(db, "90000000102", unit="BJ-HD", manager="am1", name="稀疏客户")
    _contact(db, cipher, sparse, "phone", "mobile", "12345")

    expired = make_customer(db, "90000000103", unit="SH", manager="am2", name="过期客户")
    assert expired.individual is not None
    expired.individual.id_expiry_date = date(2020, 1, 1)
    expired.individual.occupation = "ZZ"

    company = make_customer(db, "90000000104", unit="BJ", manager=None, name="北京星河科技有限公司", kind="corporate")
    company.uscc = uscc()
    corp = company.corporate
    assert corp is not None
    corp.legal_rep_name = "王五"
    corp.licence_expiry = date(2025, 1, 1)
    person = ContactPerson(customer_id=company.id, role="FINANCE", name="赵六")
    db.add(person)
    db.flush()
    person.phone_enc = cipher.encrypt("+8613912345678", aad_for("contact_person", "phone", person.id))

    # a closed customer is left out of every figure
    closed = make_customer(db, "90000000105", unit="BJ-CY", manager="am1", name="销户客户")
    closed.status = "CLOSED"

    _source(db, complete, "CORE", "C-1")
    _source(db, complete, "CREDIT", "L-1")
    _source(db, sparse, "CORE", "C-2")
    _source(db, expired, "CARD", "K-1")
    _review(db, "duplicate", "open", complete, sparse)  # counts: both
    _review(db, "duplicate", "distinct", complete, expired)  # decided: does not count
    _review(db, "arrival", "open", expired, None)  # a delivered record, not a duplicate on file
    db.flush()
    return Bank(complete, sparse, expired, company)
