"""Batch entry point: derive corporate groups and guarantee circles from today's links (nightly)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM_PRINCIPAL
from bankcrm.config import Settings
from bankcrm.kit.time import today_in
from bankcrm.relationships.schemas import DeriveReport
from bankcrm.relationships.service import derivation


def nightly(db: Session, settings: Settings) -> DeriveReport:
    """Derive as the system; proposals wait for a risk manager, circles are current at once."""
    return derivation.derive(
        db, SYSTEM_PRINCIPAL, today=today_in(settings.timezone), threshold_bp=settings.group_control_share_bp
    )
