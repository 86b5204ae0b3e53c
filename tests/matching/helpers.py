"""Customers files and what they left in the database, shared by the customers-feed tests."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.models.customer import Customer
from bankcrm.models.matching import CustomerSource
from tests.factories import resident_id, uscc


def person(key: str, **overrides: str) -> dict[str, str]:
    """A valid individual row of a customers file."""
    row = {
        "kind": "individual",
        "source_customer_id": key,
        "branch_code": "BJ",
        "name": "王小明",
        "id_type": "RIC",
        "id_no": resident_id(),
        "birth_date": "1990-03-07",
        "gender": "M",
        "mobile": "13800138000",
        "marital_status": "20",
        "address": "北京市海淀区中关村大街1号",
    }
    return row | overrides


def company(key: str, **overrides: str) -> dict[str, str]:
    """A valid corporate row of a customers file."""
    row = {
        "kind": "corporate",
        "source_customer_id": key,
        "branch_code": "BJ",
        "name": "北京星河科技有限公司",
        "uscc": uscc(),
        "legal_rep_name": "李四",
        "company_type": "LLC",
        "registered_capital": "5000000.00",
        "established_on": "2015-04-01",
    }
    return row | overrides


def sources(db: Session) -> list[tuple[str, str, str | None, str | None, bool]]:
    """(source, key, CIF number, match method, waiting for a request) of every source record."""
    cifs = {c.id: c.cif_no for c in db.scalars(select(Customer))}
    stmt = select(CustomerSource).order_by(CustomerSource.source, CustomerSource.source_customer_id)
    return [
        (s.source, s.source_customer_id, cifs.get(s.customer_id or 0), s.match_method, s.change_request_id is not None)
        for s in db.scalars(stmt)
    ]


def customers(db: Session) -> list[tuple[str, str, str]]:
    """(kind, name, status) of every customer, by id."""
    return [(c.kind, c.name, c.status) for c in db.scalars(select(Customer).order_by(Customer.id))]
