"""JSON API over the audit log."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from bankcrm.access.deps import ApiAuditReader, AppSettings, Db
from bankcrm.audit import service as audit_service
from bankcrm.audit.filters import AuditFilters
from bankcrm.audit.schemas import AUDIT_LIST, AuditEventRead, AuditPage
from bankcrm.kit.pagination import MAX_PAGE
from bankcrm.kit.time import Day
from bankcrm.web import lists

router = APIRouter(tags=["audit"])


@router.get("/audit-events", response_model=AuditPage)
def list_events(
    db: Db,
    settings: AppSettings,
    caller: ApiAuditReader,
    actor: str | None = None,
    action: str | None = None,
    entity_type: str | None = None,
    outcome: Literal["success", "failure", "denied"] | None = None,
    date_from: Day | None = None,
    date_to: Day | None = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    size: Annotated[int, Query(ge=1, le=200)] = 50,
    sort: Annotated[
        str | None,
        Query(max_length=200, description="seq, occurred_at, actor_username, action, outcome; '-' descending"),
    ] = None,
) -> AuditPage:
    """Audit events, newest first unless ``sort`` says otherwise (ties by seq); dates are days in the bank's zone."""
    filters = AuditFilters(
        actor,
        action,
        entity_type,
        outcome,
        date_from.isoformat() if date_from else None,
        date_to.isoformat() if date_to else None,
    )
    since, until = filters.window(settings.timezone)
    result = audit_service.search(
        db,
        lists.page_of(AUDIT_LIST, page, size),
        actor=actor,
        action=action,
        entity_type=entity_type,
        outcome=outcome,
        since=since,
        until=until,
        sort=lists.sort_of(AUDIT_LIST, sort),
    )
    return AuditPage.of(result, [AuditEventRead.model_validate(e) for e in result.items])
