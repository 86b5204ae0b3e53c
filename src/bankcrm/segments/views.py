"""HTML: the segments list, the builder with a live preview, a segment's page (words, trend, members, exports)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from bankcrm.access.deps import AppSettings, Db, EntityId, csrf_protect, require_web
from bankcrm.access.principal import Principal
from bankcrm.errors import FieldError, NotFound, ValidationFailed
from bankcrm.kit.export import to_csv, to_xlsx
from bankcrm.kit.i18n import N_, gettext_for
from bankcrm.kit.pagination import PageRequest
from bankcrm.kit.time import today_in
from bankcrm.segments import schemas
from bankcrm.segments.service import builder, members, saved
from bankcrm.segments.service import spec as specs
from bankcrm.web.errors import form_errors
from bankcrm.web.forms import FormValues as Form
from bankcrm.web.forms import submit_form, validated
from bankcrm.web.templating import locale_of, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
Reader = Annotated[Principal, Depends(require_web("segment.read"))]
Manager = Annotated[Principal, Depends(require_web("segment.manage"))]
PAGE_SIZE = 25
MEDIA = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
NOT_JSON = N_("The specification is not valid JSON.")
EXPORT_HEADERS = (N_("CIF number"), N_("Name"), N_("Kind"), N_("Home branch"), N_("Account manager"), N_("Entered"))


def _spec_of(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ValidationFailed(errors=[FieldError("spec", NOT_JSON)]) from exc


@router.get("/segments", response_class=HTMLResponse)
def segments_page(request: Request, db: Db, principal: Reader) -> Response:
    """The segments you may see: yours, your unit's and the bank's."""
    return _index(request, db, principal, {"visibility": "private"}, None, 200)


def _index(
    request: Request, db: Db, principal: Principal, values: dict[str, str], problems: Any, code: int
) -> Response:
    rows = saved.listed(db, principal, locale=locale_of(request))
    context = {
        "segments": rows,
        "may_manage": principal.can("segment.manage"),
        "values": values,
        **(problems or {"errors": {}, "message": None}),
    }
    return render(request, "segments/index.html", context, status=code)


def _builder(
    request: Request, db: Db, principal: Principal, values: dict[str, str], problems: Any, code: int
) -> Response:
    context = {
        "options": builder.options(db, locale_of(request)),
        "values": values,
        "may_publish": principal.can("segment.publish"),
        **(problems or {"errors": {}, "message": None}),
    }
    return render(request, "segments/new.html", context, status=code)


@router.get("/segments/new", response_class=HTMLResponse)
def builder_page(request: Request, db: Db, principal: Manager) -> Response:
    """The builder: condition rows over the feature catalogue and customer attributes, with a live count."""
    return _builder(request, db, principal, {"spec": '{"all": []}', "visibility": "private"}, None, 200)


@router.post("/segments/new")
def builder_save(request: Request, db: Db, settings: AppSettings, principal: Manager, form: Form) -> Response:
    """Save the built segment; the builder again with the part at fault named."""
    values = {k: form.get(k, "").strip() for k in ("name", "description", "visibility", "spec")}
    return submit_form(
        request,
        db,
        lambda: validated(schemas.SegmentWrite, {**values, "spec": _spec_of(values["spec"])}),
        lambda body: saved.create(db, principal, body, today=today_in(settings.timezone), locale=locale_of(request)),
        redirect=lambda read: f"/segments/{read.id}",
        rerender=lambda r: _builder(request, db, principal, values, r.problems, r.status),
    )


@router.post("/segments/preview", response_class=HTMLResponse)
def preview(request: Request, db: Db, settings: AppSettings, principal: Reader, form: Form) -> Response:
    """The live count and masked sample (htmx); a fault is shown naming the part (answered 200 so htmx swaps it)."""
    try:
        found = specs.preview(db, principal, _spec_of(form.get("spec", "")), today=today_in(settings.timezone))
    except ValidationFailed as exc:
        fault = [(e.field, gettext_for(locale_of(request), e.message, e.params)) for e in exc.errors]
        return render(request, "segments/_preview.html", {"found": None, "fault": fault})
    return render(request, "segments/_preview.html", {"found": found, "fault": []})


@router.post("/segments/static")
def static_save(request: Request, db: Db, settings: AppSettings, principal: Manager, form: Form) -> Response:
    """A static segment from pasted CIF numbers (one a line); its page lists the unknown numbers back. A fault is
    shown on the list page's form, the values kept."""
    values = {k: form.get(k, "").strip() for k in ("name", "description", "visibility", "cif_nos")}
    body = {**values, "visibility": values["visibility"] or "private", "cif_nos": values["cif_nos"].splitlines()}
    today = today_in(settings.timezone)
    try:
        with db.begin_nested():
            parsed = validated(schemas.StaticWrite, body)
            created = saved.create_static(db, principal, parsed, today=today, locale=locale_of(request))
    except ValidationFailed as exc:
        return _index(request, db, principal, values, form_errors(request, exc), exc.status)
    return _detail(request, db, principal, created.segment.id, 1, unknown=created.unknown)


@router.post("/segments/{segment_id}/rename")
def rename(request: Request, db: Db, principal: Manager, segment_id: EntityId, form: Form) -> Response:
    """A new name and description (either kind, its owner or a publisher); a fault shown on the form."""
    values = {k: form.get(k, "").strip() for k in ("name", "description")}
    return submit_form(
        request,
        db,
        lambda: validated(schemas.SegmentPatch, values),
        lambda body: saved.rename(db, principal, segment_id, body, locale=locale_of(request)),
        redirect=f"/segments/{segment_id}",
        rerender=lambda r: _detail(request, db, principal, segment_id, 1, rename=(values, r.problems), code=r.status),
    )


def _detail(
    request: Request,
    db: Db,
    principal: Principal,
    segment_id: int,
    page: int,
    unknown: list[str] | None = None,
    rename: tuple[dict[str, str], dict[str, Any]] | None = None,
    code: int = 200,
) -> Response:
    locale = locale_of(request)
    row = saved.read(db, principal, saved.get(db, principal, segment_id), locale)
    values, problems = rename or ({"name": row.name, "description": row.description}, None)
    context = {
        "s": row,
        "members": members.members(db, principal, segment_id, PageRequest(page, PAGE_SIZE)),
        "sizes": members.sizes(db, principal, segment_id),
        "unknown": unknown,
        "values": values,
        **(problems or {"errors": {}, "message": None}),
    }
    return render(request, "segments/detail.html", context, status=code)


@router.get("/segments/{segment_id}", response_class=HTMLResponse)
def detail_page(
    request: Request, db: Db, principal: Reader, segment_id: EntityId, page: int = Query(1, ge=1)
) -> Response:
    """A segment: its specification in words, the size trend (chart and table), the members in your scope."""
    return _detail(request, db, principal, segment_id, min(page, 100_000))


@router.get("/segments/{segment_id}/sizes.json")
def sizes_json(db: Db, principal: Reader, segment_id: EntityId) -> Response:
    """The size trend for the chart."""
    found = members.sizes(db, principal, segment_id)
    payload = {"days": [s.day.isoformat() for s in found], "members": [s.members for s in found]}
    return Response(json.dumps(payload), media_type="application/json")


@router.get("/segments/{segment_id}/export.{fmt}")
def export(request: Request, db: Db, principal: Reader, segment_id: EntityId, fmt: str) -> Response:
    """The members in your scope as CSV or XLSX, masked like the list; audited."""
    if fmt not in MEDIA:
        raise NotFound(None)
    found = members.export(db, principal, segment_id, fmt)
    locale = locale_of(request)
    headers = [gettext_for(locale, h) for h in EXPORT_HEADERS]
    rows = [(m.cif_no, m.name, m.kind, m.home_unit, m.account_manager, m.entered_on.isoformat()) for m in found.items]
    body = to_csv(headers, rows) if fmt == "csv" else to_xlsx(headers, rows, sheet="segment")
    name = f"segment-{segment_id}.{fmt}"
    return Response(body, media_type=MEDIA[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'})
