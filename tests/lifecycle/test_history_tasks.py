"""Moves are stored with the rule and the figures that made them; the playbook raises one task per stage entry,
never again on a rerun; the nightly run takes the months not yet evaluated up to the newest completed one."""

from __future__ import annotations

import json
from datetime import date, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from bankcrm.lifecycle.service import run as lifecycle_run
from bankcrm.models.insight import CustomerMonth
from bankcrm.models.lifecycle import CustomerStage, CustomerStageHistory, LifecycleTask
from bankcrm.models.task import Task
from tests.conftest import user_id
from tests.lifecycle.helpers import given_a_customer_over, held, month_of

TODAY = date(2026, 12, 3)
F = held(1, 100000)


def test_a_customer_s_path_is_stored_move_by_move_with_rule_and_figures(db: Session) -> None:
    # Given a customer who grows, declines, leaves and comes back (July to November 2026)
    c = given_a_customer_over(db, "91000000010", [F, held(2, 100000), held(1, 100000), held(0, 0), held(1, 20000)])
    # When every month is evaluated
    lifecycle_run.run(db, today=TODAY, full=True)
    # Then there is one move a month, each naming its rule and the figures the rule read
    moves = db.scalars(select(CustomerStageHistory).order_by(CustomerStageHistory.month)).all()
    assert [(m.month, m.from_stage, m.to_stage, m.rule, json.loads(m.figures)) for m in moves] == [
        (month_of(0), None, "FORMATION", "START_FORMATION", {"products": 1}),
        (month_of(2), "FORMATION", "DECLINE", "DECLINE_PRODUCTS", {"products_change_1m": -1}),
        (month_of(3), "DECLINE", "LOST", "LOST_CLOSED", {"products": 0}),
        (month_of(4), "LOST", "WON_BACK", "WON_BACK_ACTIVE", {"aum": 20000}),
    ]
    # And August (products up while already growing) made no move; the snapshot holds every month's stage
    stages = db.scalars(select(CustomerMonth.lifecycle_stage).order_by(CustomerMonth.month)).all()
    assert stages == ["FORMATION", "FORMATION", "DECLINE", "LOST", "WON_BACK"]
    # And the stage now is won back since November, by its rule
    now = db.get(CustomerStage, c.id)
    assert now is not None and (now.stage, now.since, now.rule, now.month) == (
        "WON_BACK",
        month_of(4),
        "WON_BACK_ACTIVE",
        month_of(4),
    )


def test_the_playbook_raises_one_task_per_stage_entry_and_a_rerun_none(db: Session) -> None:
    # Given a new customer (am1's), a declining one and a stable one, their newest month November
    new = given_a_customer_over(db, "91000000011", [held(1, 100000, tenure=1)], first=month_of(4))
    down = given_a_customer_over(db, "91000000012", [held(2, 100000), F], first=month_of(3))
    given_a_customer_over(db, "91000000013", [held(1, 100000, tenure=30)] * 2, first=month_of(3))
    # When the lifecycle is evaluated, then again
    first = lifecycle_run.run(db, today=TODAY, full=True)
    again = lifecycle_run.run(db, today=TODAY, full=True)
    # Then the first run raised a welcome call due in 7 days and a retention visit due in 14, for am1
    tasks = db.scalars(select(Task).order_by(Task.customer_id)).all()
    assert [(t.customer_id, t.kind, t.due_date, t.assignee_id, t.status) for t in tasks] == [
        (new.id, "WELCOME_CALL", TODAY + timedelta(days=7), user_id(db, "am1"), "OPEN"),
        (down.id, "RETENTION_VISIT", TODAY + timedelta(days=14), user_id(db, "am1"), "OPEN"),
    ]
    # And no task for October's first evaluations (the backfill raises tasks for the last month only)
    assert (first.tasks, again.tasks) == (2, 0)
    assert db.scalar(select(func.count()).select_from(LifecycleTask)) == 2
    # And the rerun rewrote the same moves
    assert first.moves == again.moves == 4


def test_the_nightly_run_takes_months_not_evaluated_up_to_the_newest_completed_one(db: Session) -> None:
    # Given a customer over July to November, November computed only to the 20th (running)
    c = given_a_customer_over(db, "91000000014", [F] * 5)
    db.execute(update(CustomerMonth).where(CustomerMonth.month == month_of(4)).values(as_of=date(2026, 11, 20)))
    # When the nightly run goes, then goes again
    first = lifecycle_run.run(db, today=TODAY)
    second = lifecycle_run.run(db, today=TODAY)
    # Then the first evaluated July to October, not the running November; the second had nothing to do
    assert [m.month for m in first.months] == [month_of(n) for n in range(4)]
    assert second.months == []
    # And when the snapshot rewrites October (its stage emptied), the next night evaluates October again
    db.execute(
        update(CustomerMonth)
        .where(CustomerMonth.customer_id == c.id, CustomerMonth.month == month_of(3))
        .values(lifecycle_stage=None)
    )
    assert [m.month for m in lifecycle_run.run(db, today=TODAY).months] == [month_of(3)]
    # And on demand a month is evaluated even when running
    assert [m.month for m in lifecycle_run.run(db, today=TODAY, month=month_of(4)).months] == [month_of(4)]


def test_a_usual_night_decides_only_the_customers_the_snapshot_rewrote_as_the_whole_month_would(db: Session) -> None:
    # Given two customers evaluated over July to October
    a = given_a_customer_over(db, "91000000015", [F] * 4)
    b = given_a_customer_over(db, "91000000016", [F] * 4)
    lifecycle_run.run(db, today=TODAY)
    # When the snapshot rewrites a's September and October (the money gone, stages emptied) and the night runs
    for n in (2, 3):
        db.execute(
            update(CustomerMonth)
            .where(CustomerMonth.customer_id == a.id, CustomerMonth.month == month_of(n))
            .values(aum_end=0, demand_end=0, aum_avg=0, held_demand=0, lifecycle_stage=None)
        )
    night = lifecycle_run.run(db, today=TODAY)

    def state() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
        stages = db.execute(
            select(CustomerMonth.customer_id, CustomerMonth.month, CustomerMonth.lifecycle_stage).order_by(
                CustomerMonth.customer_id, CustomerMonth.month
            )
        ).all()
        h = CustomerStageHistory
        moves = db.execute(
            select(h.customer_id, h.month, h.from_stage, h.to_stage, h.rule, h.figures).order_by(h.customer_id, h.month)
        ).all()
        return [tuple(r) for r in stages], [tuple(r) for r in moves]

    nightly = state()
    # Then only a was decided, in September and October
    assert [(m.month, m.customers) for m in night.months] == [(month_of(2), 1), (month_of(3), 1)]
    # And the stages and moves are those deciding every customer of every month gives
    lifecycle_run.run(db, today=TODAY, full=True)
    assert state() == nightly
    assert {r[0] for r in nightly[0]} == {a.id, b.id}


def test_a_run_of_many_months_decides_as_month_after_month_would(db: Session) -> None:
    # Given customers over July to December: one growing then declining, one leaving after September, one joining
    # in September, one lost and won back
    grower = [F, held(2, 100000), held(3, 900000), held(2, 100000), held(1, 50000), held(1, 50000)]
    given_a_customer_over(db, "91000000017", grower)
    given_a_customer_over(db, "91000000018", [F, held(2, 100000), held(1, 100000)])
    given_a_customer_over(db, "91000000019", [F, held(2, 300000), held(2, 300000), held(0, 0)], first=month_of(2))
    given_a_customer_over(db, "91000000020", [F, held(0, 0), held(0, 0), held(1, 20000), F, F])

    def state() -> list[list[tuple[object, ...]]]:
        m, h, s = CustomerMonth, CustomerStageHistory, CustomerStage
        queries = [
            select(m.customer_id, m.month, m.lifecycle_stage).order_by(m.customer_id, m.month),
            select(h.customer_id, h.month, h.from_stage, h.to_stage, h.rule, h.figures).order_by(
                h.customer_id, h.month
            ),
            select(s.customer_id, s.stage, s.since, s.rule, s.month).order_by(s.customer_id),
        ]
        return [[tuple(r) for r in db.execute(q)] for q in queries]

    def forget() -> None:
        db.execute(update(CustomerMonth).values(lifecycle_stage=None))
        db.execute(delete(CustomerStageHistory))
        db.execute(delete(CustomerStage))

    # When the six months are decided one run at a time, each month on its own
    for n in range(6):
        lifecycle_run.run(db, today=TODAY, month=month_of(n))
    one_by_one = state()
    # Then a single run over all six months (a backfill, then a first night) stores the same stages, moves and
    # current stages, though it reads each month's predecessors from memory and sets current stages at its end
    forget()
    lifecycle_run.run(db, today=TODAY, full=True)
    assert state() == one_by_one
    forget()
    assert [m.month for m in lifecycle_run.run(db, today=TODAY).months] == [month_of(n) for n in range(6)]
    assert state() == one_by_one
    # And the paths are the ones expected of them: the leaver's stage now is the one of its last month
    assert one_by_one[2][1][1:] == ("DECLINE", month_of(2), "DECLINE_PRODUCTS", month_of(2))
    assert len(one_by_one[0]) == 6 + 3 + 4 + 6
