"""Builders of customers and staff shared by every package's tests (one place, not each other's helpers)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM_PRINCIPAL
from bankcrm.access.schemas import UserCreate
from bankcrm.access.service import users as user_service
from bankcrm.kit.validators import resident_id_check_char, uscc_check_char
from bankcrm.models.access import User
from bankcrm.models.customer import CorporateProfile, Customer, IndividualProfile
from tests.conftest import token_for, unit_id, user_id


def make_customer(
    db: Session,
    cif_no: str,
    unit: str = "BJ",
    manager: str | None = "am1",
    name: str = "张三",
    kind: str = "individual",
) -> Customer:
    """A customer on file (directly: these tests are about holdings, not the CIF's maker-checker)."""
    customer = Customer(
        cif_no=cif_no,
        kind=kind,
        status="ACTIVE",
        name=name,
        name_pinyin="zhangsan",
        name_initials="zs",
        home_unit_id=unit_id(db, unit),
        account_manager_id=user_id(db, manager) if manager else None,
    )
    db.add(customer)
    db.flush()
    if kind == "corporate":
        db.add(CorporateProfile(customer_id=customer.id, company_type="LLC", established_on=date(2010, 3, 1)))
    else:
        db.add(IndividualProfile(customer_id=customer.id, gender="M", birth_date=date(1985, 6, 15)))
    db.flush()
    return customer


def make_user(db: Session, username: str, unit: str, role: str, password: str = "demo1234") -> User:
    """A member of staff beside the demo's (the password policy is not the point of the tests that use this)."""
    data = UserCreate(
        username=username, display_name=username, org_unit_id=unit_id(db, unit), password=password, roles=[role]
    )
    user = user_service.create_user(db, SYSTEM_PRINCIPAL, data, enforce_policy=False)
    db.flush()
    return user


def resident_id(region: str = "110105", born: str = "19900307", seq: str = "123") -> str:
    """A resident ID number with a correct GB 11643 check digit (odd seq digit: male)."""
    first17 = region + born + seq
    return first17 + resident_id_check_char(first17)


def uscc(body: str = "91110108MA01BCDE1") -> str:
    """A unified social credit code with a correct GB 32100 check character."""
    return body + uscc_check_char(body)


def individual(db: Session, home: str = "BJ", **overrides: Any) -> dict[str, Any]:
    """A complete, valid individual customer as the API takes it."""
    data: dict[str, Any] = {
        "name": "张三",
        "name_en": "Zhang San",
        "gender": "M",
        "birth_date": "1990-03-07",
        "id_type": "RIC",
        "id_no": resident_id(),
        "home_unit_id": unit_id(db, home),
        "status": "ACTIVE",
        "ethnicity": "01",
        "marital_status": "20",
        "employer": "北京某科技有限公司",
        "occupation": "2",
        "income_band": "B3",
        "phones": [{"number": "138 1234 5678", "purpose": "mobile"}],
        "emails": [{"address": "zhang.san@example.com"}],
        "addresses": [{"purpose": "HOME", "text": "北京市朝阳区望京街道1号"}],
    }
    return data | overrides


def corporate(db: Session, home: str = "BJ", **overrides: Any) -> dict[str, Any]:
    """A complete, valid corporate customer as the API takes it."""
    data: dict[str, Any] = {
        "name": "北京星河科技有限公司",
        "uscc": uscc(),
        "legal_rep_name": "王五",
        "company_type": "LLC",
        "registered_capital": 10_000_000,
        "established_on": "2015-06-01",
        "licence_expiry": "2035-05-31",
        "industry_division": "65",
        "enterprise_size": "SMALL",
        "home_unit_id": unit_id(db, home),
        "status": "ACTIVE",
        "contact_persons": [{"role": "FINANCE", "name": "赵六", "phone": "13912345678"}],
    }
    return data | overrides


def approved(
    client: TestClient, db: Session, data: dict[str, Any], maker: str = "am1", checker: str = "manager"
) -> str:
    """Submit as the maker, approve as the checker; the new CIF number."""
    kind = "individual" if "gender" in data else "corporate"
    submitted = client.post(f"/api/v1/customers/{kind}", json=data, headers=token_for(client, maker))
    assert submitted.status_code == 202, submitted.text
    decided = client.post(
        f"/api/v1/change-requests/{submitted.json()['id']}/decision",
        json={"approve": True},
        headers=token_for(client, checker),
    )
    assert decided.status_code == 200, decided.text
    cif_no: str = decided.json()["cif_no"]
    return cif_no
