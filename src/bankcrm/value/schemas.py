"""Pydantic shapes of customer value: pricing, its changes, contribution lines, roll-ups (fen; rates in bp)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from bankcrm.models.value import PricingChangeStatus

READ = "value.read"
PROPOSE = "value.pricing.propose"
APPROVE = "value.pricing.approve"

STATUS_BADGES: dict[str, str] = {
    PricingChangeStatus.SUBMITTED: "bg-yellow-lt",
    PricingChangeStatus.APPROVED: "bg-green-lt",
    PricingChangeStatus.REJECTED: "bg-red-lt",
}

Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)]
Rate = Annotated[int, Field(ge=0, le=5_000, description="Basis points: 215 = 2.15 %")]
Provision = Annotated[int, Field(ge=0, le=10_000, description="Annual expected-loss rate in basis points")]
Cost = Annotated[int, Field(ge=0, le=100_000_000, description="Fen")]
RollupBy = Literal["branch", "manager", "household", "group", "tier", "segment"]


class PricingProposal(BaseModel):
    """A new curve and parameters from a month's first day; what it does not name stays in force."""

    effective_from: date
    reason: Reason
    ftp: dict[Code, dict[Code, Rate]] = Field(
        default_factory=dict, description="currency → term code → rate bp (a currency's curve complete)"
    )
    provision: dict[Code, Provision] = Field(default_factory=dict, description="loan class → annual rate bp")
    service_product: dict[Code, Cost] = Field(
        default_factory=dict, description="product category → fen per account per month"
    )
    service_txn: dict[Code, Cost] = Field(default_factory=dict, description="channel → fen per voucher")


class Decision(BaseModel):
    """A checker's decision; a rejection needs a reason."""

    approve: bool
    reason: Reason | None = None


class PricingRead(BaseModel):
    """The pricing in force on a day."""

    day: date
    effective_from: date
    ftp: dict[str, dict[str, int]]
    provision: dict[str, int]
    service_product: dict[str, int]
    service_txn: dict[str, int]


class PricingChangeRead(BaseModel):
    """A change request and its decision."""

    id: int
    status: PricingChangeStatus
    effective_from: date
    reason: str
    proposal: dict[str, dict[str, object]]
    maker_name: str
    checker_name: str | None
    decision_reason: str | None
    submitted_at: datetime
    decided_at: datetime | None


class LineRead(BaseModel):
    """One line of a customer's month, with its explanation in the reader's language."""

    kind: str
    label: str
    ref: str
    product_code: str | None
    days: int
    count: int
    avg_balance: int | None
    customer_rate_bp: int | None
    ftp_rate_bp: int | None
    amount: int
    explanation: str


class MonthTotal(BaseModel):
    """A month's total (None: not computed)."""

    month: str
    total: int | None


class CustomerContributionRead(BaseModel):
    """A customer's contribution in one month, line by line, and the 12-month trend."""

    cif_no: str
    month: str
    as_of: date | None
    lines: list[LineRead]
    total: int
    trend: list[MonthTotal]


class RollupRow(BaseModel):
    """One row of a roll-up: a unit, manager, household or group, its customers and contribution."""

    key: str
    label: str
    customers: int
    amount: int


class ParetoPoint(BaseModel):
    """The share of the value created (the positive contributions) brought by the top ``top_pct`` % of customers."""

    top_pct: int
    customers: int
    share_pct: float | None


class RollupRead(BaseModel):
    """A roll-up of one month under a unit, in the caller's scope."""

    unit: str
    month: str
    by: RollupBy
    customers: int
    total: int
    loss_making: int  # customers whose contribution is negative
    loss_amount: int  # their contribution, fen (≤ 0)
    rows: list[RollupRow]
    pareto: list[ParetoPoint]
