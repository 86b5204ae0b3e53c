"""HTML pages of opportunities: the board (drag a card to another stage), the list with filters and export,
one opportunity with its history, the new-opportunity form."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from bankcrm.access.deps import AppSettings, Db, EntityId, csrf_protect
from bankcrm.access.principal import Principal
from bankcrm.catalogue import service as catalogue_service
from bankcrm.kit.money import parse_yuan
from bankcrm.kit.pagination import PageRequest
from bankcrm.kit.time import today_in
from bankcrm.kit.validators import InvalidValue
from bankcrm.sales import catalogue, schemas
from bankcrm.sales.deps import Reader, Writer
from bankcrm.sales.service import activities, opportunities, reads
from bankcrm.web import lists
from bankcrm.web.forms import FormValues as Form
from bankcrm.web.forms import submit_form, validated
from bankcrm.web.templating import locale_of, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
SPEC = schemas.OPPORTUNITY_LIST
Owner = Annotated[int | None, Query(ge=1, le=2**31 - 1)]
CLOSE_CODES = ("opportunity_loss_reason", "competitor")


@router.get("/opportunities/board", response_class=HTMLResponse)
def board_page(request: Request, db: Db, principal: Reader, owner: Owner = None) -> Response:
    """The pipeline board: a column per stage with counts, amounts and the first cards; the weighted pipeline."""
    b = opportunities.board(db, principal, owner, locale_of(request))
    context = {"b": b, "owner": owner, "owners": reads.owners(db, principal), "can_move": principal.can(schemas.WRITE)}
    return render(request, "sales/board.html", context)


@router.post("/opportunities/{opportunity_id}/stage")
def move_stage(
    request: Request, db: Db, settings: AppSettings, principal: Writer, opportunity_id: EntityId, form: Form
) -> Response:
    """A stage move from the board (JSON answer) or the opportunity page (back to it)."""
    body = validated(schemas.StageMove, {k: v for k, v in form.items() if k != "csrf_token" and v != ""})
    today = today_in(settings.timezone)
    if request.headers.get("accept", "").startswith("application/json"):
        d = opportunities.move(db, principal, opportunity_id, body, today=today, locale=locale_of(request))
        return JSONResponse({"id": d.id, "stage": d.stage, "probability_pct": d.probability_pct})
    return submit_form(
        request,
        db,
        lambda: body,
        lambda b: opportunities.move(db, principal, opportunity_id, b, today=today, locale=locale_of(request)),
        redirect=f"/opportunities/{opportunity_id}",
        rerender=lambda r: _detail(request, db, principal, opportunity_id, problems=r.problems, code=r.status),
    )


@router.post("/opportunities/{opportunity_id}/confirm-win")
def confirm_win(
    request: Request, db: Db, settings: AppSettings, principal: Writer, opportunity_id: EntityId
) -> Response:
    """Confirm the win the holdings proposed, with the actual amount."""
    today = today_in(settings.timezone)
    return submit_form(
        request,
        db,
        lambda: None,
        lambda _: opportunities.confirm_win(db, principal, opportunity_id, today=today, locale=locale_of(request)),
        redirect=f"/opportunities/{opportunity_id}",
        rerender=lambda r: _detail(request, db, principal, opportunity_id, problems=r.problems, code=r.status),
    )


@router.get("/opportunities", response_class=HTMLResponse)
def list_page(request: Request, db: Db, principal: Reader) -> Response:
    """Opportunities in scope with filters, sortable columns, paging and export."""
    lq = lists.read(request, SPEC)
    locale = locale_of(request)
    result = opportunities.listing(db, principal, lq.filters, lq.sort, lq.page, locale)
    context = {
        "lq": lq,
        "result": result,
        "filters": lq.filters,
        "stages": catalogue.stages(),
        "owners": reads.owners(db, principal),
        "locale": locale,
    }
    return render(request, "sales/list.html", context)


@router.get("/opportunities/export.{fmt}")
def export(request: Request, db: Db, principal: Reader, fmt: str) -> Response:
    """The filtered list as CSV or XLSX (at most the list's export limit), audited."""
    lq = lists.read(request, SPEC)
    page = PageRequest(1, SPEC.export_limit)
    result = opportunities.listing(db, principal, lq.filters, lq.sort, page, locale_of(request))
    detail = f"filters {lq.given}; sort={lq.sort.param}"
    return lists.export(request, db, principal, SPEC, fmt, result.items, detail=detail)


def _form_page(
    request: Request, db: Db, values: dict[str, str], problems: dict[str, Any] | None, code: int
) -> Response:
    context = {
        "values": values,
        "products": reads.products(db),
        "stages": [s for s in catalogue.stages() if s.outcome == catalogue.OPEN],
        "locale": locale_of(request),
        **(problems or {"errors": {}, "message": None}),
    }
    return render(request, "sales/new.html", context, status=code)


@router.get("/opportunities/new", response_class=HTMLResponse)
def new_page(
    request: Request, db: Db, principal: Writer, cif_no: Annotated[str | None, Query(max_length=32)] = None
) -> Response:
    """The form to open an opportunity (the customer prefilled from the customer page)."""
    return _form_page(request, db, {"cif_no": cif_no or ""}, None, 200)


@router.post("/opportunities")
def create(request: Request, db: Db, principal: Writer, form: Form) -> Response:
    """Open an opportunity from the form (amount typed in yuan)."""

    def parse() -> schemas.OpportunityCreate:
        data: dict[str, Any] = {k: v for k, v in form.items() if k != "csrf_token" and v.strip() != ""}
        try:
            data["amount"] = parse_yuan(form.get("amount", ""))
        except InvalidValue:
            data["amount"] = "x"  # fails the model's integer check, naming ``amount``
        return validated(schemas.OpportunityCreate, data)

    return submit_form(
        request,
        db,
        parse,
        lambda body: opportunities.create(db, principal, body, locale_of(request)),
        redirect=lambda d: f"/opportunities/{d.id}",
        rerender=lambda r: _form_page(request, db, dict(form), r.problems, r.status),
    )


def _detail(
    request: Request,
    db: Db,
    principal: Principal,
    opportunity_id: int,
    *,
    problems: dict[str, Any] | None = None,
    code: int = 200,
) -> Response:
    locale = locale_of(request)
    o = reads.detail(db, principal, opportunity_id, locale)
    acts = activities.listing(db, principal, PageRequest(1, 50), locale, opportunity_id=o.id)
    context = {
        "o": o,
        "activities": acts.items,
        "stages": catalogue.stages(),
        "codes": catalogue_service.code_labels(db, CLOSE_CODES, locale),
        "can_move": principal.can(schemas.WRITE) and o.outcome == catalogue.OPEN,
        "lost": catalogue.lost_code(),
        "locale": locale,
        "won": catalogue.won_code(),
        **(problems or {"errors": {}, "message": None}),
    }
    return render(request, "sales/detail.html", context, status=code)


@router.get("/opportunities/{opportunity_id}", response_class=HTMLResponse)
def detail_page(request: Request, db: Db, principal: Reader, opportunity_id: EntityId) -> Response:
    """One opportunity in scope: figures, stage history, activities, moving it, closing it, a proposed win."""
    return _detail(request, db, principal, opportunity_id)
