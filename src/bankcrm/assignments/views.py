"""HTML pages: a customer's managers (change form), portfolios (bulk transfer), manager-change requests."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from bankcrm.access.deps import AppSettings, CifNo, Db, EntityId, PageNo, csrf_protect
from bankcrm.access.deps import AssignmentMaker as Maker
from bankcrm.access.deps import CustomerReader as Reader
from bankcrm.access.principal import Principal
from bankcrm.assignments import schemas
from bankcrm.assignments.service import reads, requests
from bankcrm.catalogue import service as catalogue
from bankcrm.errors import FieldError, ValidationFailed
from bankcrm.kit.i18n import N_
from bankcrm.kit.money import BAD_PERCENT, parse_percent, percent_text
from bankcrm.kit.pagination import Page, PageRequest
from bankcrm.kit.time import today_in
from bankcrm.kit.validators import InvalidValue
from bankcrm.web import lists
from bankcrm.web.forms import submit_form, validated
from bankcrm.web.templating import locale_of, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
Username = Annotated[str, Path(min_length=1, max_length=40)]
REQUESTS = schemas.ASSIGNMENT_REQUEST_LIST
PORTFOLIO = schemas.PORTFOLIO_LIST
Flag = Annotated[str | None, Query(max_length=10)]

ROWS = 5  # manager rows on the change form
BAD_MANAGER = N_("Choose an active account manager.")


async def _form(request: Request) -> FormData:
    return await request.form()


Form = Annotated[FormData, Depends(_form)]


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 10 else None


def _share_bp(text: str) -> int | None:
    """A percentage as typed (``70``, ``33.5``, ``70%``) to basis points; None when blank or bad."""
    try:
        return parse_percent(text)
    except InvalidValue:
        return None


def _managers_from(form: FormData) -> list[dict[str, Any]]:
    """Manager rows of the change form (empty rows skipped); the primary is the row the radio names."""
    rows: list[dict[str, Any]] = []
    problems: list[FieldError] = []
    primary = _text(form, "primary")
    for i in range(ROWS):
        manager, share = _text(form, f"manager_{i}"), _text(form, f"share_{i}")
        if not manager and not share:
            continue
        index = len(rows)
        manager_id, share_bp = _int(manager), _share_bp(share)
        if manager_id is None:
            problems.append(FieldError(f"managers.{index}.manager_id", BAD_MANAGER))
        if share_bp is None:
            problems.append(FieldError(f"managers.{index}.share_bp", BAD_PERCENT))
        rows.append(
            {"manager_id": manager_id or 0, "share_bp": share_bp or 0, "role": "primary" if primary == str(i) else "co"}
        )
    if problems:
        raise ValidationFailed(errors=problems)
    return rows


def _managers_page(
    request: Request,
    db: Db,
    settings: AppSettings,
    principal: Principal,
    cif_no: str,
    *,
    saved: str | None = None,
    values: dict[str, str] | None = None,
    problems: dict[str, Any] | None = None,
    code: int = 200,
) -> Response:
    data = reads.customer_managers(db, principal, cif_no, today=today_in(settings.timezone))
    if values is None:
        values = {"primary": "0"}
        for i, a in enumerate(data.current):
            values[f"manager_{i}"] = str(a.manager_id)
            values[f"share_{i}"] = percent_text(a.share_bp)
            if a.role == "primary":
                values["primary"] = str(i)
    context = {
        "m": data,
        "choices": reads.manager_choices(db, principal),
        "rows": ROWS,
        "values": values,
        "saved": saved,
        **(problems or {"errors": {}, "message": None}),
    }
    return render(request, "assignments/managers.html", context, status=code)


@router.get("/customers/{cif_no}/managers", response_class=HTMLResponse)
def managers_page(
    request: Request, db: Db, settings: AppSettings, principal: Reader, cif_no: CifNo, saved: Flag = None
) -> Response:
    """A customer's managers today, the history of assignments, and the change form."""
    return _managers_page(request, db, settings, principal, cif_no, saved=saved)


@router.get("/customers/{cif_no}/tabs/managers", response_class=HTMLResponse)
def managers_tab(request: Request, db: Db, settings: AppSettings, principal: Maker, cif_no: CifNo) -> Response:
    """The customer page's tab: the customer's managers today and any change waiting, with a link to change them."""
    data = reads.customer_managers(db, principal, cif_no, today=today_in(settings.timezone))
    return render(request, "assignments/_tab.html", {"m": data})


@router.post("/customers/{cif_no}/managers")
def managers_request(
    request: Request, db: Db, settings: AppSettings, principal: Maker, cif_no: CifNo, form: Form
) -> Response:
    """File a change of the customer's managers for approval."""
    values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    return submit_form(
        request,
        db,
        lambda: validated(schemas.ChangeCreate, {"managers": _managers_from(form), "reason": _text(form, "reason")}),
        lambda body: requests.submit_change(db, principal, cif_no, body, today=today_in(settings.timezone)),
        redirect=lambda filed: f"/assignments/requests/{filed.id}?submitted=1",
        rerender=lambda r: _managers_page(
            request, db, settings, principal, cif_no, values=values, problems=r.problems, code=r.status
        ),
    )


@router.get("/portfolio", response_class=HTMLResponse)
def my_portfolio(request: Request, db: Db, principal: Maker) -> Response:
    """An account manager's own portfolio; anyone else picks a manager."""
    if "account_manager" in principal.roles:
        return RedirectResponse(f"/managers/{principal.username}/portfolio", status_code=303)
    return render(request, "assignments/managers_list.html", {"choices": reads.visible_managers(db, principal)})


def _portfolio_page(
    request: Request,
    db: Db,
    settings: AppSettings,
    principal: Principal,
    username: str,
    page: int,
    *,
    values: dict[str, Any] | None = None,
    problems: dict[str, Any] | None = None,
    code: int = 200,
) -> Response:
    user = reads.manager_by_username(db, principal, username)
    lq = lists.read(request, PORTFOLIO)
    today = today_in(settings.timezone)
    data = reads.portfolio(db, principal, user.id, lists.page_of(PORTFOLIO, page), today=today, sort=lq.sort)
    context = {
        "lq": lq,
        "p": data,
        "result": Page(data.items, data.total, data.page, data.size),
        "choices": [c for c in reads.manager_choices(db, principal) if c.id != user.id],
        "statuses": catalogue.labels_of(db, "customer_status", locale_of(request)),
        "values": values or {},
        **(problems or {"errors": {}, "message": None}),
    }
    return render(request, "assignments/portfolio.html", context, status=code)


@router.get("/managers/{username}/portfolio", response_class=HTMLResponse)
def portfolio_page(
    request: Request, db: Db, settings: AppSettings, principal: Reader, username: Username, page: PageNo = 1
) -> Response:
    """A manager's customers in the viewer's scope, figures, counts by status, and the bulk transfer form."""
    return _portfolio_page(request, db, settings, principal, username, page)


@router.get("/managers/{username}/portfolio/export.{fmt}")
def portfolio_export(
    request: Request, db: Db, settings: AppSettings, principal: Reader, username: Username, fmt: str
) -> Response:
    """The manager's customers in the viewer's scope, in the list's order, as CSV or XLSX (names masked); audited."""
    user = reads.manager_by_username(db, principal, username)
    lq = lists.read(request, PORTFOLIO)
    page = PageRequest(1, PORTFOLIO.export_limit)
    data = reads.portfolio(db, principal, user.id, page, today=today_in(settings.timezone), sort=lq.sort)
    detail = f"manager={user.username} sort={lq.sort.param}"
    return lists.export(request, db, principal, PORTFOLIO, fmt, data.items, detail=detail)


@router.post("/managers/{username}/portfolio/transfer")
def portfolio_transfer(
    request: Request, db: Db, settings: AppSettings, principal: Maker, username: Username, form: Form
) -> Response:
    """File the hand-over of the ticked customers (or all of them) to another manager."""
    user = reads.manager_by_username(db, principal, username)
    everyone = _text(form, "scope") == "all"
    chosen = [v for v in form.getlist("cif_no") if isinstance(v, str)]
    values = {"to_manager_id": _text(form, "to_manager_id"), "reason": _text(form, "reason"), "cif_nos": chosen}

    def parse() -> schemas.TransferCreate:
        if not everyone and not chosen:
            raise ValidationFailed(
                errors=[FieldError("cif_nos", N_("Tick the customers to hand over, or choose all."))]
            )
        return validated(
            schemas.TransferCreate,
            {
                "from_manager_id": user.id,
                "to_manager_id": _int(_text(form, "to_manager_id")) or 0,
                "cif_nos": None if everyone else chosen,
                "reason": _text(form, "reason"),
            },
        )

    return submit_form(
        request,
        db,
        parse,
        lambda body: requests.submit_transfer(db, principal, body, today=today_in(settings.timezone)),
        redirect=lambda filed: f"/assignments/requests/{filed.id}?submitted=1",
        rerender=lambda r: _portfolio_page(
            request, db, settings, principal, username, 1, values=values, problems=r.problems, code=r.status
        ),
    )


@router.get("/assignments/requests", response_class=HTMLResponse)
def requests_page(request: Request, db: Db, principal: Maker) -> Response:
    """Checkers: manager changes waiting in their units; makers: their own; sortable by column."""
    lq = lists.read(request, REQUESTS)
    status = _inbox_status(lq)
    result = requests.inbox(db, principal, lq.page, status, lq.sort)
    items = [reads.request_read(db, principal, r) for r in result.items]
    tabs = requests.status_labels(db, locale_of(request))
    context = {"result": result, "items": items, "status": status, "tabs": tabs, "lq": lq}
    return render(request, "assignments/requests.html", context)


@router.get("/assignments/requests/export.{fmt}")
def requests_export(request: Request, db: Db, principal: Reader, fmt: str) -> Response:
    """The manager changes (one status, the list's order) as CSV or XLSX; audited."""
    lq = lists.read(request, REQUESTS)
    status = _inbox_status(lq)
    result = requests.inbox(db, principal, PageRequest(1, REQUESTS.export_limit), status, lq.sort)
    items = [reads.request_read(db, principal, r) for r in result.items]
    detail = f"status={status} sort={lq.sort.param}"
    return lists.export(request, db, principal, REQUESTS, fmt, items, detail=detail)


def _inbox_status(lq: lists.ListQuery) -> str:
    """The page's lenient reading: any other status shows the waiting requests."""
    status = lq.filters["status"]
    return status if status in {s.value for s in schemas.RequestStatus} else schemas.RequestStatus.SUBMITTED.value


def _request_page(
    request: Request,
    db: Db,
    principal: Principal,
    request_id: int,
    *,
    submitted: int = 0,
    problems: Any = None,
    code: int = 200,
) -> Response:
    r = reads.request_read(db, principal, requests.get_request(db, principal, request_id))
    context = {
        "r": r,
        "submitted": submitted,
        **(problems or {"errors": {}, "message": None}),
        "status_labels": requests.status_labels(db, locale_of(request)),
        "badges": schemas.STATUS_BADGES,
        "can_decide": requests.can_decide(db, principal, r.status),
    }
    return render(request, "assignments/request.html", context, status=code)


@router.get("/assignments/requests/{request_id}", response_class=HTMLResponse)
def request_page(request: Request, db: Db, principal: Reader, request_id: EntityId, submitted: int = 0) -> Response:
    """One request, each customer's managers before and after, and the decision form for checkers."""
    return _request_page(request, db, principal, request_id, submitted=submitted)


@router.post("/assignments/requests/{request_id}")
def request_decide(
    request: Request, db: Db, settings: AppSettings, principal: Reader, request_id: EntityId, form: Form
) -> Response:
    """Approve or reject; errors come back on the same page."""
    return submit_form(
        request,
        db,
        lambda: schemas.Decision(approve=_text(form, "decision") == "approve", reason=_text(form, "reason") or None),
        lambda decision: requests.decide(db, principal, request_id, decision, today=today_in(settings.timezone)),
        redirect=f"/assignments/requests/{request_id}",
        rerender=lambda r: _request_page(request, db, principal, request_id, problems=r.problems, code=r.status),
    )
