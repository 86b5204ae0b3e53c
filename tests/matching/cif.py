"""A hand-built CIF for the matching tests: customers with encrypted IDs and mobiles, and addresses."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from bankcrm.customers.service.records import replace_contacts, set_id_no, set_name
from bankcrm.kit.crypto import FieldCipher
from bankcrm.models.customer import Customer, IndividualProfile
from tests.conftest import unit_id


def person(
    db: Session,
    cipher: FieldCipher,
    cif_no: str,
    name: str,
    born: date,
    gender: str = "M",
    *,
    mobile: str | None = None,
    address: str | None = None,
    employer: str | None = None,
    id_no: str | None = None,
    nationality: str | None = None,
) -> Customer:
    """An individual customer on file, written directly (the matcher reads what the CIF holds)."""
    customer = Customer(cif_no=cif_no, kind="individual", status="ACTIVE", home_unit_id=unit_id(db, "BJ"))
    set_name(customer, name)
    db.add(customer)
    db.flush()
    db.add(
        IndividualProfile(
            customer_id=customer.id, gender=gender, birth_date=born, employer=employer, nationality=nationality
        )
    )
    if id_no:
        set_id_no(cipher, customer, "RIC", id_no, "CN")
    if mobile:
        replace_contacts(db, cipher, customer, "phone", [{"number": mobile, "purpose": "mobile"}])
    if address:
        replace_contacts(db, cipher, customer, "address", [{"purpose": "HOME", "text": address}])
    db.flush()
    return customer
