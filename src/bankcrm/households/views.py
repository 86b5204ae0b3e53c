"""HTML page of a household: members, rolled-up figures and products, and the manual edits."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bankcrm.access.deps import AppSettings, CifNo, Db, EntityId, csrf_protect
from bankcrm.access.deps import CustomerReader as Reader
from bankcrm.access.deps import CustomerWriter as Writer
from bankcrm.access.principal import Principal
from bankcrm.customers.service import reads as customer_reads
from bankcrm.errors import NotFound
from bankcrm.households import schemas
from bankcrm.households.service import edit, reads
from bankcrm.kit.time import today_in
from bankcrm.web.forms import FormValues as Form
from bankcrm.web.forms import submit_form, validated
from bankcrm.web.templating import locale_of, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
Flag = Annotated[str | None, Query(max_length=10)]


def _page(
    request: Request,
    db: Db,
    principal: Principal,
    household_id: int,
    *,
    saved: str | None = None,
    form: str | None = None,
    values: dict[str, str] | None = None,
    problems: dict[str, Any] | None = None,
    code: int = 200,
) -> Response:
    context = {
        "h": reads.household(db, principal, household_id, locale=locale_of(request)),
        "saved": saved,
        "form": form,
        "values": values or {},
        **(problems or {"errors": {}, "message": None}),
    }
    return render(request, "households/household.html", context, status=code)


@router.get("/households/{household_id}", response_class=HTMLResponse)
def household_page(request: Request, db: Db, principal: Reader, household_id: EntityId, saved: Flag = None) -> Response:
    """A household: members (outside your scope masked), figures and products of the members you may reads."""
    return _page(request, db, principal, household_id, saved=saved)


@router.get("/customers/{cif_no}/household")
def customer_household(request: Request, db: Db, principal: Reader, cif_no: CifNo) -> Response:
    """The page of the customer's household (404 when it belongs to none)."""
    found = reads.household_of(db, principal, cif_no, locale=locale_of(request))
    return RedirectResponse(f"/households/{found.id}", status_code=303)


@router.get("/customers/{cif_no}/tabs/household", response_class=HTMLResponse)
def customer_household_tab(request: Request, db: Db, principal: Reader, cif_no: CifNo) -> Response:
    """The customer page's tab: the household's members and figures, or that the customer belongs to none."""
    customer_reads.get_customer(db, principal, cif_no)  # 404 outside scope, before "no household" is said
    try:
        found = reads.household_of(db, principal, cif_no, locale=locale_of(request))
    except NotFound:
        found = None
    return render(request, "households/_tab.html", {"h": found})


@router.post("/households/{household_id}/members")
def member_add(
    request: Request, db: Db, settings: AppSettings, principal: Writer, household_id: EntityId, form: Form
) -> Response:
    """Add a customer by CIF number."""
    values = {"cif_no": form.get("cif_no", "").strip()}
    return submit_form(
        request,
        db,
        lambda: validated(schemas.MemberAdd, values),
        lambda body: edit.add_member(
            db, principal, household_id, body, today=today_in(settings.timezone), locale=locale_of(request)
        ),
        redirect=f"/households/{household_id}?saved=added",
        rerender=lambda r: _page(
            request, db, principal, household_id, form="add", values=values, problems=r.problems, code=r.status
        ),
    )


@router.post("/households/{household_id}/members/{cif_no}/remove")
def member_remove(db: Db, settings: AppSettings, principal: Writer, household_id: EntityId, cif_no: CifNo) -> Response:
    """Take a member out; back to the household, or to the customer when the household dissolved."""
    remains = edit.remove_member(db, principal, household_id, cif_no, today=today_in(settings.timezone))
    target = f"/households/{household_id}?saved=removed" if remains else f"/customers/{cif_no}/360"
    return RedirectResponse(target, status_code=303)


@router.post("/households/{household_id}/head")
def head_set(
    request: Request, db: Db, settings: AppSettings, principal: Writer, household_id: EntityId, form: Form
) -> Response:
    """Make a member the head."""
    values = {"cif_no": form.get("cif_no", "").strip()}
    return submit_form(
        request,
        db,
        lambda: validated(schemas.HeadSet, values),
        lambda body: edit.set_head(
            db, principal, household_id, body, today=today_in(settings.timezone), locale=locale_of(request)
        ),
        redirect=f"/households/{household_id}?saved=head",
        rerender=lambda r: _page(request, db, principal, household_id, form="head", problems=r.problems, code=r.status),
    )
