"""Org units: list, create, rename, activate or deactivate."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bankcrm.access import repository
from bankcrm.access.principal import SYSTEM_PRINCIPAL, Actor, Principal
from bankcrm.access.schemas import OrgUnitCreate, OrgUnitUpdate
from bankcrm.access.service.scope_audit import out_of_scope
from bankcrm.audit import service as audit_service
from bankcrm.errors import Conflict, FieldError, NotFound, ValidationFailed
from bankcrm.kit.i18n import N_
from bankcrm.kit.listing import SortSpec
from bankcrm.models.org import OrgUnit, OrgUnitKind


def _snapshot(unit: OrgUnit) -> dict[str, object]:
    return {
        "code": unit.code,
        "name_en": unit.name_en,
        "name_zh": unit.name_zh,
        "kind_code": unit.kind_code,
        "parent_id": unit.parent_id,
        "active": unit.active,
    }


def list_units(db: Session, principal: Principal, q: str | None = None, sort: SortSpec | None = None) -> list[OrgUnit]:
    """Units the principal may see, in ``sort`` order (default tree order)."""
    return repository.units(db, principal, q, sort)


def count_active_units(db: Session, principal: Principal) -> int:
    """Active units in the principal's scope."""
    return repository.count_units(db, principal)


def unit_kinds(db: Session) -> list[OrgUnitKind]:
    """The kinds of unit, head office first."""
    return repository.unit_kinds(db)


def get_unit(db: Session, principal: Principal, unit_id: int) -> OrgUnit:
    """One unit in scope, or 404."""
    unit = repository.unit(db, principal, unit_id)
    if unit is None:
        raise NotFound(
            N_("Org unit not found."),
            audit=out_of_scope(principal, "org_unit", unit_id, repository.unit_by_id(db, unit_id) is not None),
        )
    return unit


def create_unit(db: Session, principal: Principal, data: OrgUnitCreate) -> OrgUnit:
    """Add a unit below a parent in scope; a unit sits below units of a higher level."""
    parent = repository.unit(db, principal, data.parent_id)
    if parent is None:
        raise ValidationFailed(errors=[FieldError("parent_id", N_("Unknown parent unit."))])
    kind = next((k for k in repository.unit_kinds(db) if k.code == data.kind_code), None)
    if kind is None:
        raise ValidationFailed(errors=[FieldError("kind_code", N_("Unknown kind of unit."))])
    if kind.level <= parent.kind.level:
        raise ValidationFailed(
            errors=[
                FieldError(
                    "kind_code",
                    N_("A unit of this kind cannot sit below a unit of kind '%(parent)s'."),
                    {"parent": parent.kind_code},
                )
            ]
        )
    if repository.unit_by_code(db, data.code) is not None:
        raise Conflict(
            errors=[FieldError("code", N_("Code %(code)s is already used by another unit."), {"code": data.code})]
        )
    unit = OrgUnit(
        code=data.code,
        name_en=data.name_en,
        name_zh=data.name_zh,
        kind_code=kind.code,
        parent_id=parent.id,
        path=parent.path,
    )
    db.add(unit)
    db.flush()  # the path needs the new id
    unit.path = f"{parent.path}{unit.id}/"
    db.flush()
    audit_service.record(
        db,
        Actor.of(principal),
        "org_unit.create",
        entity_type="org_unit",
        entity_id=unit.id,
        changes=audit_service.diff({}, _snapshot(unit)),
    )
    return unit


def update_unit(db: Session, principal: Principal, unit_id: int, data: OrgUnitUpdate) -> OrgUnit:
    """Rename, or (de)activate a unit; a unit with active users or sub-units stays active."""
    unit = get_unit(db, principal, unit_id)
    before = _snapshot(unit)
    if data.active is False and unit.active:
        busy_users, busy_units = repository.active_members(db, unit.id)
        if busy_users or busy_units:
            raise Conflict(
                N_(
                    "A unit with %(users)s active users and %(units)s active sub-units cannot be "
                    "deactivated; move or deactivate them first."
                ),
                params={"users": busy_users, "units": busy_units},
            )
        if unit.parent_id is None:
            raise Conflict(N_("The head office cannot be deactivated."))
    for field in ("name_en", "name_zh", "active"):
        value = getattr(data, field)
        if value is not None:
            setattr(unit, field, value)
    db.flush()
    changes = audit_service.diff(before, _snapshot(unit))
    if changes:
        audit_service.record(
            db, Actor.of(principal), "org_unit.update", entity_type="org_unit", entity_id=unit.id, changes=changes
        )
    return unit


def covers(principal: Principal, unit: OrgUnit) -> bool:
    """Whether the unit lies in the principal's own unit subtree (or the principal sees the whole bank)."""
    return principal.is_system or principal.data_scope == "all" or unit.path.startswith(principal.unit_path)


NO_UNIT = N_("No such unit.")


def unit_in_scope(db: Session, principal: Principal, code: str | None) -> OrgUnit:
    """The unit a roll-up is asked for (by code) inside the caller's subtree; by default the caller's own unit, or
    the head office for bank-wide readers. 404 otherwise, audited when the unit exists."""
    if code is None:
        bankwide = principal.is_system or principal.data_scope == "all"
        unit = repository.root_unit(db) if bankwide else repository.unit_by_id(db, principal.unit_id)
        if unit is None:
            raise NotFound(NO_UNIT)
        return unit
    unit = repository.unit_by_code(db, code)
    if unit is None or not covers(principal, unit):
        raise NotFound(NO_UNIT, audit=out_of_scope(principal, "org_unit", code, unit is not None))
    return unit


def unit_for_write(db: Session, principal: Principal, unit_id: int) -> OrgUnit | None:
    """An active unit the principal may put records in: one in their own unit subtree."""
    unit = repository.unit_by_id(db, unit_id)
    if unit is None or not unit.active or not covers(principal, unit):
        return None
    return unit


def units_for_write(db: Session, principal: Principal) -> list[OrgUnit]:
    """Active units the principal may put records in, in tree order."""
    return [u for u in repository.units(db, SYSTEM_PRINCIPAL) if u.active and covers(principal, u)]
