"""Synthetic customers for the demo bank, entered and approved through the real maker-checker path."""

from __future__ import annotations

import random
from datetime import date, timedelta

from faker import Faker
from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM_PRINCIPAL, Principal
from bankcrm.access.service import auth as auth_service
from bankcrm.access.service import units as unit_service
from bankcrm.access.service import users as user_service
from bankcrm.customers.schemas import CorporateCreate, Decision, IndividualCreate
from bankcrm.customers.service import approval, intake
from bankcrm.demo import addresses
from bankcrm.errors import DomainError
from bankcrm.kit import validators
from bankcrm.kit.crypto import FieldCipher

# (branch code, resident-ID region codes of its city, account manager or None, customers)
BRANCHES = (
    ("BJ", ("110105", "110108", "110102"), "am1", 70),
    ("SH", ("310115", "310101", "310104"), "am2", 50),
    ("GZ", ("440106", "440104", "440105"), None, 40),
)
USCC_AREA = {"BJ": "1101", "SH": "3101", "GZ": "4401"}  # a company registers where its branch is
CORPORATE_SHARE = 0.2
PENDING_FOR_MANAGER = 3
ZONE = "Asia/Shanghai"
TODAY = date(2026, 11, 1)  # fixed, so that the same seed always builds the same bank


def build(db: Session, cipher: FieldCipher, seed: int = 2026) -> int:
    """Enter the demo customers (approved by the system, as a data migration would be); returns how many."""
    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    places = random.Random(f"{seed}-addresses")  # its own stream: the customers stay those of the seed
    units = {u.code: u for u in unit_service.list_units(db, SYSTEM_PRINCIPAL)}
    made = 0
    for branch, regions, manager, count in BRANCHES:
        branch_units = [u for u in units.values() if u.path.startswith(units[branch].path) and u.active]
        manager_id = _user_id(db, manager) if manager else None
        for n in range(count):
            home = rng.choice(branch_units).id
            if rng.random() < CORPORATE_SHARE:
                data: IndividualCreate | CorporateCreate = _corporate(rng, fake, places, home, manager_id, branch)
            else:
                data = _individual(rng, fake, places, home, manager_id, branch, regions, n)
            try:
                request = intake.submit_create(db, SYSTEM_PRINCIPAL, cipher, data, ZONE)
            except DomainError:
                continue  # an unlucky random duplicate; the demo simply has one customer fewer
            approval.decide(db, SYSTEM_PRINCIPAL, cipher, request.id, Decision(approve=True))
            made += 1
    _leave_requests_for_the_manager(db, cipher, rng, fake, units["BJ"].id)
    return made


def _user_id(db: Session, username: str) -> int | None:
    return next((u.id for u in user_service.account_managers(db, SYSTEM_PRINCIPAL) if u.username == username), None)


def _principal(db: Session, username: str) -> Principal:
    user = next(u for u in user_service.account_managers(db, SYSTEM_PRINCIPAL) if u.username == username)
    return auth_service.principal_for(user)


def _mobile(rng: random.Random) -> str:
    prefix = rng.choice(("138", "139", "136", "150", "186", "177", "133", "188"))
    return prefix + "".join(rng.choice("0123456789") for _ in range(8))


def _individual(
    rng: random.Random,
    fake: Faker,
    places: random.Random,
    home: int,
    manager_id: int | None,
    branch: str,
    regions: tuple[str, ...],
    n: int,
) -> IndividualCreate:
    born = TODAY - timedelta(days=rng.randint(22 * 365, 75 * 365))
    gender = rng.choice("MF")
    seq = f"{rng.randint(0, 99):02d}{rng.choice('13579' if gender == 'M' else '02468')}"
    region = rng.choice(regions)
    first17 = region + born.strftime("%Y%m%d") + seq
    name = fake.name_male() if gender == "M" else fake.name_female()
    return IndividualCreate(
        name=name,
        gender=gender,
        birth_date=born,
        id_type="RIC",
        id_no=first17 + validators.resident_id_check_char(first17),
        id_issue_date=TODAY - timedelta(days=rng.randint(100, 3000)),
        home_unit_id=home,
        account_manager_id=manager_id,
        status=rng.choices(("ACTIVE", "DORMANT", "PROSPECT"), weights=(80, 12, 8))[0],
        ethnicity="01",
        marital_status=rng.choice(("10", "20", "20", "40")),
        education=rng.choice(("12", "20", "30", "60")),
        employer=fake.company(),
        occupation=rng.choice(("1", "2", "3", "4", "6")),
        income_band=rng.choice(("B2", "B3", "B3", "B4", "B5")),
        source_channel=rng.choice(("BRANCH", "MOBILE", "REFERRAL", "PAYROLL")),
        phones=[{"number": _mobile(rng), "purpose": "mobile"}],
        emails=[{"address": f"customer{n}@example.com"}] if rng.random() < 0.5 else [],
        addresses=[{"purpose": "HOME", "text": addresses.home(places, branch, region)}],
        preferred_channel=rng.choice(("PHONE", "WECHAT", "SMS")),
    )


def _corporate(
    rng: random.Random, fake: Faker, places: random.Random, home: int, manager_id: int | None, branch: str
) -> CorporateCreate:
    body = f"91{USCC_AREA[branch]}{rng.randint(0, 99):02d}MA{rng.randint(0, 9999999):07d}"[:17]
    established = TODAY - timedelta(days=rng.randint(400, 9000))
    return CorporateCreate(
        name=fake.company(),
        uscc=body + validators.uscc_check_char(body),
        legal_rep_name=fake.name(),
        company_type=rng.choice(("LLC", "LLC_SOLE_NP", "JSC_UNLISTED")),
        registered_capital=rng.choice((1_000_000, 5_000_000, 10_000_000, 50_000_000)),
        established_on=established,
        licence_expiry=established + timedelta(days=30 * 365),
        industry_division=rng.choice(("13", "29", "39", "51", "52", "65", "70", "72")),
        enterprise_size=rng.choice(("MICRO", "SMALL", "SMALL", "MEDIUM", "LARGE")),
        home_unit_id=home,
        account_manager_id=manager_id,
        status="ACTIVE",
        contact_persons=[{"role": "FINANCE", "name": fake.name(), "phone": _mobile(rng)}],
        addresses=[{"purpose": "OFFICE", "text": addresses.office(places, branch)}],
    )


def _leave_requests_for_the_manager(db: Session, cipher: FieldCipher, rng: random.Random, fake: Faker, bj: int) -> None:
    """A few new customers entered by am1 and still waiting, so the manager's inbox is not empty."""
    am1 = _principal(db, "am1")
    places = random.Random("pending-addresses")
    for n in range(PENDING_FOR_MANAGER):
        data = _individual(rng, fake, places, bj, am1.user_id, "BJ", ("110105",), 900 + n)
        try:
            intake.submit_create(db, am1, cipher, data, ZONE)
        except DomainError:
            continue
