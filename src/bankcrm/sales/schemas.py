"""Pydantic shapes of sales: opportunities, stage moves, activities, targets and performance. Money is fen."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from bankcrm.kit.i18n import N_
from bankcrm.kit.ids import RowId
from bankcrm.kit.listing import Column, ExportColumn, Filter, ListSpec, Page
from bankcrm.kit.time import Day

READ = "opportunity.read"
WRITE = "opportunity.write"
ACTIVITY = "activity.write"
TARGETS_READ = "target.read"
TARGETS_SET = "target.set"

Code = Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[A-Z0-9_\-]+$")]
Fen = Annotated[int, Field(ge=1, le=10**15, description="Amount in fen (1 yuan = 100 fen)")]
CifNo = Annotated[str, Field(min_length=1, max_length=32)]
Period = Annotated[str, Field(pattern=r"^[0-9]{4}-((0[1-9]|1[0-2])|Q[1-4])$", description="YYYY-MM or YYYY-Qn")]


class OpportunityCreate(BaseModel):
    """A new opportunity for a customer in the caller's scope; the stage defaults to the first open one."""

    model_config = ConfigDict(extra="forbid")

    cif_no: CifNo
    product_code: Code
    amount: Fen
    expected_close: Day
    stage: Code | None = None
    probability_pct: Annotated[int, Field(ge=0, le=100)] | None = None
    note: Annotated[str, Field(max_length=2000)] | None = None
    lead_id: RowId | None = None


class StageMove(BaseModel):
    """Move an opportunity to a stage; closing as lost needs a reason and a competitor, as won an amount."""

    model_config = ConfigDict(extra="forbid")

    stage: Code
    lost_reason: Code | None = None
    competitor: Code | None = None
    won_amount: Fen | None = None
    expected_close: Day | None = None
    probability_pct: Annotated[int, Field(ge=0, le=100)] | None = None
    note: Annotated[str, Field(max_length=500)] | None = None


class StageMoveRead(BaseModel):
    """One move of the stage history."""

    from_stage: str | None
    to_stage: str
    to_label: str
    changed_by: str | None
    changed_at: datetime
    note: str | None


class OpportunityRead(BaseModel):
    """An opportunity as its reader sees it (customer name as shown on the customer's page)."""

    id: int
    cif_no: str
    customer_name: str
    product_code: str
    product_label: str
    amount: int
    weighted_amount: int
    stage: str
    stage_label: str
    outcome: str
    probability_pct: int
    expected_close: date
    owner: str
    owner_id: int
    unit: str
    lead_id: int | None
    note: str | None
    lost_reason: str | None
    competitor: str | None
    won_amount: int | None
    closed_on: date | None
    proposed_amount: int | None
    proposed_on: date | None
    stage_since: datetime
    days_in_stage: int
    created_at: datetime


class OpportunityDetail(OpportunityRead):
    """An opportunity with its stage history, oldest first."""

    history: list[StageMoveRead]


class OpportunityPage(Page[OpportunityRead]):
    """One page of opportunities; ``capped``: more than ``total`` match (counting stopped there)."""

    capped: bool = False


class BoardColumn(BaseModel):
    """One stage of the board: how many, their amount and weighted amount, and the first cards."""

    stage: str
    label: str
    outcome: str
    probability_pct: int
    count: int
    amount: int
    weighted: int
    cards: list[OpportunityRead]


class Board(BaseModel):
    """The pipeline board in the caller's scope (optionally one owner's), and the weighted pipeline."""

    columns: list[BoardColumn]
    pipeline_amount: int
    weighted_pipeline: int


def _yuan(fen: int | None) -> str:
    return "" if fen is None else f"{fen / 100:.2f}"


OPPORTUNITY_LIST = ListSpec(
    name="opportunities",
    columns=(
        Column("id", N_("No.")),
        Column("customer", N_("Customer"), sortable=False),
        Column("product", N_("Product"), sortable=False),
        Column("amount", N_("Amount")),
        Column("stage", N_("Stage")),
        Column("probability", N_("Probability")),
        Column("expected_close", N_("Expected close")),
        Column("owner", N_("Account manager"), sortable=False),
    ),
    default_sort="expected_close",
    tie_breaker="id",
    filters=(
        Filter("stage", max_length=12),
        Filter("owner", "int"),
        Filter("product", max_length=20),
        Filter("cif_no", max_length=32),
        Filter("close_from", "date"),
        Filter("close_to", "date"),
        Filter("open", "bool"),
    ),
    export=(
        ExportColumn(N_("No."), lambda o: o.id),
        ExportColumn(N_("CIF no."), lambda o: o.cif_no),
        ExportColumn(N_("Customer"), lambda o: o.customer_name),
        ExportColumn(N_("Product"), lambda o: o.product_label),
        ExportColumn(N_("Amount (yuan)"), lambda o: _yuan(o.amount)),
        ExportColumn(N_("Stage"), lambda o: o.stage_label),
        ExportColumn(N_("Probability"), lambda o: o.probability_pct),
        ExportColumn(N_("Weighted amount (yuan)"), lambda o: _yuan(o.weighted_amount)),
        ExportColumn(N_("Expected close"), lambda o: o.expected_close.isoformat()),
        ExportColumn(N_("Account manager"), lambda o: o.owner),
        ExportColumn(N_("Lost reason"), lambda o: o.lost_reason or ""),
        ExportColumn(N_("Competitor"), lambda o: o.competitor or ""),
    ),
    audit_event="opportunity.export",
)


class ActivityCreate(BaseModel):
    """A call, visit, meeting or WeChat message with a customer in scope, planned or done."""

    model_config = ConfigDict(extra="forbid")

    cif_no: CifNo
    kind: Code
    status: Code = "DONE"
    starts_at: datetime
    duration_min: Annotated[int, Field(ge=0, le=24 * 60)] = 30
    participants: Annotated[str, Field(max_length=500)] | None = None
    outcome: Code | None = None
    notes: Annotated[str, Field(max_length=4000)] | None = None
    lead_id: RowId | None = None
    opportunity_id: RowId | None = None
    task_id: RowId | None = None
    warning_id: RowId | None = None


class ActivityRead(BaseModel):
    """An activity as its reader sees it."""

    id: int
    cif_no: str
    customer_name: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    starts_at: datetime
    duration_min: int
    participants: str | None
    outcome: str | None
    outcome_label: str | None
    notes: str | None
    owner: str
    owner_id: int
    lead_id: int | None
    opportunity_id: int | None
    task_id: int | None
    warning_id: int | None


class ActivityPage(Page[ActivityRead]):
    """One page of activities."""


class TargetSet(BaseModel):
    """A target for a manager (by user name) or, without one, for the unit, in a period."""

    model_config = ConfigDict(extra="forbid")

    kind: Code
    period: Period
    unit: Annotated[str, Field(min_length=1, max_length=20)]
    manager: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    value: Annotated[int, Field(ge=0, le=10**15)]


class TargetRead(BaseModel):
    """A target with its actual so far and the attainment in per cent (None when the target is 0)."""

    kind: str
    kind_label: str
    unit_of_measure: str
    period: str
    unit: str
    manager: str | None
    manager_name: str | None
    target: int
    actual: float  # fen for money kinds; a count, in hundredths where co-manager shares split a customer
    attainment_pct: float | None
    rank: int | None = None  # the manager's place in the branch on this kind (1: best)
    ranked: int | None = None


class RankingRow(BaseModel):
    """One manager on the leaderboard of a kind."""

    rank: int
    manager: str
    manager_name: str
    target: int
    actual: float
    attainment_pct: float | None
