"""The round robins as data: which managers take a unit's leads for an interest (or any interest)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bankcrm.errors import FieldError, ValidationFailed
from bankcrm.kit.i18n import N_
from bankcrm.leads import repository
from bankcrm.models.lead import LeadRota

UNKNOWN_UNIT = N_("No active unit has this code.")
UNKNOWN_USER = N_("No active user has this name.")


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
    kept = []
    wanted = {u.id for u in users}
    for row in repository.rotas(db):
        if row.unit_id == unit.id and row.interest == interest and row.user_id not in wanted:
            row.active = False
    for user in users:
        found = repository.rota_row(db, unit.id, interest, user.id)
        row = (
            found
            if found is not None
            else LeadRota(unit_id=unit.id, interest=interest, user_id=user.id, given=0, active=True)
        )
        db.add(row)
        row.active = True
        kept.append(row)
    db.flush()
    return kept
