"""JSON API: a year's exception days with where each comes from; set or remove the bank's entry for a day."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from bankcrm.access.deps import AppSettings, Db, require_api
from bankcrm.access.principal import Principal
from bankcrm.kit.time import today_in
from bankcrm.web.templating import locale_of
from bankcrm.workcalendar import schemas
from bankcrm.workcalendar.service import edit, reads

router = APIRouter(tags=["working calendar"])
Manager = Annotated[Principal, Depends(require_api("calendar.manage"))]
Year = Annotated[int | None, Query(ge=schemas.FIRST_YEAR, le=schemas.LAST_YEAR, description="Default: this year")]


@router.get("/working-calendar", response_model=schemas.CalendarYearRead)
def working_calendar(
    request: Request, db: Db, settings: AppSettings, caller: Manager, year: Year = None
) -> schemas.CalendarYearRead:
    """Every day of the year the calendar answers against the weekday rule: kind, labels, source (package/bank)."""
    return reads.year(db, caller, year or today_in(settings.timezone).year, locale=locale_of(request))


@router.put("/working-calendar/{day}", response_model=schemas.CalendarDayRead)
def put_day(
    request: Request, db: Db, caller: Manager, day: date, body: schemas.CalendarDayWrite
) -> schemas.CalendarDayRead | None:
    """Make a day the bank's HOLIDAY or WORKDAY (over the package's answer); audited."""
    edit.put(db, caller, day, body)
    return reads.one(db, caller, day, locale=locale_of(request))


@router.delete("/working-calendar/{day}", status_code=204, response_class=Response)
def delete_day(db: Db, caller: Manager, day: date) -> Response:
    """Remove the bank's entry for a day: the package answers for it again (404 when the bank has none)."""
    edit.remove(db, caller, day)
    return Response(status_code=204)
