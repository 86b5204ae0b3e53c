"""Customers and family links for the household tests."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.households import jobs
from bankcrm.households.schemas import DeriveReport
from bankcrm.models.customer import Customer, IndividualProfile
from bankcrm.models.household import HouseholdMember
from bankcrm.models.relationship import CustomerLink
from tests.factories import make_customer

A = "92000000001"  # BJ individuals of am1
B = "92000000002"
C = "92000000003"
D = "92000000004"
E = "92000000005"
F = "92000000006"
CO = "92000000011"  # BJ corporate of am1
SH = "92000000021"  # SH individual of am2


def given_people(db: Session) -> dict[str, Customer]:
    """Six Beijing individuals (A oldest ... F youngest), a Beijing company and a Shanghai individual."""
    made = {
        cif: make_customer(db, cif, name=name)
        for cif, name in zip((A, B, C, D, E, F), ("张甲", "李乙", "王丙", "赵丁", "钱戊", "孙己"), strict=True)
    }
    for n, cif in enumerate((A, B, C, D, E, F)):
        profile = db.get(IndividualProfile, made[cif].id)
        assert profile is not None
        profile.birth_date = date(1950 + 5 * n, 1, 1)
    made[CO] = make_customer(db, CO, name="北京星河科技有限公司", kind="corporate")
    made[SH] = make_customer(db, SH, unit="SH", manager="am2", name="陈静")
    db.flush()
    return made


def link(db: Session, people: dict[str, Customer], a: str, b: str, kind: str, valid_to: date | None = None) -> None:
    """A link row, as the links service would have saved it."""
    db.add(
        CustomerLink(
            from_customer_id=people[a].id,
            to_customer_id=people[b].id,
            link_type=kind,
            valid_from=date(2020, 1, 1),
            valid_to=valid_to,
        )
    )
    db.flush()


def derive(db: Session, settings: Settings) -> DeriveReport:
    """Run the derivation job."""
    return jobs.derive_households(db, settings)


def households(db: Session) -> dict[int, set[str]]:
    """household id → members' CIF numbers."""
    out: dict[int, set[str]] = {}
    stmt = select(HouseholdMember.household_id, Customer.cif_no).join(
        Customer, Customer.id == HouseholdMember.customer_id
    )
    for household_id, cif_no in db.execute(stmt):
        out.setdefault(household_id, set()).add(cif_no)
    return out


def household_of(db: Session, cif_no: str) -> int:
    """The household id of a customer."""
    return next(h for h, members in households(db).items() if cif_no in members)
