"""JSON API: the 360° view, a customer's vouchers, tasks and their outcomes, maturities per week, loans."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from bankcrm.access.deps import ApiCustomerReader as Reader
from bankcrm.access.deps import ApiTaskWorker as Worker
from bankcrm.access.deps import AppSettings, CifNo, Db, EntityId, PageNo
from bankcrm.holdings import schemas
from bankcrm.holdings.service import loans, tasks, view
from bankcrm.kit.time import Day, today_in
from bankcrm.web import lists
from bankcrm.web.templating import locale_of

router = APIRouter(tags=["holdings"])
Amount = Annotated[int | None, Query(ge=0, le=10**15, description="fen")]


@router.get("/customers/{cif_no}/view", response_model=schemas.CustomerView)
def customer_view(
    request: Request, db: Db, settings: AppSettings, caller: Reader, cif_no: CifNo
) -> schemas.CustomerView:
    """The 360° view of one customer in the caller's scope (masked; money in fen)."""
    return view.customer_view(db, caller, cif_no, locale_of(request), today_in(settings.timezone), settings.timezone)


@router.get("/customers/{cif_no}/transactions", response_model=schemas.TransactionPage)
def customer_transactions(
    db: Db,
    settings: AppSettings,
    caller: Reader,
    cif_no: CifNo,
    since: Day | None = None,
    until: Day | None = None,
    min_amount: Amount = None,
    max_amount: Amount = None,
    channel: Annotated[str | None, Query(max_length=12)] = None,
    page: PageNo = 1,
    size: Annotated[int, Query(ge=1, le=200)] = 25,
    sort: Annotated[
        str | None,
        Query(max_length=200, description="txn_time, amount, channel, counterparty, purpose, voucher_no; '-' desc"),
    ] = None,
) -> schemas.TransactionPage:
    """A customer's vouchers, newest first unless ``sort`` says otherwise (ties by voucher number).

    Filtered by bank-calendar dates, amount (fen) and channel.
    """
    spec = schemas.TRANSACTION_LIST
    return view.transactions(
        db,
        caller,
        cif_no,
        lists.page_of(spec, page, size),
        sort=lists.sort_of(spec, sort),
        since=since,
        until=until,
        min_amount=min_amount,
        max_amount=max_amount,
        channel=channel,
        timezone=settings.timezone,
    )


@router.get("/tasks", response_model=schemas.TaskPage)
def my_tasks(
    db: Db,
    caller: Worker,
    status: schemas.TaskState | None = None,
    page: PageNo = 1,
    size: Annotated[int, Query(ge=1, le=200)] = 25,
    sort: Annotated[str | None, Query(max_length=200, description="Column keys, '-' descending; ties by id")] = None,
) -> schemas.TaskPage:
    """The caller's tasks, open first and soonest first unless ``sort`` says otherwise."""
    spec = schemas.TASK_LIST
    result = tasks.my_tasks(db, caller, lists.page_of(spec, page, size), status, lists.sort_of(spec, sort))
    return schemas.TaskPage.of(result, tasks.reads(db, caller, result.items))


@router.post("/tasks/{task_id}/outcome", response_model=schemas.TaskRead)
def complete_task(db: Db, caller: Worker, task_id: EntityId, body: schemas.TaskOutcome) -> schemas.TaskRead:
    """Record how a maturity follow-up ended and the amount kept (fen)."""
    task = tasks.complete(db, caller, task_id, body)
    return tasks.reads(db, caller, [(task, tasks.customer_of(db, task))])[0]


@router.get("/maturities/weekly", response_model=list[schemas.WeekRead])
def weekly_maturities(
    db: Db,
    settings: AppSettings,
    caller: Reader,
    sort: Annotated[
        str | None,
        Query(max_length=200, description="week_start, maturing, tasks, done, followed_amount, kept, retained_share"),
    ] = None,
) -> list[schemas.WeekRead]:
    """Funds maturing per week on customers in the caller's scope, and the share retained; by week unless ``sort``."""
    order = lists.sort_of(schemas.MATURITY_LIST, sort)
    weeks = tasks.weekly_maturities(db, caller, today_in(settings.timezone), sort=order)
    return [
        schemas.WeekRead(
            week_start=w.week_start,
            maturing=w.maturing,
            tasks=w.tasks,
            done=w.done,
            followed_amount=w.followed_amount,
            kept=w.kept,
            retained_share=w.retained_share,
        )
        for w in weeks
    ]


@router.get("/loans", response_model=schemas.LoanPage)
def loan_list(
    request: Request,
    db: Db,
    caller: Reader,
    loan_class: Annotated[str | None, Query(max_length=20, description="five-category class code")] = None,
    status: Annotated[str | None, Query(max_length=12)] = None,
    branch: Annotated[str | None, Query(max_length=20, description="unit code: loans booked there or below")] = None,
    product: Annotated[str | None, Query(max_length=20)] = None,
    page: PageNo = 1,
    size: Annotated[int, Query(ge=1, le=200)] = 25,
    sort: Annotated[
        str | None,
        Query(
            max_length=200,
            description="cif_no, product_code, unit_code, classification, status, outstanding, days_overdue, "
            "maturity_date, id; '-' descending",
        ),
    ] = None,
) -> schemas.LoanPage:
    """Loan contracts of customers in the caller's scope (numbers masked; money in minor units), largest first."""
    spec = schemas.LOAN_LIST
    result = loans.loan_list(
        db,
        caller,
        lists.page_of(spec, page, size),
        locale_of(request),
        sort=lists.sort_of(spec, sort),
        loan_class=loan_class,
        status=status,
        branch=branch,
        product=product,
    )
    return schemas.LoanPage.of(result)
