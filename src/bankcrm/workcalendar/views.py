"""HTML: the working calendar's year page (months marked, each exception's source), set and remove a bank entry."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bankcrm.access.deps import AppSettings, Db, csrf_protect, require_web
from bankcrm.access.principal import Principal
from bankcrm.kit.time import today_in
from bankcrm.web.forms import FormValues as Form
from bankcrm.web.forms import submit_form, validated
from bankcrm.web.templating import locale_of, render
from bankcrm.workcalendar import schemas
from bankcrm.workcalendar.service import edit, reads

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
Manager = Annotated[Principal, Depends(require_web("calendar.manage"))]
Year = Annotated[int | None, Query(ge=schemas.FIRST_YEAR, le=schemas.LAST_YEAR)]
FIELDS = ("day", "kind", "label_en", "label_zh")


def _page(
    request: Request,
    db: Db,
    principal: Principal,
    year: int,
    *,
    saved: str | None = None,
    values: dict[str, str] | None = None,
    problems: dict[str, Any] | None = None,
    code: int = 200,
) -> Response:
    found = reads.year(db, principal, year, locale=locale_of(request))
    context = {
        "year": year,
        "found": found,
        "months": reads.months(found),
        "saved": saved,
        "values": values or {},
        **(problems or {"errors": {}, "message": None}),
    }
    return render(request, "workcalendar/year.html", context, status=code)


@router.get("/admin/calendar", response_class=HTMLResponse)
def calendar_page(
    request: Request, db: Db, settings: AppSettings, principal: Manager, year: Year = None, saved: str | None = None
) -> Response:
    """A year's months with holidays and make-up working days marked, each with its source; the bank's form."""
    shown = year or today_in(settings.timezone).year
    return _page(request, db, principal, shown, saved=(saved or "")[:10] or None)


@router.post("/admin/calendar")
def calendar_set(request: Request, db: Db, settings: AppSettings, principal: Manager, form: Form) -> Response:
    """Set the bank's entry for a day from the page's form; the year again, or the form with its errors."""
    values = {k: form.get(k, "").strip() for k in FIELDS}
    year = today_in(settings.timezone).year
    if len(values["day"]) >= 4 and values["day"][:4].isdigit():
        year = min(max(int(values["day"][:4]), schemas.FIRST_YEAR), schemas.LAST_YEAR)

    return submit_form(
        request,
        db,
        lambda: validated(schemas.CalendarDayForm, values),
        lambda body: edit.put(db, principal, body.day, schemas.CalendarDayWrite(**body.model_dump(exclude={"day"}))),
        redirect=lambda row: f"/admin/calendar?year={row.day.year}&saved=set",
        rerender=lambda r: _page(request, db, principal, year, values=values, problems=r.problems, code=r.status),
    )


@router.post("/admin/calendar/{day}/remove")
def calendar_remove(db: Db, principal: Manager, day: date) -> Response:
    """Remove the bank's entry for a day: the package answers for it again."""
    edit.remove(db, principal, day)
    return RedirectResponse(f"/admin/calendar?year={day.year}&saved=removed", status_code=303)
