"""HTML pages: a customer's links and relationship graph."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from bankcrm.access.deps import AppSettings, CifNo, Db, EntityId, csrf_protect
from bankcrm.access.deps import CustomerReader as Reader
from bankcrm.access.deps import CustomerWriter as Writer
from bankcrm.access.principal import Principal
from bankcrm.kit.money import BusinessDate, Yuan
from bankcrm.kit.time import today_in
from bankcrm.relationships import schemas, service
from bankcrm.relationships.service import graph as graph_service
from bankcrm.relationships.views.common import Flag, _graph_json
from bankcrm.web.forms import FormValues as Form
from bankcrm.web.forms import no_input, submit_form, typed_fields, validated
from bankcrm.web.templating import locale_of, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])


FORM_FIELDS = ("link_type", "to_cif_no", "share_pct", "amount", "valid_from")


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

    def parse() -> schemas.LinkCreate:
        typed = typed_fields(form, amount=Yuan, valid_from=BusinessDate)
        return validated(
            schemas.LinkCreate,
            {
                "to_cif_no": form.get("to_cif_no", "").strip(),
                "link_type": form.get("link_type", ""),
                "share_pct": form.get("share_pct", "").strip().rstrip("%").strip() or None,
                **typed,
            },
        )

    values = {k: form.get(k, "") for k in FORM_FIELDS}
    return submit_form(
        request,
        db,
        parse,
        lambda body: service.create_link(
            db, principal, cif_no, body, today=today_in(settings.timezone), locale=locale_of(request)
        ),
        redirect=f"/customers/{cif_no}/links?saved=created",
        rerender=lambda r: _page(
            request, db, settings, principal, cif_no, values=values, problems=r.problems, code=r.status
        ),
    )


@router.post("/customers/{cif_no}/links/{link_id}/end")
def link_end(
    request: Request, db: Db, settings: AppSettings, principal: Writer, cif_no: CifNo, link_id: EntityId
) -> Response:
    """End a link as of today in the bank's zone."""
    return submit_form(
        request,
        db,
        no_input,
        lambda _: service.end_link(
            db,
            principal,
            cif_no,
            link_id,
            schemas.LinkEnd(),
            today=today_in(settings.timezone),
            locale=locale_of(request),
        ),
        redirect=f"/customers/{cif_no}/links?saved=ended",
        rerender=lambda r: _page(
            request, db, settings, principal, cif_no, problems=r.problems, failed_link=link_id, code=r.status
        ),
    )


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
