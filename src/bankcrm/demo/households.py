"""Family links between demo individuals (entered through the links service), then households derived."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM_PRINCIPAL
from bankcrm.config import Settings
from bankcrm.households import jobs as households_jobs
from bankcrm.kit.time import today_in
from bankcrm.models.customer import Customer, IndividualProfile
from bankcrm.models.org import OrgUnit
from bankcrm.relationships import service as links_service
from bankcrm.relationships.schemas import LinkCreate

FAMILIES = {"BJ": 4, "SH": 3, "GZ": 2}  # families of three (a couple and a child) per branch


def build(db: Session, settings: Settings) -> int:
    """Couples with a child in each branch, one sibling pair across branches; returns the links entered."""
    today = today_in(settings.timezone)
    rows = db.execute(
        select(Customer.cif_no, OrgUnit.code, IndividualProfile.birth_date)
        .join(OrgUnit, OrgUnit.id == Customer.home_unit_id)
        .join(IndividualProfile, IndividualProfile.customer_id == Customer.id)
        .where(Customer.kind == "individual", Customer.status == "ACTIVE")
        .order_by(Customer.cif_no)
    ).all()
    pairs: list[tuple[str, str, str]] = []
    loner: dict[str, str] = {}  # the last individual of each branch, in no family
    for branch, count in FAMILIES.items():
        people = [(cif, born) for cif, unit, born in rows if unit.split("-")[0] == branch]
        for n in range(count):
            family = sorted(people[3 * n : 3 * n + 3], key=lambda p: (p[1] is None, p[1], p[0]))
            if len(family) < 3:
                break
            (elder, _), (spouse, _), (child, _) = family
            pairs += [(elder, spouse, "SPOUSE"), (elder, child, "PARENT_OF")]
        if people:
            loner[branch] = people[-1][0]
    if "BJ" in loner and "SH" in loner:
        pairs.append((loner["BJ"], loner["SH"], "SIBLING"))  # a household across branches: masked for each side
    for source, target, kind in pairs:
        body = LinkCreate(to_cif_no=target, link_type=kind)
        links_service.create_link(db, SYSTEM_PRINCIPAL, source, body, today=today, locale="en")
    households_jobs.derive_households(db, settings)
    return len(pairs)
