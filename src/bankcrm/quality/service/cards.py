"""The operations home card: the newest month's data-quality figures from the nightly snapshot."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.kit.time import utcnow
from bankcrm.quality.service.figures import TrendMonth, trend


def quality_card(db: Session, principal: Principal) -> TrendMonth | None:
    """The latest month-end of the viewer's scope (None until the nightly step has run)."""
    months = trend(db, principal, utcnow().date())
    return months[-1] if months else None
