"""JSON API: warnings visible to the caller, one with its timeline, recording an action and the outcome."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from bankcrm.access.deps import AppSettings, Db
from bankcrm.earlywarning import schemas
from bankcrm.earlywarning.deps import ApiWarningReader
from bankcrm.earlywarning.service import reads, work
from bankcrm.kit.time import today_in
from bankcrm.web.templating import locale_of

router = APIRouter(tags=["warnings"])


@router.get("/warnings", response_model=list[schemas.WarningSummary])
def list_warnings(
    request: Request,
    db: Db,
    caller: ApiWarningReader,
    view: Annotated[Literal["mine", "branch", "escalated"], Query()] = "mine",
    status: Annotated[Literal["open", "closed", "all"], Query()] = "open",
) -> list[schemas.WarningSummary]:
    """Warnings the caller may see: assigned or brought in (mine), all in scope (branch), or escalated; newest first,
    with the reasons in words."""
    return reads.listing(db, caller, view, status, locale_of(request))


@router.get("/warnings/{warning_id}", response_model=schemas.WarningRead)
def get_warning(
    request: Request, db: Db, settings: AppSettings, caller: ApiWarningReader, warning_id: int
) -> schemas.WarningRead:
    """One warning (404 when out of scope, audited) with its reasons, outcome, participants and timeline."""
    return reads.detail(db, caller, warning_id, locale_of(request), settings.timezone)


@router.post("/warnings/{warning_id}/actions", response_model=schemas.WarningRead, status_code=201)
def post_action(
    request: Request,
    db: Db,
    settings: AppSettings,
    caller: ApiWarningReader,
    warning_id: int,
    body: schemas.ActionCreate,
) -> schemas.WarningRead:
    """Record a contact or plan step (action type from the warning_action code table); needs warnings.act."""
    work.record_action(db, caller, warning_id, body)
    return reads.detail(db, caller, warning_id, locale_of(request), settings.timezone)


@router.post("/warnings/{warning_id}/outcome", response_model=schemas.WarningRead)
def post_outcome(
    request: Request,
    db: Db,
    settings: AppSettings,
    caller: ApiWarningReader,
    warning_id: int,
    body: schemas.OutcomeCreate,
) -> schemas.WarningRead:
    """Close the warning: retained, partly retained (amount), lost (reason and bank), false alarm."""
    work.record_outcome(db, caller, warning_id, body, today_in(settings.timezone))
    return reads.detail(db, caller, warning_id, locale_of(request), settings.timezone)
