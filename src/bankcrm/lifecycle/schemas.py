"""What the lifecycle API returns: a customer's stage and moves, and the stage distribution and flows."""

from __future__ import annotations

from pydantic import BaseModel

READ = "lifecycle.read"


class StageRef(BaseModel):
    """A stage code with its label in the reader's language."""

    code: str
    label: str


class MoveRead(BaseModel):
    """One move: the month, from and to which stage, the rule that moved it and the figures it read."""

    month: str
    from_stage: StageRef | None  # None: first evaluated
    to_stage: StageRef
    rule: str
    rule_label: str
    figures: dict[str, float | int | None]
    explanation: str  # the rule and figures in words


class CustomerLifecycleRead(BaseModel):
    """A customer's stage now (a prospect when never evaluated), since when, and every move, newest first."""

    cif_no: str
    stage: str
    stage_label: str
    since: str | None
    rule: str | None
    rule_label: str | None
    evaluated_month: str | None
    history: list[MoveRead]


class DistributionRow(BaseModel):
    """Customers per stage under one branch or of one tier."""

    key: str
    label: str
    counts: dict[str, int]
    total: int


class FlowRead(BaseModel):
    """Customers who were in ``from_stage`` the month before (None: no row then) and are in ``to_stage`` now."""

    from_stage: str | None
    to_stage: str
    customers: int


class DistributionRead(BaseModel):
    """The stages of one month under a unit in the caller's scope: by branch, by tier, and the flows."""

    unit: str
    month: str | None
    previous_month: str | None
    stages: list[StageRef]
    totals: dict[str, int]
    by_branch: list[DistributionRow]
    by_tier: list[DistributionRow]
    flows: list[FlowRead]
