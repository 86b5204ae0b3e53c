"""The home page: the viewer's own record, the modules' cards they may see, and the sign-in chart."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.access.service import users as user_service
from bankcrm.audit import service as audit_service
from bankcrm.kit.module import HomeCard
from bankcrm.kit.time import BankDay, to_local, utcnow
from bankcrm.models.access import User
from bankcrm.modules import home_cards, resolve


def me(db: Session, principal: Principal) -> User:
    """The viewer's own record: name, unit, roles and last sign-in for the page's header."""
    return user_service.me(db, principal)


def visible_cards(principal: Principal, declared: Iterable[HomeCard]) -> list[HomeCard]:
    """The declared cards the viewer may see, in the given order: the card's permission and, if named, a role."""
    return [
        c
        for c in declared
        if (c.permission is None or principal.can(c.permission))
        and (not c.roles or set(c.roles) & set(principal.roles))
    ]


def cards(db: Session, principal: Principal, today: BankDay) -> list[tuple[HomeCard, Any]]:
    """Each registry card the viewer may see with its figures, computed now by the owning module's entry.

    A ``dated`` card's entry is given the bank's day as well: ``entry(db, principal, today)``.
    """
    return [
        (c, resolve(c.entry)(db, principal, today) if c.dated else resolve(c.entry)(db, principal))
        for c in visible_cards(principal, home_cards())
    ]


def search_card(db: Session, principal: Principal) -> None:
    """The quick-search card has no figures: it is a form onto /search."""
    return None


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
