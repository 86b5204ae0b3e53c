"""Corporate links between demo companies (through the links service), then groups and circles derived.

Beijing's first companies form a three-level group (60 % and 70 % holdings, one of exactly 50 %
that is not control, an actual controller), and three companies guarantee each other round a
circle. The groups wait as proposals for the risk manager, as they would after a nightly run.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM_PRINCIPAL
from bankcrm.config import Settings
from bankcrm.kit.time import today_in
from bankcrm.models.customer import Customer
from bankcrm.models.org import OrgUnit
from bankcrm.relationships import jobs as relationships_jobs
from bankcrm.relationships import service as links_service
from bankcrm.relationships.schemas import LinkCreate

NEEDED = 7  # companies the shapes below use


def _cifs(db: Session, kind: str) -> list[str]:
    """Active Beijing customers of a kind, by CIF number."""
    stmt = (
        select(Customer.cif_no)
        .join(OrgUnit, OrgUnit.id == Customer.home_unit_id)
        .where(Customer.kind == kind, Customer.status == "ACTIVE", OrgUnit.code.startswith("BJ"))
        .order_by(Customer.cif_no)
    )
    return list(db.scalars(stmt))


def build(db: Session, settings: Settings) -> int:
    """Enter the links and derive; returns the links entered (none when the demo has too few companies)."""
    companies, people = _cifs(db, "corporate"), _cifs(db, "individual")
    if len(companies) < NEEDED or not people:
        return 0
    a, b, c, d, x, y, z = companies[:NEEDED]
    links: list[tuple[str, str, str, dict[str, Decimal | int]]] = [
        (a, b, "SHAREHOLDER_OF", {"share_pct": Decimal("60")}),
        (b, c, "SHAREHOLDER_OF", {"share_pct": Decimal("70")}),
        (a, d, "SHAREHOLDER_OF", {"share_pct": Decimal("50")}),  # exactly the threshold: not control
        (people[-1], a, "ACTUAL_CONTROLLER_OF", {}),
        (x, y, "GUARANTOR_FOR", {"amount": 5_000_000_00}),
        (y, z, "GUARANTOR_FOR", {"amount": 3_000_000_00}),
        (z, x, "GUARANTOR_FOR", {"amount": 2_000_000_00}),
        (c, x, "GUARANTOR_FOR", {"amount": 1_000_000_00}),
    ]
    today = today_in(settings.timezone)
    for source, target, kind, extra in links:
        body = LinkCreate.model_validate({"to_cif_no": target, "link_type": kind, **extra})
        links_service.create_link(db, SYSTEM_PRINCIPAL, source, body, today=today, locale="en")
    relationships_jobs.nightly(db, settings)
    return len(links)
