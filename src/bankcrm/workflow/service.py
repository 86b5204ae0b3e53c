"""The workflow engine: move a row to another state if the catalogue allows it and the caller may; record it.

Domain services call ``move`` instead of assigning ``status``: the allowed moves and the permission each
needs are data (workflow_transition), and every move leaves one ``status_history`` row. Flushes only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.access.service.scope_audit import denied
from bankcrm.errors import Conflict, Forbidden
from bankcrm.kit.i18n import N_, Bilingual, Msgid
from bankcrm.kit.time import utcnow
from bankcrm.models.workflow import StatusHistory, WorkflowState, WorkflowTransition
from bankcrm.modules import permissions
from bankcrm.workflow import repository

# How a refusal names the workflow's record (the states and the permission read from their catalogues).
WORKFLOW_NAMES = {
    "assignment_request": N_("assignment request"),
    "change_request": N_("customer change request"),
    "corporate_group": N_("corporate group"),
    "lead": N_("lead"),
    "pricing_change": N_("pricing change"),
    "task": N_("follow-up task"),
}
NOT_ALLOWED = N_("This %(workflow)s (#%(id)s) is “%(current)s” and cannot become “%(wanted)s”.")
NO_RIGHT = N_(
    "Moving this %(workflow)s (#%(id)s) from “%(current)s” to “%(wanted)s” needs the permission “%(permission)s”."
)


class Stateful(Protocol):
    """A mapped row with an id and a status column."""

    __tablename__: Any
    id: Any
    status: Any


def states(db: Session, workflow: str) -> Sequence[WorkflowState]:
    """A workflow's states in display order."""
    return repository.states(db, workflow)


def labels(db: Session, workflow: str, locale: str) -> dict[str, str]:
    """State code → label in the reader's language, in display order."""
    zh = locale == "zh_CN"
    return {s.code: (s.label_zh if zh else s.label_en) for s in repository.states(db, workflow)}


def moves_open_to(db: Session, principal: Principal, workflow: str, current: str) -> set[str]:
    """The states the principal may move a row in ``current`` to (what buttons a page shows)."""
    return {t.to_state for t in repository.transitions_from(db, workflow, str(current)) if principal.can(t.permission)}


def history(db: Session, entity_type: str, entity_id: object) -> Sequence[StatusHistory]:
    """Every recorded move of one row, oldest first."""
    return repository.history(db, entity_type, str(entity_id))


def _allowed(
    db: Session,
    principal: Principal,
    workflow: str,
    entity_id: object,
    current: str,
    wanted: str,
    refusal: str | None,
) -> WorkflowTransition:
    """The transition, or Conflict when the catalogue has no such move, Forbidden when the caller lacks its right.

    The refusal names the record, its states and the permission in the reader's language.
    """
    found = repository.transition(db, workflow, current, wanted)
    if found is not None and principal.can(found.permission):
        return found
    params = {
        "workflow": Msgid(WORKFLOW_NAMES[workflow]) if workflow in WORKFLOW_NAMES else workflow,
        "id": entity_id,
        "current": _state(db, workflow, current),
        "wanted": _state(db, workflow, wanted),
    }
    if found is None:
        raise Conflict(refusal or NOT_ALLOWED, params=params)
    what = f"move {workflow} {entity_id} from {current} to {wanted}"
    permission = next((p for p in permissions() if p.code == found.permission), None)
    named = Bilingual(permission.label_en, permission.label_zh) if permission else found.permission
    raise Forbidden(NO_RIGHT, params=params | {"permission": named}, audit=denied(principal, what, found.permission))


def _state(db: Session, workflow: str, code: str) -> Bilingual | str:
    """A state's labels from the catalogue, or its code when the catalogue has no such state."""
    state = next((s for s in repository.states(db, workflow) if s.code == code), None)
    return Bilingual(state.label_en, state.label_zh) if state else code


def move(
    db: Session,
    principal: Principal,
    workflow: str,
    entity: Stateful,
    to_state: str,
    reason: str | None = None,
    *,
    refusal: str | None = None,
) -> StatusHistory:
    """Set ``entity.status`` to ``to_state`` and record the move; ``refusal`` words a disallowed move the domain's way.

    Raises Conflict (nothing changed) when the catalogue has no move from the current state to ``to_state``,
    Forbidden (audited) when the principal lacks the transition's permission.
    """
    if entity.id is None:
        db.flush()  # the history row names the row by id
    current, wanted = str(entity.status), str(to_state)  # plain strings, whether given as codes or enum members
    _allowed(db, principal, workflow, entity.id, current, wanted, refusal)
    entity.status = wanted
    row = StatusHistory(
        workflow=workflow,
        entity_type=entity.__tablename__,
        entity_id=str(entity.id),
        from_state=current,
        to_state=wanted,
        actor_id=principal.user_id,
        actor_name=principal.username,
        moved_at=utcnow(),
        reason=reason,
    )
    db.add(row)
    db.flush()
    return row


def record_moves(
    db: Session,
    principal: Principal,
    workflow: str,
    entity_type: str,
    moves: list[tuple[object, str, str]],
    reason: str | None = None,
) -> int:
    """Check and record moves a batch step applies itself in bulk: (entity id, from, to) each; returns how many.

    Every move is checked before any row is written, so a refused one leaves no history behind.
    """
    checked: set[tuple[str, str]] = set()
    moves = [(entity_id, str(current), str(wanted)) for entity_id, current, wanted in moves]
    for entity_id, current, wanted in moves:
        if (current, wanted) not in checked:
            _allowed(db, principal, workflow, entity_id, current, wanted, None)
            checked.add((current, wanted))
    now = utcnow()
    repository.add_history(
        db,
        [
            {
                "workflow": workflow,
                "entity_type": entity_type,
                "entity_id": str(entity_id),
                "from_state": current,
                "to_state": wanted,
                "actor_id": principal.user_id,
                "actor_name": principal.username,
                "moved_at": now,
                "reason": reason,
            }
            for entity_id, current, wanted in moves
        ],
    )
    return len(moves)
