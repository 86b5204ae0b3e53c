"""Follow-up tasks: maturities raised nightly, lifecycle playbook tasks; worked with an outcome, summed per week."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from bankcrm.access.principal import Actor, Principal
from bankcrm.audit import service as audit_service
from bankcrm.customers.service import phones as customer_phones
from bankcrm.customers.service import reads as customer_reads
from bankcrm.errors import Conflict, FieldError, NotFound, ValidationFailed
from bankcrm.holdings import repository
from bankcrm.holdings.schemas import TaskOutcome, TaskRead
from bankcrm.holdings.service.view import task_read
from bankcrm.kit.crypto import FieldCipher
from bankcrm.kit.i18n import N_
from bankcrm.kit.listing import SortSpec, in_memory
from bankcrm.kit.pagination import Page, PageRequest
from bankcrm.kit.time import utcnow
from bankcrm.models.customer import Customer
from bankcrm.models.task import Task, TaskStatus
from bankcrm.workflow import service as workflow_service

OUTCOMES = ("RENEWED", "OTHER_PRODUCT", "WITHDRAWN", "OTHER_BANK")
MATURITY = "MATURITY"  # task_kind: the maturity follow-up; every other kind is a playbook follow-up
FOLLOWUP_OUTCOMES = ("TAKEN_UP", "CONTACTED", "DECLINED", "NOT_REACHED")
WORKFLOW = "task"
ALREADY_DONE = N_("This task is already done.")


@dataclass(frozen=True)
class TaskRun:
    """What the maturity step of the nightly batch did."""

    created: int
    escalated: int


def window_for(days_left: int, windows: tuple[int, ...]) -> int | None:
    """The tightest reminder window that contains a maturity ``days_left`` away, or None if none does."""
    inside = [w for w in windows if days_left <= w]
    return min(inside) if inside else None


def raise_maturity_tasks(db: Session, today: date, windows: tuple[int, ...]) -> TaskRun:
    """One task per holding and maturity date inside the widest window; rerunning never duplicates.

    A task raised at 30 days is escalated (window_days lowered) when the 7- and 1-day windows arrive.
    """
    if not windows:
        return TaskRun(0, 0)
    end = today + timedelta(days=max(windows))
    existing = repository.maturity_tasks(db, today, end)
    created = escalated = 0
    holdings: list[tuple[str, int, date, int, str, Customer]] = []
    for account, customer in repository.maturing_accounts(db, today, end):
        assert account.maturity_date is not None
        holdings.append(("account", account.id, account.maturity_date, account.balance, account.product_code, customer))
    for loan, customer in repository.maturing_loans(db, today, end):
        holdings.append(("loan", loan.id, loan.maturity_date, loan.outstanding, loan.product_code, customer))
    for kind, holding_id, maturity, amount, product, customer in holdings:
        window = window_for((maturity - today).days, windows)
        if window is None:
            continue
        task = existing.get((kind, holding_id, maturity))
        if task is None:
            repository.add(
                db,
                Task(
                    kind="MATURITY",
                    customer_id=customer.id,
                    assignee_id=customer.account_manager_id,
                    holding_kind=kind,
                    holding_id=holding_id,
                    product_code=product,
                    maturity_date=maturity,
                    window_days=window,
                    due_date=maturity,
                    amount_due=amount,
                    status=TaskStatus.OPEN.value,
                ),
            )
            created += 1
        elif task.status == TaskStatus.OPEN and (task.window_days or 0) > window:
            task.window_days = window
            escalated += 1
    db.flush()
    return TaskRun(created, escalated)


def my_tasks(
    db: Session, principal: Principal, page: PageRequest, status: str | None, sort: SortSpec | None = None
) -> Page[tuple[Task, Customer]]:
    """The principal's tasks (and unassigned ones on customers in their scope), soonest first by default."""
    return repository.tasks_for(db, principal, page, status, sort)


def status_labels(db: Session, locale: str) -> dict[str, str]:
    """Task statuses' labels in the reader's language, in the workflow's display order."""
    return workflow_service.labels(db, WORKFLOW, locale)


def customer_of(db: Session, task: Task) -> Customer:
    """The customer a task is about."""
    customer = db.get(Customer, task.customer_id)
    assert customer is not None
    return customer


def reads(db: Session, principal: Principal, rows: list[tuple[Task, Customer]]) -> list[TaskRead]:
    """Tasks with their customers' CIF numbers and names as the reader may see them."""
    names = {s.cif_no: s.name for s in customer_reads.summaries(db, principal, [c for _, c in rows])}
    return [task_read(t, c, names[c.cif_no]) for t, c in rows]


def _workable(db: Session, principal: Principal, task_id: int) -> tuple[Task, Customer]:
    """A task the principal may work: on a customer in scope, theirs or unassigned (or they approve)."""
    task = repository.task(db, task_id)
    if task is None:
        raise NotFound(N_("No such task."))
    customer = customer_of(db, task)
    customer_reads.get_customer(db, principal, customer.cif_no)  # 404 (audited) outside the principal's scope
    if task.assignee_id not in (None, principal.user_id) and not principal.can("customer.approve"):
        raise NotFound(N_("No such task."))
    return task, customer


def phones(db: Session, rows: list[tuple[Task, Customer]], today: date) -> dict[str, str]:
    """CIF number → the masked phone to call, for the customers of a page of tasks."""
    return customer_phones.masked_phones(db, [c for _, c in rows], today)


def phone_to_call(db: Session, principal: Principal, cipher: FieldCipher, task_id: int, today: date) -> str:
    """The phone (E.164) of a task's customer in clear, for a ``tel:`` link; needs ``pii.unmask``; audited."""
    _, customer = _workable(db, principal, task_id)
    return customer_phones.phone_to_call(db, principal, cipher, customer.cif_no, today)


def complete(db: Session, principal: Principal, task_id: int, outcome: TaskOutcome) -> Task:
    """Record a task's outcome (and a maturity's amount kept); only on a customer the principal may read."""
    task, _ = _workable(db, principal, task_id)
    if task.status != TaskStatus.OPEN:
        raise Conflict(ALREADY_DONE)  # before the outcome is checked: a done task needs no corrections
    if task.kind != MATURITY:
        _check_followup(outcome)
    elif outcome.outcome not in OUTCOMES:
        raise ValidationFailed(errors=[FieldError("outcome", N_("Choose how the maturity ended."))])
    if outcome.outcome in ("WITHDRAWN", "OTHER_BANK") and outcome.amount_kept:
        raise ValidationFailed(
            errors=[FieldError("amount_kept", N_("Nothing is kept when the money is withdrawn or moved away."))]
        )
    if task.amount_due is not None and outcome.amount_kept > task.amount_due:
        # New money the customer adds is a sale, not retention: the share kept is at most 100 %.
        raise ValidationFailed(
            errors=[FieldError("amount_kept", N_("The amount kept cannot be more than the amount maturing."))]
        )
    before = {"status": task.status}
    workflow_service.move(db, principal, WORKFLOW, task, TaskStatus.DONE, refusal=ALREADY_DONE)
    task.outcome = outcome.outcome
    task.amount_kept = outcome.amount_kept if task.kind == MATURITY else None
    task.note = outcome.note
    task.completed_at = utcnow()
    task.completed_by = principal.user_id
    db.flush()
    audit_service.record(
        db,
        Actor.of(principal),
        "task.completed",
        entity_type="task",
        entity_id=task.id,
        changes=audit_service.diff(
            before, {"status": TaskStatus.DONE, "outcome": task.outcome, "amount_kept": task.amount_kept}
        ),
    )
    return task


def _check_followup(outcome: TaskOutcome) -> None:
    """A playbook follow-up (welcome call, cross-sell, retention visit) ends with a followup_outcome and no amount."""
    errors = []
    if outcome.outcome not in FOLLOWUP_OUTCOMES:
        errors.append(FieldError("outcome", N_("Choose how the follow-up went: a maturity outcome does not apply.")))
    if outcome.amount_kept:
        errors.append(FieldError("amount_kept", N_("A follow-up call or visit keeps no amount.")))
    if errors:
        raise ValidationFailed(errors=errors)


@dataclass(frozen=True)
class WeekFigure:
    """Funds maturing in one week of a portfolio and the share kept of those already followed up."""

    week_start: date
    maturing: int
    tasks: int
    done: int
    followed_amount: int
    kept: int

    @property
    def retained_share(self) -> float | None:
        """Kept ÷ amount of the followed-up maturities, or None when none is done yet."""
        return self.kept / self.followed_amount if self.followed_amount else None


def weekly_maturities(
    db: Session,
    principal: Principal,
    today: date,
    weeks_back: int = 8,
    weeks_ahead: int = 8,
    sort: SortSpec | None = None,
) -> list[WeekFigure]:
    """Per ISO week (Monday first), funds maturing on customers in scope and the share retained; by week."""
    monday = today - timedelta(days=today.weekday())
    start = monday - timedelta(weeks=weeks_back)
    end = monday + timedelta(weeks=weeks_ahead)
    buckets: dict[date, list[Task]] = defaultdict(list)
    for task in repository.maturity_tasks_between(db, principal, start, end):
        assert task.maturity_date is not None
        buckets[task.maturity_date - timedelta(days=task.maturity_date.weekday())].append(task)
    out = []
    for i in range(weeks_back + weeks_ahead):
        week = start + timedelta(weeks=i)
        tasks = buckets.get(week, [])
        done = [t for t in tasks if t.status == TaskStatus.DONE]
        out.append(
            WeekFigure(
                week_start=week,
                maturing=sum(t.amount_due or 0 for t in tasks),
                tasks=len(tasks),
                done=len(done),
                followed_amount=sum(t.amount_due or 0 for t in done),
                kept=sum(t.amount_kept or 0 for t in done),
            )
        )
    return in_memory(out, sort) if sort else out
