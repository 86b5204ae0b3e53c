"""HTML: the customer page's Tags tab (apply and remove by hand), the 360° view's tag badges, the catalogue page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bankcrm.access.deps import AppSettings, CifNo, Db, csrf_protect, require_web
from bankcrm.access.deps import CustomerReader as Reader
from bankcrm.access.principal import Principal
from bankcrm.kit.time import today_in
from bankcrm.tags import schemas
from bankcrm.tags.schemas import PALETTE
from bankcrm.tags.service import catalogue, manual
from bankcrm.web.forms import FormValues as Form
from bankcrm.web.forms import submit_form, validated
from bankcrm.web.templating import locale_of, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
Admin = Annotated[Principal, Depends(require_web("tag.admin"))]
TagCode = Annotated[str, Path(pattern=r"^[A-Z][A-Z0-9_]{1,39}$")]


def _tab(
    request: Request,
    db: Db,
    principal: Principal,
    cif_no: str,
    *,
    values: dict[str, str] | None = None,
    problems: dict[str, Any] | None = None,
    code: int = 200,
) -> Response:
    locale = locale_of(request)
    current = manual.customer_tags(db, principal, cif_no, locale=locale)
    carried = {t.code for t in current}
    choices = [t for t in catalogue.active_tags(db) if manual.may_apply(principal, t) and t.code not in carried]
    removable = {t.code for t in catalogue.active_tags(db) if manual.may_apply(principal, t)}
    context = {
        "cif_no": cif_no,
        "tags": current,
        "history": manual.tag_history(db, principal, cif_no, locale=locale),
        "choices": choices,
        "removable": removable,
        "values": values or {},
        **(problems or {"errors": {}, "message": None}),
    }
    return render(request, "tags/_tab.html", context, status=code)


@router.get("/customers/{cif_no}/tabs/tags", response_class=HTMLResponse)
def customer_tags_tab(request: Request, db: Db, principal: Reader, cif_no: CifNo) -> Response:
    """The customer page's tab: the tags carried now, apply and remove by hand, and the tags' history."""
    return _tab(request, db, principal, cif_no)


@router.get("/customers/{cif_no}/tags/badges", response_class=HTMLResponse)
def customer_tag_badges(request: Request, db: Db, principal: Reader, cif_no: CifNo) -> Response:
    """The tags a customer carries, as badges (the 360° view's header loads them)."""
    tags = manual.customer_tags(db, principal, cif_no, locale=locale_of(request))
    return render(request, "tags/_badges.html", {"tags": tags, "cif_no": cif_no})


@router.post("/customers/{cif_no}/tags")
def tag_apply(
    request: Request, db: Db, settings: AppSettings, principal: Reader, cif_no: CifNo, form: Form
) -> Response:
    """Apply a manual tag from the tab's form (htmx); the tab again, or the form with its errors."""
    values = {k: form.get(k, "").strip() for k in ("code", "note", "expires_on")}
    return submit_form(
        request,
        db,
        lambda: validated(schemas.TagApply, {k: v for k, v in values.items() if v}),
        lambda body: manual.apply(
            db, principal, cif_no, body, today=today_in(settings.timezone), locale=locale_of(request)
        ),
        redirect=f"/customers/{cif_no}/tabs/tags",
        rerender=lambda r: _tab(request, db, principal, cif_no, values=values, problems=r.problems, code=r.status),
    )


@router.post("/customers/{cif_no}/tags/{code}/remove")
def tag_remove(db: Db, principal: Reader, cif_no: CifNo, code: TagCode) -> Response:
    """Remove a manual tag from the tab (htmx); the tab again."""
    manual.remove(db, principal, cif_no, code)
    return RedirectResponse(f"/customers/{cif_no}/tabs/tags", status_code=303)


def _catalogue_page(
    request: Request,
    db: Db,
    principal: Principal,
    *,
    saved: str | None = None,
    values: dict[str, str] | None = None,
    problems: dict[str, Any] | None = None,
    code: int = 200,
) -> Response:
    context = {
        "tags": catalogue.catalogue(db, principal, locale=locale_of(request)),
        "palette": PALETTE,
        "saved": saved,
        "values": values or {},
        **(problems or {"errors": {}, "message": None}),
    }
    return render(request, "tags/catalogue.html", context, status=code)


@router.get("/admin/tags", response_class=HTMLResponse)
def tags_page(request: Request, db: Db, principal: Admin, saved: str | None = None) -> Response:
    """The tag catalogue with the customers in your scope carrying each, and a form to add a bank-specific tag."""
    return _catalogue_page(request, db, principal, saved=(saved or "")[:10] or None)


@router.post("/admin/tags")
def tag_create(request: Request, db: Db, principal: Admin, form: Form) -> Response:
    """Add a bank-specific manual or imported tag (rule tags through the API, where the rule is JSON)."""
    keys = ("code", "label_en", "label_zh", "description_en", "description_zh", "kind", "colour", "permission")
    values = {k: form.get(k, "").strip() for k in keys}
    return submit_form(
        request,
        db,
        lambda: validated(schemas.TagCreate, values),
        lambda body: catalogue.create(db, principal, body, locale=locale_of(request)),
        redirect="/admin/tags?saved=created",
        rerender=lambda r: _catalogue_page(request, db, principal, values=values, problems=r.problems, code=r.status),
    )
