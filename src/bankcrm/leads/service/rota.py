"""The round robins as data: which managers take a unit's leads for an interest (or any interest), in what order.

``put`` is the command line's (user names, any unit); ``unit_rotas`` and ``edit`` are the page's, inside the
caller's unit subtree, audited.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bankcrm.access.principal import Actor, Principal
from bankcrm.access.service import units as unit_service
from bankcrm.audit import service as audit_service
from bankcrm.errors import FieldError, ValidationFailed
from bankcrm.kit.i18n import N_
from bankcrm.leads import repository
from bankcrm.leads.service.reads import choices
from bankcrm.models.access import User
from bankcrm.models.lead import LeadRota
from bankcrm.models.org import OrgUnit

UNKNOWN_UNIT = N_("No active unit has this code.")
UNKNOWN_USER = N_("No active user has this name.")
NOT_UNDER = N_("Only staff working under the unit can be on its round robin.")
NO_INTEREST = N_("Choose one of the listed values.")


def put(db: Session, unit_code: str, interest: str | None, usernames: list[str]) -> list[LeadRota]:
    """Make these managers (in this order) the unit's rota for the interest (None: any); others on it leave."""
    unit = repository.unit_by_code(db, unit_code)
    if unit is None:
        raise ValidationFailed(errors=[FieldError("unit", UNKNOWN_UNIT)])
    users = []
    for name in usernames:
        user = repository.user_by_name(db, name)
        if user is None:
            raise ValidationFailed(errors=[FieldError("users", UNKNOWN_USER)])
        users.append(user)
    return _put(db, unit, interest, users)


def _put(db: Session, unit: OrgUnit, interest: str | None, users: list[User]) -> list[LeadRota]:
    kept = []
    wanted = {u.id for u in users}
    for row in repository.rotas(db):
        if row.unit_id == unit.id and row.interest == interest and row.user_id not in wanted:
            row.active = False
    for position, user in enumerate(users, start=1):
        found = repository.rota_row(db, unit.id, interest, user.id)
        row = (
            found
            if found is not None
            else LeadRota(unit_id=unit.id, interest=interest, user_id=user.id, given=0, active=True)
        )
        db.add(row)
        row.active, row.position = True, position
        kept.append(row)
    db.flush()
    return kept


@dataclass(frozen=True)
class Member:
    """A manager on (or once on) a rota: the turns given and whether still on it."""

    user_id: int
    name: str
    position: int
    given: int
    active: bool


@dataclass(frozen=True)
class Rota:
    """One round robin of a unit: its interest (None: any) with its label, and its managers in order."""

    interest: str | None
    label: str
    members: list[Member]

    @property
    def by_user(self) -> dict[int, Member]:
        """The members by user id (the page's rows are the unit's staff)."""
        return {m.user_id: m for m in self.members}


def unit_rotas(db: Session, principal: Principal, unit_code: str | None, locale: str) -> tuple[OrgUnit, list[Rota]]:
    """The unit (the caller's by default; 404 outside the subtree, audited) and its round robins."""
    unit = unit_service.unit_in_scope(db, principal, unit_code)
    labels = choices(db, locale)["lead_interest"]
    out: dict[str | None, list[Member]] = {}
    for row, user in repository.unit_rotas(db, unit.id):
        out.setdefault(row.interest, []).append(
            Member(user.id, user.display_name, row.position, row.given, row.active and user.active)
        )
    rotas = [Rota(i, labels.get(i, i) if i else "", members) for i, members in out.items()]
    return unit, rotas


def candidates(db: Session, unit: OrgUnit) -> list[User]:
    """The staff who may be put on the unit's round robins: active, working under it."""
    return repository.staff_under(db, unit.path)


def edit(
    db: Session, principal: Principal, unit_code: str, interest: str | None, user_ids: list[int]
) -> list[LeadRota]:
    """Set the unit's round robin for the interest to these staff in this order (others leave it), audited."""
    unit = unit_service.unit_in_scope(db, principal, unit_code)
    if interest is not None and interest not in choices(db, "en")["lead_interest"]:
        raise ValidationFailed(errors=[FieldError("interest", NO_INTEREST)])
    staff = {u.id: u for u in candidates(db, unit)}
    if any(i not in staff for i in user_ids):
        raise ValidationFailed(errors=[FieldError("users", NOT_UNDER)])
    before = [u.username for r, u in repository.unit_rotas(db, unit.id) if r.interest == interest and r.active]
    rows = _put(db, unit, interest, [staff[i] for i in user_ids])
    after = [staff[i].username for i in user_ids]
    if before != after:
        audit_service.record(
            db,
            Actor.of(principal),
            "lead.rota_set",
            entity_type="org_unit",
            entity_id=unit.id,
            changes={"users": [before, after]},
            detail=f"interest {interest or '*'}",
        )
    return rows
