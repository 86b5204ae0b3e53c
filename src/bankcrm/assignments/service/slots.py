"""A customer's set of managers as plain values: comparing, validating and rewriting it."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bankcrm.assignments import repository
from bankcrm.assignments.schemas import ManagerShare
from bankcrm.errors import FieldError
from bankcrm.kit.i18n import N_
from bankcrm.kit.money import percent_text
from bankcrm.models.assignment import ManagerAssignment
from bankcrm.models.customer import Customer

PRIMARY, CO = "primary", "co"
FULL_SHARE_BP = repository.FULL_SHARE_BP

NEED_PRIMARY = N_("Name exactly one primary manager.")
SHARES_SUM = N_("The shares must add up to 100%% (they add up to %(total)s%%).")
NAMED_TWICE = N_("This manager is named twice.")
NOT_A_MANAGER = N_("Choose an active account manager.")


@dataclass(frozen=True, order=True)
class Slot:
    """One manager of a customer: primary or co, with a share in basis points."""

    manager_id: int
    role: str
    share_bp: int


def ordered(slots: list[Slot] | set[Slot]) -> list[Slot]:
    """Primary first, then by manager id (the stored and compared form)."""
    return sorted(slots, key=lambda s: (s.role != PRIMARY, s.manager_id))


def to_json(slots: list[Slot]) -> str:
    """The stored form of a set of managers."""
    return json.dumps([{"manager_id": s.manager_id, "role": s.role, "share_bp": s.share_bp} for s in ordered(slots)])


def from_json(text: str) -> list[Slot]:
    """A stored set of managers."""
    return [Slot(int(d["manager_id"]), str(d["role"]), int(d["share_bp"])) for d in json.loads(text)]


def effective(customer: Customer, rows: list[ManagerAssignment]) -> tuple[list[Slot], bool]:
    """The customer's managers today, and whether the record's primary was set outside assignments.

    The customer record decides who the primary is (the data scope follows it): when no holding row
    agrees (a customer entered or edited through the customer forms), its primary is that manager, with
    the share the co-managers leave.
    """
    primary = next((r for r in rows if r.role == PRIMARY), None)
    recorded = customer.account_manager_id
    if (primary.manager_id if primary else None) == recorded:
        return ordered([Slot(r.manager_id, r.role, r.share_bp) for r in rows]), False
    co = [Slot(r.manager_id, CO, r.share_bp) for r in rows if r.role == CO and r.manager_id != recorded]
    if recorded is None:
        return ordered(co), True
    return ordered([Slot(recorded, PRIMARY, FULL_SHARE_BP - sum(s.share_bp for s in co)), *co]), True


def check_set(db: Session, managers: list[ManagerShare]) -> tuple[list[Slot], list[FieldError]]:
    """A requested set of managers and what is wrong with it (each problem at its field)."""
    errors: list[FieldError] = []
    if sum(1 for m in managers if m.role == PRIMARY) != 1:
        errors.append(FieldError("managers", NEED_PRIMARY))
    total = sum(m.share_bp for m in managers)
    if total != FULL_SHARE_BP:
        errors.append(FieldError("managers", SHARES_SUM, {"total": percent_text(total)}))
    seen: set[int] = set()
    for i, m in enumerate(managers):
        if m.manager_id in seen:
            errors.append(FieldError(f"managers.{i}.manager_id", NAMED_TWICE))
        elif not repository.is_account_manager(db, m.manager_id):
            errors.append(FieldError(f"managers.{i}.manager_id", NOT_A_MANAGER))
        seen.add(m.manager_id)
    return ordered([Slot(m.manager_id, m.role, m.share_bp) for m in managers]), errors


def hand_over(slots: list[Slot], giver: int, taker: int) -> list[Slot]:
    """The set with every role of ``giver`` passed to ``taker``; a named taker gets the higher role, both shares."""
    given = next((s for s in slots if s.manager_id == giver), None)
    if given is None:
        return slots
    kept = next((s for s in slots if s.manager_id == taker), None)
    rest = [s for s in slots if s.manager_id not in (giver, taker)]
    role = PRIMARY if PRIMARY in (given.role, kept.role if kept else None) else CO
    share = given.share_bp + (kept.share_bp if kept else 0)
    return ordered([*rest, Slot(taker, role, share)])


def describe(slots: list[Slot], names: dict[int, str]) -> str:
    """``am1 primary 70%, am2 co 30%`` for the audit log."""
    parts = [f"{names.get(s.manager_id, s.manager_id)} {s.role} {percent_text(s.share_bp)}%" for s in slots]
    return ", ".join(parts) or "-"
