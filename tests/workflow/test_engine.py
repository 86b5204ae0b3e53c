"""The workflow engine: an allowed move sets the status and writes one history row; anything else writes nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.access.service import auth as auth_service
from bankcrm.errors import Conflict, Forbidden
from bankcrm.kit.i18n import gettext_for
from bankcrm.kit.time import utcnow
from bankcrm.models.access import User
from bankcrm.models.task import Task
from bankcrm.models.workflow import StatusHistory
from bankcrm.workflow import service as workflow
from tests.conftest import user_id
from tests.holdings.helpers import make_customer


def _principal(db: Session, username: str):  # type: ignore[no-untyped-def]
    return auth_service.principal_for(db.query(User).filter_by(username=username).one())


def _task(db: Session, status: str = "OPEN") -> Task:
    customer = make_customer(db, "90000000012")
    task = Task(kind="MATURITY", customer_id=customer.id, due_date=date(2026, 12, 31), status=status)
    db.add(task)
    db.flush()
    return task


def _history(db: Session) -> list[StatusHistory]:
    return list(db.scalars(select(StatusHistory).order_by(StatusHistory.id)))


def test_an_allowed_move_sets_the_status_and_writes_one_history_row(db: Session) -> None:
    # Given an open task and an account manager (who holds task.work)
    task = _task(db)
    am1 = _principal(db, "am1")
    before = utcnow()

    # When the task is moved to DONE with a reason
    row = workflow.move(db, am1, "task", task, "DONE", "customer renewed")

    # Then the task is done and exactly one history row names the move, who and why
    assert task.status == "DONE"
    rows = _history(db)
    assert rows == [row]
    assert (
        row.workflow,
        row.entity_type,
        row.entity_id,
        row.from_state,
        row.to_state,
        row.actor_id,
        row.actor_name,
        row.reason,
    ) == ("task", "task", str(task.id), "OPEN", "DONE", user_id(db, "am1"), "am1", "customer renewed")
    assert before <= row.moved_at <= utcnow() + timedelta(seconds=1)
    assert [(h.from_state, h.to_state) for h in workflow.history(db, "task", task.id)] == [("OPEN", "DONE")]


def test_a_move_the_catalogue_does_not_allow_is_refused_naming_both_states(db: Session) -> None:
    # Given a task that is already done
    task = _task(db, status="DONE")
    am1 = _principal(db, "am1")

    # When someone tries to reopen it
    with pytest.raises(Conflict) as refused:
        workflow.move(db, am1, "task", task, "OPEN")

    # Then the error names the record, the current and the wanted state by their labels in the reader's
    # language (not their codes), and nothing is written
    message, params = refused.value.message, refused.value.params
    assert gettext_for("en", message, params) == f"This follow-up task (#{task.id}) is “Done” and cannot become “Open”."
    assert gettext_for("zh_CN", message, params) == f"该跟进任务（#{task.id}）当前为“已完成”，不能变为“待处理”。"
    assert str(refused.value) == f"This follow-up task (#{task.id}) is “Done” and cannot become “Open”."
    assert task.status == "DONE"
    assert _history(db) == []


def test_a_domain_may_word_the_refusal_its_own_way(db: Session) -> None:
    # Given a task that is already done
    task = _task(db, status="DONE")

    # When it is completed again with the domain's message for that case
    with pytest.raises(Conflict) as refused:
        workflow.move(db, _principal(db, "am1"), "task", task, "DONE", refusal="This task is already done.")

    # Then that message is the one raised, and nothing is written
    assert str(refused.value) == "This task is already done."
    assert _history(db) == []


def test_a_principal_without_the_transitions_permission_is_refused(db: Session) -> None:
    # Given an open task and a risk manager, who does not hold task.work
    task = _task(db)
    risk = _principal(db, "risk")
    assert not risk.can("task.work")

    # When the risk manager tries to complete it
    with pytest.raises(Forbidden) as refused:
        workflow.move(db, risk, "task", task, "DONE")

    # Then the refusal names the move and the permission, is audited, and nothing changes
    message, params = refused.value.message, refused.value.params
    assert gettext_for("en", message, params) == (
        f"Moving this follow-up task (#{task.id}) from “Open” to “Done” needs the permission “Work follow-up tasks”."
    )
    assert gettext_for("zh_CN", message, params) == (
        f"将该跟进任务（#{task.id}）从“待处理”变为“已完成”需要“处理跟进任务”权限。"
    )
    assert refused.value.audit is not None
    assert refused.value.audit["detail"] == f"move task {task.id} from OPEN to DONE needs task.work"
    assert task.status == "OPEN"
    assert _history(db) == []


def test_bulk_moves_are_all_checked_before_any_row_is_written(db: Session) -> None:
    # Given one allowed and one disallowed move of tasks
    am1 = _principal(db, "am1")

    # When a batch step records them together
    with pytest.raises(Conflict):
        workflow.record_moves(db, am1, "task", "task", [(1, "OPEN", "DONE"), (2, "DONE", "OPEN")])

    # Then no history is written; the allowed ones alone are recorded with one row each
    assert _history(db) == []
    assert workflow.record_moves(db, am1, "task", "task", [(1, "OPEN", "DONE"), (2, "OPEN", "DONE")]) == 2
    assert [(h.entity_id, h.from_state, h.to_state, h.actor_name) for h in _history(db)] == [
        ("1", "OPEN", "DONE", "am1"),
        ("2", "OPEN", "DONE", "am1"),
    ]


def test_the_moves_open_to_a_principal_follow_the_catalogue_and_their_permissions(db: Session) -> None:
    # Given an account manager (task.work) and a risk manager (group.review, not task.work)
    am1, risk = _principal(db, "am1"), _principal(db, "risk")

    # Then each sees exactly the moves the catalogue allows from a state and their rights cover
    assert workflow.moves_open_to(db, am1, "task", "OPEN") == {"DONE"}
    assert workflow.moves_open_to(db, am1, "task", "DONE") == set()
    assert workflow.moves_open_to(db, risk, "task", "OPEN") == set()
    assert workflow.moves_open_to(db, risk, "corporate_group", "PROPOSED") == {"ACCEPTED", "REJECTED", "OUTDATED"}
    assert workflow.moves_open_to(db, am1, "corporate_group", "PROPOSED") == set()
