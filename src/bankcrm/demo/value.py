"""The demo's contribution: the nightly step's first run (every delivered month backfilled), and a curve change waiting.

The product manager proposes a 1-year CNY rate 10 bp lower from next month, so the risk manager has a change
to approve on the transfer-pricing page (and the product manager sees that she cannot approve her own).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.access.service.auth import principal_for
from bankcrm.config import Settings
from bankcrm.demo.core_banking import MONTHS
from bankcrm.kit.time import today_in
from bankcrm.models.access import User
from bankcrm.value import jobs as value_jobs
from bankcrm.value.schemas import PricingProposal
from bankcrm.value.service import changes, pricing
from bankcrm.value.service.compute import add_months, month_start


def build(db: Session, settings: Settings, months: int = MONTHS) -> int:
    """Compute the demo's contribution months and file one pricing proposal; returns the lines written."""
    result = value_jobs.contribution_job(db, settings, history=months)
    today = today_in(settings.timezone)
    maker = db.scalars(select(User).where(User.username == "product")).one()
    curve = pricing.in_force(db, today).rates()["CNY"]
    proposal = PricingProposal(
        effective_from=add_months(month_start(today), 1),
        reason="Interbank rates fell: 1-year CNY 10 bp lower / 同业利率下行：一年期人民币下调10个基点",
        ftp={"CNY": curve | {"Y1": curve["Y1"] - 10}},
    )
    changes.submit(db, principal_for(maker), proposal, today=today)
    return result.rows
