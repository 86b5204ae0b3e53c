"""Figures for the home page, each inside the viewer's data scope."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.access.service import units as unit_service
from bankcrm.access.service import users as user_service
from bankcrm.audit import service as audit_service
from bankcrm.customers.service import queries as customer_queries
from bankcrm.kit.pagination import PageRequest
from bankcrm.kit.time import to_local, utcnow
from bankcrm.models import OrgUnit, User


@dataclass
class HomeFigures:
    """What the home page shows; only figures the viewer may see are filled in."""

    user: User
    unit: OrgUnit
    units_in_scope: int
    users_in_scope: int | None = None
    locked_users: int | None = None
    failed_sign_ins_24h: int | None = None
    events_24h: int | None = None
    colleagues_in_unit: int = 0
    customers_in_scope: int | None = None
    waiting_approvals: int | None = None


def figures(db: Session, principal: Principal) -> HomeFigures:
    """Counts for the viewer's role, computed now."""
    user = user_service.me(db, principal)
    fig = HomeFigures(
        user=user,
        unit=user.org_unit,
        units_in_scope=unit_service.count_active_units(db, principal),
        colleagues_in_unit=user_service.count_colleagues(db, principal),
    )
    if principal.can("user.read"):
        fig.users_in_scope = user_service.count_active_users(db, principal)
        fig.locked_users = user_service.count_active_users(db, principal, locked=True)
    if principal.can("customer.read"):
        fig.customers_in_scope = customer_queries.count_customers(db, principal)
        fig.waiting_approvals = customer_queries.inbox(db, principal, PageRequest(1, 1)).total
    if principal.can("audit.read"):
        since = utcnow() - timedelta(hours=24)
        fig.failed_sign_ins_24h = audit_service.count_since(db, since, outcome="failure")
        fig.events_24h = audit_service.count_since(db, since)
    return fig


def sign_in_series(db: Session, zone: str, days: int = 14) -> dict[str, list[object]]:
    """Successful and failed sign-ins per local day, for the chart (viewer needs audit.read)."""
    today = to_local(utcnow(), zone).date()
    labels = [(today - timedelta(days=days - 1 - i)).isoformat() for i in range(days)]
    ok: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    for occurred, _action, outcome in audit_service.sign_ins_by_day(db, utcnow() - timedelta(days=days)):
        day = to_local(occurred, zone).date().isoformat()
        (ok if outcome == "success" else failed)[day] += 1
    return {"days": list(labels), "success": [ok[d] for d in labels], "failure": [failed[d] for d in labels]}
