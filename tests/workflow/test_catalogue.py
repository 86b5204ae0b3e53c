"""The workflow catalogue: the code's status constants match it, and the upgrade syncs it idempotently."""

from __future__ import annotations

from enum import StrEnum

import pytest
from sqlalchemy import Connection, select, update

from bankcrm.migrate import sync_workflows
from bankcrm.models.assignment import AssignmentRequestStatus
from bankcrm.models.customer import ChangeRequestStatus, CodeItem
from bankcrm.models.group import GroupStatus
from bankcrm.models.lead import LeadStatus
from bankcrm.models.matching import MatchReviewStatus
from bankcrm.models.task import TaskStatus
from bankcrm.models.value import PricingChangeStatus
from bankcrm.models.workflow import WorkflowState, WorkflowTransition
from bankcrm.modules import permissions
from bankcrm.workflow import catalogue

CONSTANTS: dict[str, type[StrEnum]] = {
    "assignment_request": AssignmentRequestStatus,
    "change_request": ChangeRequestStatus,
    "lead": LeadStatus,
    "corporate_group": GroupStatus,
    "match_review": MatchReviewStatus,
    "pricing_change": PricingChangeStatus,
    "task": TaskStatus,
}


@pytest.mark.parametrize("workflow", sorted(CONSTANTS))
def test_the_status_constants_are_the_catalogues_states_initial_first(workflow: str) -> None:
    # Given the shipped catalogue
    shipped = catalogue.load()

    # Then the code's constants are exactly the workflow's states, in display order, the initial one first
    assert [s.value for s in CONSTANTS[workflow]] == list(shipped.codes(workflow))
    assert [s.code for s in shipped.states if s.workflow == workflow and s.initial] == [
        next(iter(CONSTANTS[workflow])).value
    ]


def test_the_catalogue_holds_exactly_these_moves_each_with_a_declared_permission() -> None:
    # Given the shipped transitions
    shipped = catalogue.load()

    # Then they are these moves, and every permission is one a module declares
    assert sorted((t.workflow, t.from_state, t.to_state, t.permission) for t in shipped.transitions) == [
        ("assignment_request", "submitted", "approved", "assignment.approve"),
        ("assignment_request", "submitted", "rejected", "assignment.approve"),
        ("change_request", "submitted", "approved", "customer.approve"),
        ("change_request", "submitted", "rejected", "customer.approve"),
        ("corporate_group", "ACCEPTED", "SUPERSEDED", "group.review"),
        ("corporate_group", "PROPOSED", "ACCEPTED", "group.review"),
        ("corporate_group", "PROPOSED", "OUTDATED", "group.review"),
        ("corporate_group", "PROPOSED", "REJECTED", "group.review"),
        ("lead", "ASSIGNED", "ASSIGNED", "lead.assign"),
        ("lead", "ASSIGNED", "CONTACTED", "lead.work"),
        ("lead", "ASSIGNED", "DISQUALIFIED", "lead.work"),
        ("lead", "ASSIGNED", "NEW", "lead.assign"),
        ("lead", "ASSIGNED", "QUALIFIED", "lead.work"),
        ("lead", "CONTACTED", "DISQUALIFIED", "lead.work"),
        ("lead", "CONTACTED", "QUALIFIED", "lead.work"),
        ("lead", "NEW", "ASSIGNED", "lead.assign"),
        ("lead", "NEW", "DISQUALIFIED", "lead.work"),
        ("lead", "QUALIFIED", "CONVERTED", "lead.work"),
        ("lead", "QUALIFIED", "DISQUALIFIED", "lead.work"),
        ("match_review", "merge_pending", "merged", "match.approve"),
        ("match_review", "merge_pending", "open", "match.approve"),
        ("match_review", "merged", "unmerged", "match.approve"),
        ("match_review", "open", "distinct", "match.review"),
        ("match_review", "open", "linked", "match.review"),
        ("match_review", "open", "merge_pending", "match.review"),
        ("pricing_change", "submitted", "approved", "value.pricing.approve"),
        ("pricing_change", "submitted", "rejected", "value.pricing.approve"),
        ("task", "OPEN", "DONE", "task.work"),
    ]
    assert {t.permission for t in shipped.transitions} <= {p.code for p in permissions()}


def test_the_sync_is_idempotent_and_repairs_a_changed_label(connection: Connection) -> None:
    # Given a database the upgrade has synced (the test databases are upgraded to head)
    states, transitions = WorkflowState.__table__, WorkflowTransition.__table__
    shipped = catalogue.load()

    # When the sync runs again
    changed = sync_workflows(connection)

    # Then nothing is written, and the tables hold exactly the catalogue
    assert changed == 0
    assert sorted(connection.execute(select(states.c.workflow, states.c.code, states.c.label_zh))) == sorted(
        (s.workflow, s.code, s.label_zh) for s in shipped.states
    )
    assert len(connection.execute(select(transitions)).all()) == len(shipped.transitions) == 28

    # When a label is changed in the database and the sync runs twice
    connection.execute(
        update(states).where(states.c.workflow == "task", states.c.code == "DONE").values(label_en="Finished")
    )
    first, second = sync_workflows(connection), sync_workflows(connection)

    # Then the first run restores the shipped label and the second has nothing to do
    assert (first, second) == (1, 0)
    label = connection.scalar(select(states.c.label_en).where(states.c.workflow == "task", states.c.code == "DONE"))
    assert label == "Done"


def test_the_group_statuses_moved_out_of_the_code_tables(connection: Connection) -> None:
    # Given an upgraded database
    # Then the group statuses are workflow states, no longer code_item rows
    codes = CodeItem.__table__
    assert connection.execute(select(codes).where(codes.c.category == "group_status")).all() == []
    states = WorkflowState.__table__
    stmt = select(states.c.code, states.c.label_zh).where(states.c.workflow == "corporate_group")
    assert connection.execute(stmt.order_by(states.c.sort_order)).all() == [
        ("PROPOSED", "待审核"),
        ("ACCEPTED", "已确认"),
        ("REJECTED", "已驳回"),
        ("SUPERSEDED", "已被替代"),
        ("OUTDATED", "已过时"),
    ]
