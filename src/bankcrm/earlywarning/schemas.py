"""What the warnings API takes and returns: warnings with their reasons in words, timeline, actions, outcomes."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

READ = "warnings.read"
ACT = "warnings.act"
COORDINATE = "warnings.coordinate"
ANALYSE = "warnings.analyse"


class CodeRef(BaseModel):
    """A code with its label in the reader's language."""

    code: str
    label: str


class EventRead(BaseModel):
    """One step on the timeline."""

    at: str
    actor: str
    kind: str
    action: CodeRef | None
    contact_on: date | None
    note: str | None


class WarningSummary(BaseModel):
    """A warning in a list."""

    id: int
    cif_no: str
    customer_name: str
    raised_on: date
    severity: CodeRef
    status: CodeRef
    leading_factor: CodeRef
    score: int | None
    probability: float | None
    reasons: list[str]
    assignee: str | None
    escalated_to: str | None
    due_on: date


class WarningRead(WarningSummary):
    """A warning in full: the figures, the outcome, who else works it, every step."""

    source: str
    model_id: str | None
    month: str
    tier: str
    aum: int  # fen
    value_before: int  # fen
    outcome: CodeRef | None
    retained_amount: int | None
    lost_reason: CodeRef | None
    lost_to_bank: str | None
    outcome_note: str | None
    closed_on: date | None
    winback_plan: str | None
    participants: list[str]
    timeline: list[EventRead]


class ActionCreate(BaseModel):
    """A contact or plan step: its type (code table warning_action), the day of contact, a note."""

    action: str = Field(max_length=20)
    contact_on: date | None = None
    note: str = Field(default="", max_length=2000)


class OutcomeCreate(BaseModel):
    """How a warning ended (code table warning_outcome); partly retained needs the amount kept (fen), lost the
    reason (code table lost_reason) and the bank it went to."""

    outcome: str = Field(max_length=20)
    retained_amount: int | None = Field(default=None, ge=0)
    lost_reason: str | None = Field(default=None, max_length=20)
    lost_to_bank: str | None = Field(default=None, max_length=200)
    note: str = Field(default="", max_length=2000)
