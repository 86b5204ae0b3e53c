"""HTML pages: the 360° view of a customer with its vouchers, the task list, maturities per week, the loans list."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from bankcrm.access.deps import AppSettings, CifNo, Cipher, Db, EntityId, PageNo, csrf_protect
from bankcrm.access.deps import CustomerReader as Reader
from bankcrm.access.deps import PiiUnmasker as Unmasker
from bankcrm.access.deps import TaskWorker as Worker
from bankcrm.access.principal import Principal
from bankcrm.access.service import units as unit_service
from bankcrm.catalogue import service as catalogue
from bankcrm.errors import FieldError, ValidationFailed
from bankcrm.holdings import schemas
from bankcrm.holdings.service import cards, loans, tasks, view
from bankcrm.kit.listing import in_memory
from bankcrm.kit.money import Yuan, parse_yuan
from bankcrm.kit.pagination import MAX_PAGE, Page, PageRequest
from bankcrm.kit.time import BankDay, parse_day, today_in
from bankcrm.kit.validators import InvalidValue
from bankcrm.web import lists
from bankcrm.web.errors import form_errors
from bankcrm.web.forms import FormValues as Form
from bankcrm.web.forms import Rejected, submit_form, typed_fields, validated
from bankcrm.web.templating import locale_of, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
Text = Annotated[str, Query(max_length=20)]

TXN_PAGE_SIZE = 10  # the 360° view's first page of vouchers has the same size
TASK_PAGE_SIZE = 25
TASKS = schemas.TASK_LIST
TXNS = schemas.TRANSACTION_LIST
MATURITIES = schemas.MATURITY_LIST
LOANS = schemas.LOAN_LIST
# The tasks page's tabs: one per state of the task workflow (in lower case), then all of them.
TASK_STATUSES: dict[str, str | None] = {s.value.lower(): s.value for s in schemas.TaskState} | {"all": None}
OPEN_TAB = schemas.TaskState.OPEN.value.lower()  # the default tab
# Code tables the pages show labels of.
CODE_CATEGORIES = (
    "account_party_role",
    "account_status",
    "customer_status",
    "guarantee_type",
    "loan_class",
    "loan_status",
    "maturity_outcome",
    "followup_outcome",
    "product_category",
    "repayment_method",
    "task_kind",
    "txn_channel",
    "txn_purpose",
)


def _labels(db: Db, locale: str) -> dict[str, dict[str, str]]:
    """category → code → label in the reader's language."""
    return catalogue.code_labels(db, CODE_CATEGORIES, locale)


def _fen(text: str, field: str, errors: list[FieldError]) -> int | None:
    """Yuan as typed (``1234.5``, ``1,234.50``) to integer fen; a problem is added to ``errors``."""
    try:
        return parse_yuan(text)
    except InvalidValue as exc:
        errors.append(FieldError(field, exc.msgid))
        return None


def _day(text: str, field: str, errors: list[FieldError]) -> date | None:
    try:
        return parse_day(text)
    except InvalidValue as exc:
        errors.append(FieldError(field, exc.msgid))
        return None


def _series(items: list[schemas.MonthBalance]) -> dict[str, Any]:
    """Chart data: month labels and AUM in yuan (None where no balance was delivered: a gap)."""
    return {
        "months": [m.month for m in items],
        "values": [None if m.aum is None else float(Decimal(m.aum) / 100) for m in items],
    }


def _as_page(result: schemas.TransactionPage) -> Page[schemas.TransactionRead]:
    return Page(items=result.items, total=result.total, page=result.page, size=result.size)


@router.get("/customers/{cif_no}/360", response_class=HTMLResponse)
def customer_360(request: Request, db: Db, settings: AppSettings, principal: Reader, cif_no: CifNo) -> Response:
    """The 360° view: figures, holdings, loans, balance trend, maturities, open tasks, recent vouchers."""
    locale = locale_of(request)
    data = view.customer_view(db, principal, cif_no, locale, today_in(settings.timezone), settings.timezone)
    context = {
        "v": data,
        "labels": _labels(db, locale),
        "chart": _series(data.balance_series),
        "txns": _as_page(data.recent_transactions),
        "lq": lists.read(request, TXNS),  # the vouchers table's header links and export menu
        "params": {"since": "", "until": "", "min_amount": "", "max_amount": "", "channel": ""},
        "errors": {},
        "message": None,
    }
    return render(request, "holdings/view.html", context)


@router.get("/customers/{cif_no}/tabs/holdings", response_class=HTMLResponse)
def holdings_tab(request: Request, db: Db, settings: AppSettings, principal: Reader, cif_no: CifNo) -> Response:
    """The customer page's tab: the 360° view's figures and holdings, with a link to the whole view."""
    locale = locale_of(request)
    data = view.customer_view(db, principal, cif_no, locale, today_in(settings.timezone), settings.timezone)
    return render(request, "holdings/_tab.html", {"v": data, "labels": _labels(db, locale)})


@router.get("/customers/{cif_no}/360/transactions", response_class=HTMLResponse)
def customer_transactions(
    request: Request,
    db: Db,
    settings: AppSettings,
    principal: Reader,
    cif_no: CifNo,
    since: Text = "",
    until: Text = "",
    min_amount: Text = "",
    max_amount: Text = "",
    channel: Annotated[str, Query(max_length=12)] = "",
    page: PageNo = 1,
) -> Response:
    """The vouchers table (htmx): bank-calendar dates, amounts in yuan, channel; 422 with the errors shown."""
    lq = lists.read(request, TXNS)
    context: dict[str, Any] = {
        "cif_no": cif_no,
        "lq": lq,
        "params": lq.params(),
        "labels": _labels(db, locale_of(request)),
        "errors": {},
        "message": None,
    }
    problems: list[FieldError] = []
    since_day, until_day = _day(since, "since", problems), _day(until, "until", problems)
    low, high = _fen(min_amount, "min_amount", problems), _fen(max_amount, "max_amount", problems)
    if problems:
        failed = ValidationFailed(errors=problems)
        empty: Page[schemas.TransactionRead] = Page(items=[], total=0, page=1, size=TXN_PAGE_SIZE)
        return render(
            request,
            "holdings/transactions.html",
            {**context, "txns": empty, **form_errors(request, failed)},
            status=failed.status,
        )
    result = view.transactions(
        db,
        principal,
        cif_no,
        PageRequest(page, TXN_PAGE_SIZE),
        since=since_day,
        until=until_day,
        min_amount=low,
        max_amount=high,
        channel=channel.strip() or None,
        timezone=settings.timezone,
        sort=lq.sort,
    )
    return render(request, "holdings/transactions.html", {**context, "txns": _as_page(result)})


@router.get("/customers/{cif_no}/360/transactions/export.{fmt}")
def customer_transactions_export(
    request: Request, db: Db, settings: AppSettings, principal: Reader, cif_no: CifNo, fmt: str
) -> Response:
    """The customer's vouchers, filtered and in the list's order, as CSV or XLSX; a bad bound is a 422; audited."""
    lq = lists.read(request, TXNS)
    f = lq.filters
    problems: list[FieldError] = []
    since_day, until_day = _day(f["since"] or "", "since", problems), _day(f["until"] or "", "until", problems)
    low = _fen(f["min_amount"] or "", "min_amount", problems)
    high = _fen(f["max_amount"] or "", "max_amount", problems)
    if problems:
        raise ValidationFailed(errors=problems)
    result = view.transactions(
        db,
        principal,
        cif_no,
        PageRequest(1, TXNS.export_limit),
        since=since_day,
        until=until_day,
        min_amount=low,
        max_amount=high,
        channel=f["channel"],
        timezone=settings.timezone,
        sort=lq.sort,
    )
    detail = f"customer={cif_no} filters {lq.given}; sort={lq.sort.param}"
    return lists.export(request, db, principal, TXNS, fmt, result.items, detail=detail)


def _tasks_page(
    request: Request,
    db: Db,
    settings: AppSettings,
    principal: Principal,
    status: str,
    page: int,
    *,
    completed: int | None = None,
    failed_task: int | None = None,
    values: dict[str, str] | None = None,
    problems: dict[str, Any] | None = None,
    code: int = 200,
) -> Response:
    lq = lists.read(request, TASKS)  # a failed POST re-renders with the default order
    states = tasks.status_labels(db, locale_of(request))
    result = tasks.my_tasks(db, principal, lists.page_of(TASKS, page), TASK_STATUSES[status], lq.sort)
    context = {
        "lq": lq,
        "result": result,
        "items": tasks.reads(db, principal, result.items),
        "phones": tasks.phones(db, result.items, today_in(settings.timezone)),
        "status": status,
        "params": lq.params(status=status),
        "labels": _labels(db, locale_of(request)),
        "status_labels": states,
        "tabs": [(code.lower(), label) for code, label in states.items()],
        "S": schemas.TaskState,
        "outcomes": catalogue.code_table(db, "maturity_outcome"),
        "followup_outcomes": catalogue.code_table(db, "followup_outcome"),
        "completed": completed,
        "failed_task": failed_task,
        "values": values or {},
        **(problems or {"errors": {}, "message": None}),
    }
    return render(request, "holdings/tasks.html", context, status=code)


@router.get("/tasks", response_class=HTMLResponse)
def tasks_page(
    request: Request,
    db: Db,
    settings: AppSettings,
    principal: Worker,
    status: str = OPEN_TAB,
    page: PageNo = 1,
    completed: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:
    """The user's follow-up tasks, open ones soonest first, each with its outcome form."""
    status = status if status in TASK_STATUSES else OPEN_TAB
    return _tasks_page(request, db, settings, principal, status, page, completed=completed)


@router.get("/tasks/export.{fmt}")
def tasks_export(request: Request, db: Db, principal: Worker, fmt: str) -> Response:
    """The user's tasks of one status in the list's order as CSV or XLSX (names masked, notes left out); audited."""
    lq = lists.read(request, TASKS)
    status = lq.filters["status"] if lq.filters["status"] in TASK_STATUSES else OPEN_TAB
    page = PageRequest(1, TASKS.export_limit)
    result = tasks.my_tasks(db, principal, page, TASK_STATUSES[status], lq.sort)
    detail = f"status={status} sort={lq.sort.param}"
    return lists.export(request, db, principal, TASKS, fmt, tasks.reads(db, principal, result.items), detail=detail)


@router.post("/tasks/{task_id}")
def task_complete(
    request: Request, db: Db, settings: AppSettings, principal: Worker, task_id: EntityId, form: Form
) -> Response:
    """Record a maturity follow-up's outcome and the amount kept (yuan on the form, fen in the service)."""

    def parse() -> schemas.TaskOutcome:
        kept = typed_fields(form, amount_kept=Yuan)["amount_kept"]
        note = form.get("note", "").strip() or None
        return validated(
            schemas.TaskOutcome, {"outcome": form.get("outcome", ""), "amount_kept": kept or 0, "note": note}
        )

    def rerender(rejected: Rejected) -> Response:
        page = int(form["page"]) if form.get("page", "").isdigit() and 0 < int(form["page"]) <= MAX_PAGE else 1
        return _tasks_page(
            request,
            db,
            settings,
            principal,
            OPEN_TAB,
            page,
            failed_task=task_id,
            values=form,
            problems=rejected.problems,
            code=rejected.status,
        )

    return submit_form(
        request,
        db,
        parse,
        lambda outcome: tasks.complete(db, principal, task_id, outcome),
        redirect=f"/tasks?completed={task_id}",
        rerender=rerender,
    )


@router.post("/tasks/{task_id}/call", response_class=HTMLResponse)
def task_call(
    request: Request, db: Db, settings: AppSettings, cipher: Cipher, principal: Unmasker, task_id: EntityId
) -> Response:
    """Reveal the customer's phone as a ``tel:`` link (htmx), audited as the customer page's "Show" is."""
    phone = tasks.phone_to_call(db, principal, cipher, task_id, today_in(settings.timezone))
    return render(request, "holdings/_call.html", {"phone": phone, "task_id": task_id})


@router.get("/maturities", response_class=HTMLResponse)
def maturities_page(request: Request, db: Db, settings: AppSettings, principal: Reader) -> Response:
    """Funds maturing per week (8 back, 8 ahead) on customers in scope, and the share kept; the table sorts."""
    today = today_in(settings.timezone)
    lq = lists.read(request, MATURITIES)
    weeks = tasks.weekly_maturities(db, principal, today)
    table = in_memory(weeks, lq.sort)  # the chart stays in week order; the table follows the headers
    chart = {
        "weeks": [w.week_start.isoformat() for w in weeks],
        "maturing": [float(Decimal(w.maturing) / 100) for w in weeks],
        "followed": [float(Decimal(w.followed_amount) / 100) for w in weeks],
        "kept": [float(Decimal(w.kept) / 100) for w in weeks],
    }
    context = {"weeks": table, "chart": chart, "today": today, "lq": lq}
    return render(request, "holdings/maturities.html", context)


@router.get("/maturities/export.{fmt}")
def maturities_export(request: Request, db: Db, settings: AppSettings, principal: Reader, fmt: str) -> Response:
    """The weekly figures in the table's order as CSV or XLSX; audited."""
    lq = lists.read(request, MATURITIES)
    weeks = tasks.weekly_maturities(db, principal, today_in(settings.timezone), sort=lq.sort)
    return lists.export(request, db, principal, MATURITIES, fmt, weeks, detail=f"sort={lq.sort.param}")


@router.get("/home/cards/trend.json")
def trend_chart(db: Db, settings: AppSettings, principal: Reader) -> JSONResponse:
    """Chart data of the AUM trend card: the caller's scope at the last six month-ends (yuan as decimal text)."""
    today = BankDay.now(settings.timezone)
    return JSONResponse(cards.trend_series(cards.trend_card(db, principal, today)))


def _loans(request: Request, db: Db, principal: Principal, lq: lists.ListQuery, page: PageRequest) -> Page[Any]:
    f = lq.filters
    return loans.loan_list(
        db,
        principal,
        page,
        locale_of(request),
        sort=lq.sort,
        loan_class=f["loan_class"],
        status=f["status"],
        branch=f["branch"],
        product=f["product"],
    )


@router.get("/loans", response_class=HTMLResponse)
def loans_page(request: Request, db: Db, principal: Reader) -> Response:
    """Loan contracts of customers in scope, largest outstanding first; filter by class, status, branch, product."""
    lq = lists.read(request, LOANS)
    result = _loans(request, db, principal, lq, lq.page)
    template = "holdings/loans_table.html" if request.headers.get("hx-request") else "holdings/loans.html"
    context = {
        "result": result,
        "lq": lq,
        "filters": {k: v or "" for k, v in lq.filters.items()},
        "classes": catalogue.code_table(db, "loan_class"),
        "statuses": catalogue.code_table(db, "loan_status"),
        "units": unit_service.list_units(db, principal),
        "products": loans.loan_products(db),
    }
    return render(request, template, context)


@router.get("/loans/export.{fmt}")
def loans_export(request: Request, db: Db, principal: Reader, fmt: str) -> Response:
    """The filtered loans in the list's order as CSV or XLSX, numbers and names masked as on screen; audited."""
    lq = lists.read(request, LOANS)
    result = _loans(request, db, principal, lq, PageRequest(1, LOANS.export_limit))
    detail = f"filters {lq.given}; sort={lq.sort.param}"
    return lists.export(request, db, principal, LOANS, fmt, result.items, detail=detail)
