"""Past maturity weeks for the demo: the nightly's maturity step as it ran each past day, then the outcomes recorded.

The account managers record each follow-up whose maturity has passed through the holdings service,
with an outcome from the maturity_outcome code table that fits what the core-banking files show.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM_PRINCIPAL, Principal
from bankcrm.access.service import auth as auth_service
from bankcrm.access.service import users as user_service
from bankcrm.holdings.schemas import TaskOutcome
from bankcrm.holdings.service import tasks as task_service
from bankcrm.models.holding import Account
from bankcrm.models.task import Task, TaskStatus

HISTORY_WEEKS = 8  # as many past weeks as the maturities page shows
# A deposit that did not roll over: (outcome, weight, share of the amount kept at most, note).
NOT_RENEWED = (
    ("RENEWED", 35, 100, "客户到行续存"),
    ("OTHER_PRODUCT", 30, 100, "转购本行理财"),
    ("WITHDRAWN", 20, 0, "客户支取用于购房"),
    ("OTHER_BANK", 15, 0, "他行利率更高，已转出"),
)
WEALTH = (
    ("RENEWED", 45, 100, "续购同系列产品"),
    ("OTHER_PRODUCT", 25, 100, "转存定期"),
    ("WITHDRAWN", 30, 0, "客户赎回"),
)
REVOLVING = ("CL-WC", "CL-TF", "PL-BUS")  # short loans a business usually renews; others are paid off


def history_start(today: date) -> date:
    """The first day the demo's nightly ran: the Monday HISTORY_WEEKS weeks before this week's."""
    return today - timedelta(days=today.weekday(), weeks=HISTORY_WEEKS)


def raise_through(db: Session, first: date, last: date, windows: tuple[int, ...]) -> None:
    """Run the nightly's maturity step for each day from first to last (nothing when last < first)."""
    day = first
    while day <= last:
        task_service.raise_maturity_tasks(db, day, windows)
        day += timedelta(days=1)


def _principals(db: Session) -> dict[int, Principal]:
    return {u.id: auth_service.principal_for(u) for u in user_service.account_managers(db, SYSTEM_PRINCIPAL)}


def _choose(rng: random.Random, task: Task, renewing: set[int]) -> TaskOutcome:
    if task.holding_kind == "account" and task.holding_id in renewing:
        return TaskOutcome(outcome="RENEWED", amount_kept=task.amount_due or 0, note="自动续存")
    if task.holding_kind == "loan":
        renewed = task.product_code in REVOLVING
        outcome, kept, note = ("RENEWED", 100, "已办理续贷") if renewed else ("WITHDRAWN", 0, "到期结清")
        return TaskOutcome(outcome=outcome, amount_kept=(task.amount_due or 0) * kept // 100, note=note)
    table = WEALTH if (task.product_code or "")[:2] == "WM" else NOT_RENEWED
    outcome, _weight, kept, note = rng.choices(table, weights=[row[1] for row in table])[0]
    amount = (task.amount_due or 0) * (kept if outcome == "RENEWED" else rng.randint(kept // 2, kept)) // 100
    return TaskOutcome(outcome=outcome, amount_kept=amount, note=note)


def record_outcomes(db: Session, today: date, seed: int = 2026) -> int:
    """Each assigned follow-up of a maturity before today done by its account manager; returns how many."""
    rng = random.Random(seed)
    managers = _principals(db)
    renewing = set(db.scalars(select(Account.id).where(Account.auto_renew.is_(True))))
    past = db.scalars(
        select(Task)
        .where(Task.kind == "MATURITY", Task.status == TaskStatus.OPEN, Task.maturity_date < today)
        .order_by(Task.maturity_date, Task.id)
    )
    done = 0
    for task in list(past):
        if task.assignee_id not in managers:
            continue  # a customer without an account manager: nobody followed it up, and the page shows that
        task_service.complete(db, managers[task.assignee_id], task.id, _choose(rng, task, renewing))
        done += 1
    return done
