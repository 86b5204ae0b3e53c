"""Joint holders and authorised signatories for the demo bank, delivered as core banking would: an account_parties file.

Each couple the households step linked (SPOUSE) holds a demand account jointly (the elder's, else the
spouse's), and companies with a demand account have an authorised signatory, an individual of their branch
(the first company also an attorney). Loaded through the real ingest path, after the accounts it names.
"""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from bankcrm.access.principal import SYSTEM
from bankcrm.config import Settings
from bankcrm.ingest.formats import ACCOUNT_PARTIES
from bankcrm.ingest.service.run import IngestRequest, ingest_file
from bankcrm.kit.time import today_in
from bankcrm.models.customer import Customer
from bankcrm.models.holding import Product
from bankcrm.models.org import OrgUnit
from bankcrm.models.relationship import CustomerLink

SIGNED_COMPANIES = 12  # companies given a signatory, at most


def _demand_accounts(files_dir: Path) -> dict[str, str]:
    """'CIF number|product' → the first open account of it, from the newest accounts file."""
    newest = max(files_dir.glob("accounts-*.csv"))
    out: dict[str, str] = {}
    with newest.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["status"] == "ACTIVE":
                out.setdefault(f"{row['cif_no']}|{row['product_code']}", row["account_no"])
    return out


def build(db: Session, settings: Settings, files_dir: Path) -> int:
    """Write and load the account_parties file for yesterday; returns the parties loaded."""
    accounts = _demand_accounts(files_dir)
    demand = set(db.scalars(select(Product.code).where(Product.category == "DEMAND")))

    def demand_account(cif: str) -> str | None:
        found = sorted(no for key, no in accounts.items() if key.split("|")[0] == cif and key.split("|")[1] in demand)
        return found[0] if found else None

    rows: list[dict[str, str]] = []
    source, target = aliased(Customer), aliased(Customer)
    couples = db.execute(
        select(source.cif_no, target.cif_no)
        .select_from(CustomerLink)
        .join(source, source.id == CustomerLink.from_customer_id)
        .join(target, target.id == CustomerLink.to_customer_id)
        .where(CustomerLink.link_type == "SPOUSE", CustomerLink.valid_to.is_(None))
        .order_by(source.cif_no)
    ).all()
    for elder, spouse in couples:  # the elder's demand account, else the spouse's
        if (no := demand_account(elder)) is not None:
            rows.append({"account_no": no, "cif_no": spouse, "role": "JOINT"})
        elif (no := demand_account(spouse)) is not None:
            rows.append({"account_no": no, "cif_no": elder, "role": "JOINT"})
    people = db.execute(
        select(Customer.cif_no, Customer.kind, OrgUnit.code)
        .join(OrgUnit, OrgUnit.id == Customer.home_unit_id)
        .where(Customer.status == "ACTIVE")
        .order_by(Customer.cif_no)
    ).all()
    signed = 0
    for n, (cif, kind, unit) in enumerate(people):
        if kind != "corporate" or signed >= SIGNED_COMPANIES or (no := demand_account(cif)) is None:
            continue
        branch = unit.split("-")[0]
        staff = [p for p, k, u in people if k == "individual" and u.split("-")[0] == branch]
        if not staff:
            continue
        rows.append({"account_no": no, "cif_no": staff[n % len(staff)], "role": "AUTHORISED"})
        if signed == 0 and len(staff) > 1:
            rows.append({"account_no": no, "cif_no": staff[(n + 1) % len(staff)], "role": "POA"})
        signed += 1
    day = today_in(settings.timezone) - timedelta(days=1)
    path = files_dir / f"account_parties-{day.isoformat()}.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=ACCOUNT_PARTIES.names, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    req = IngestRequest(path=path, file_type="account_parties", business_date=day, source="CORE")
    run = ingest_file(db, settings.field_cipher(), SYSTEM, req, timezone=settings.timezone).run
    return run.rows_loaded
