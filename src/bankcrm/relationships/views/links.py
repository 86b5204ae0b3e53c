"""HTML pages: a customer's links and relationship graph."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from bankcrm.access.deps import AppSettings, Db, EntityId, csrf_protect, require_web
from bankcrm.access.principal import Principal
from bankcrm.errors import Conflict, FieldError, ValidationFailed
from bankcrm.kit.i18n import N_
from bankcrm.kit.time import parse_day, today_in
from bankcrm.kit.validators import InvalidValue
from bankcrm.relationships import schemas, service
from bankcrm.relationships.service import graph as graph_service
from bankcrm.relationships.views.common import Flag, Form, _graph_json
from bankcrm.web.errors import form_errors, invalid
from bankcrm.web.templating import locale_of, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])

Reader = Annotated[Principal, Depends(require_web("customer.read"))]
Writer = Annotated[Principal, Depends(require_web("customer.write"))]
CifNo = Annotated[str, Path(pattern=r"^[0-9]{11}$")]

MAX_YUAN = Decimal(10**13)  # 10**15 fen, the API's bound
YUAN = re.compile(r"[0-9]{1,14}(\.[0-9]{1,2})?")
BAD_AMOUNT = N_("Enter an amount in yuan, not negative, with at most two decimals.")
FORM_FIELDS = ("link_type", "to_cif_no", "share_pct", "amount", "valid_from")


def _fen(text: str, errors: list[FieldError]) -> int | None:
    """Yuan as typed (``1234.5``, ``1,234.50``) to integer fen."""
    text = text.strip().replace(",", "").replace("，", "")
    if not text:
        return None
    if not YUAN.fullmatch(text) or Decimal(text) > MAX_YUAN:
        errors.append(FieldError("amount", BAD_AMOUNT))
        return None
    return int(Decimal(text) * 100)


def _day(text: str, errors: list[FieldError]) -> date | None:
    try:
        return parse_day(text)
    except InvalidValue as exc:
        errors.append(FieldError("valid_from", exc.msgid))
        return None


def _page(
    request: Request,
    db: Db,
    settings: AppSettings,
    principal: Principal,
    cif_no: str,
    *,
    saved: str | None = None,
    values: dict[str, str] | None = None,
    problems: dict[str, Any] | None = None,
    failed_link: int | None = None,
    code: int = 200,
) -> Response:
    data = service.links_page(db, principal, cif_no, today=today_in(settings.timezone), locale=locale_of(request))
    context = {
        "c": data.customer,
        "outgoing": [lk for lk in data.links if lk.direction == "outgoing"],
        "incoming": [lk for lk in data.links if lk.direction == "incoming"],
        "types": data.types,
        "locale": locale_of(request),
        "saved": saved,
        "values": values or {},
        "failed_link": failed_link,
        **(problems or {"errors": {}, "message": None}),
    }
    return render(request, "relationships/links.html", context, status=code)


@router.get("/customers/{cif_no}/links", response_class=HTMLResponse)
def links_page(
    request: Request, db: Db, settings: AppSettings, principal: Reader, cif_no: CifNo, saved: Flag = None
) -> Response:
    """A customer's links, outgoing and incoming, with a form to add one."""
    return _page(request, db, settings, principal, cif_no, saved=saved)


@router.get("/customers/{cif_no}/tabs/links", response_class=HTMLResponse)
def links_tab(request: Request, db: Db, settings: AppSettings, principal: Reader, cif_no: CifNo) -> Response:
    """The customer page's tab: the customer's links, the form to add one, links to the full page and the graph."""
    data = service.links_page(db, principal, cif_no, today=today_in(settings.timezone), locale=locale_of(request))
    context = {"c": data.customer, "links": data.links, "types": data.types, "locale": locale_of(request)}
    return render(request, "relationships/_tab.html", context)


@router.post("/customers/{cif_no}/links")
def link_create(
    request: Request, db: Db, settings: AppSettings, principal: Writer, cif_no: CifNo, form: Form
) -> Response:
    """Add a link (share in percent, amount in yuan on the form; fen in the service)."""
    try:
        problems: list[FieldError] = []
        amount = _fen(form.get("amount", ""), problems)
        valid_from = _day(form.get("valid_from", ""), problems)
        if problems:
            raise ValidationFailed(errors=problems)
        try:
            body = schemas.LinkCreate.model_validate(
                {
                    "to_cif_no": form.get("to_cif_no", "").strip(),
                    "link_type": form.get("link_type", ""),
                    "share_pct": form.get("share_pct", "").strip().rstrip("%").strip() or None,
                    "amount": amount,
                    "valid_from": valid_from,
                }
            )
        except ValidationError as exc:
            raise invalid(exc) from exc
        with db.begin_nested():
            service.create_link(
                db, principal, cif_no, body, today=today_in(settings.timezone), locale=locale_of(request)
            )
    except (ValidationFailed, Conflict) as exc:
        values = {k: form.get(k, "") for k in FORM_FIELDS}
        return _page(
            request, db, settings, principal, cif_no, values=values, problems=form_errors(request, exc), code=exc.status
        )
    return RedirectResponse(f"/customers/{cif_no}/links?saved=created", status_code=303)


@router.post("/customers/{cif_no}/links/{link_id}/end")
def link_end(
    request: Request, db: Db, settings: AppSettings, principal: Writer, cif_no: CifNo, link_id: EntityId
) -> Response:
    """End a link as of today in the bank's zone."""
    try:
        with db.begin_nested():
            service.end_link(
                db,
                principal,
                cif_no,
                link_id,
                schemas.LinkEnd(),
                today=today_in(settings.timezone),
                locale=locale_of(request),
            )
    except (ValidationFailed, Conflict) as exc:
        return _page(
            request,
            db,
            settings,
            principal,
            cif_no,
            problems=form_errors(request, exc),
            failed_link=link_id,
            code=exc.status,
        )
    return RedirectResponse(f"/customers/{cif_no}/links?saved=ended", status_code=303)


@router.get("/customers/{cif_no}/relationships", response_class=HTMLResponse)
def relationship_graph_page(
    request: Request, db: Db, settings: AppSettings, principal: Reader, cif_no: CifNo
) -> Response:
    """A customer's relationships to depth 2 as a graph."""
    graph = graph_service.customer_graph(
        db, principal, cif_no, today=today_in(settings.timezone), locale=locale_of(request)
    )
    center = next(n for n in graph.nodes if n.center)
    return render(request, "relationships/graph.html", {"center": center, "graph": _graph_json(graph)})
