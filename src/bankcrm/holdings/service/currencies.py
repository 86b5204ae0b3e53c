"""The currencies the bank uses: ISO 4217 shipped as data, each switched on or off by the bank (audited)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from bankcrm.access.principal import Actor
from bankcrm.audit import service as audit_service
from bankcrm.errors import FieldError, ValidationFailed
from bankcrm.holdings import repository
from bankcrm.kit.i18n import N_
from bankcrm.models.holding import Currency

UNKNOWN = N_("Not an ISO 4217 currency code on file: %(codes)s.")


def listed(db: Session, *, active_only: bool = False) -> list[Currency]:
    """The currencies in display order (the bank's active ones only, if asked)."""
    return repository.currencies(db, active_only=active_only)


def set_active(db: Session, actor: Actor, codes: Iterable[str], *, active: bool) -> list[str]:
    """Switch these currencies on (files may use them) or off; the codes that changed, each change audited.

    An unknown code changes nothing at all. Switching a currency off does not touch accounts already in it.
    """
    wanted = sorted({c.strip().upper() for c in codes})
    found = {c.code: c for c in repository.currencies_by_code(db, wanted)}
    unknown = [c for c in wanted if c not in found]
    if unknown:
        raise ValidationFailed(errors=[FieldError("code", UNKNOWN, {"codes": ", ".join(unknown)})])
    changed = [c for c in wanted if found[c].active != active]
    for code in changed:
        found[code].active = active
        audit_service.record(
            db,
            actor,
            "currency.activated" if active else "currency.deactivated",
            entity_type="currency",
            entity_id=code,
            changes=audit_service.diff({"active": not active}, {"active": active}),
        )
    db.flush()
    return changed
