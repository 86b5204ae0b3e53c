"""Leads in and out: a new lead, a referral, moves, assignment, conversion; what the API answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from bankcrm.customers.schemas import IndividualCreate
from bankcrm.kit.codes import OpenCode
from bankcrm.kit.listing import Page
from bankcrm.models.lead import LeadStatus

__all__ = ["LeadStatus"]

READ, CREATE, REFER, WORK, ASSIGN = "lead.read", "lead.create", "lead.refer", "lead.work", "lead.assign"
WORKFLOW = "lead"

Source = Annotated[str, OpenCode("lead_source")]
Interest = Annotated[str, OpenCode("lead_interest")]
Reason = Annotated[str, OpenCode("lead_disqualify_reason")]
CifNumber = Annotated[str, StringConstraints(pattern=r"^[0-9]{11}$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
PhoneText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]
Ref = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60, pattern=r"^[!-~]+$")]
UnitCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
Username = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
IdText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
IdTypeCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9_]{1,10}$")]


class LeadCreate(BaseModel):
    """A lead for an existing customer (``cif_no``) or for a prospect (``name`` and ``phone``)."""

    model_config = ConfigDict(extra="forbid")

    source: Source
    interest: Interest
    cif_no: CifNumber | None = None
    name: Name | None = None
    phone: PhoneText | None = None
    id_type: IdTypeCode | None = None
    id_no: IdText | None = None
    amount: int | None = Field(None, ge=0, le=10**15, description="Estimated amount in fen (CNY)")
    note: Note | None = None
    unit: UnitCode | None = Field(None, description="Org unit code; default: the customer's home unit or yours")
    external_ref: Ref | None = Field(None, description="The source system's own key: a repeat is answered 409")


class ReferralCreate(BaseModel):
    """A teller's or lobby manager's referral of a customer to the account managers."""

    model_config = ConfigDict(extra="forbid")

    cif_no: CifNumber
    interest: Interest
    note: Note | None = None


class LeadMove(BaseModel):
    """Move a lead: CONTACTED, QUALIFIED or DISQUALIFIED (with a reason)."""

    model_config = ConfigDict(extra="forbid")

    status: LeadStatus
    reason: Reason | None = None
    note: Note | None = None


class LeadAssign(BaseModel):
    """Assign or reassign a lead to an account manager by user name."""

    model_config = ConfigDict(extra="forbid")

    username: Username


class LeadConvert(BaseModel):
    """Convert a qualified lead: to an existing customer (``cif_no``), or through the CIF create flow
    (``customer``, filed for a checker; the lead converts when it is approved), or with no body to complete a
    conversion whose request was approved."""

    model_config = ConfigDict(extra="forbid")

    cif_no: CifNumber | None = None
    customer: IndividualCreate | None = None


class LeadEvent(BaseModel):
    """One entry of a lead's history: a status move or an assignment."""

    at: datetime
    kind: str
    text: str
    actor: str | None = None


class LeadRead(BaseModel):
    """A lead as the reader may see it (C2 values masked)."""

    id: int
    status: LeadStatus
    status_label: str
    source: str
    interest: str
    cif_no: str | None
    customer_name: str | None
    prospect_name: str | None
    phone_masked: str | None
    id_no_masked: str | None
    amount: int | None
    note: str | None
    unit: str
    unit_name: str
    assignee: str | None
    assignee_name: str | None
    assigned_at: datetime | None
    accept_due_at: datetime | None
    accepted_at: datetime | None
    referrer: str | None
    referrer_name: str | None
    reason: str | None
    change_request_id: int | None
    opportunity_id: int | None
    created_at: datetime
    converted_at: datetime | None


class LeadDetail(LeadRead):
    """A lead with its history, oldest first."""

    history: list[LeadEvent]


class LeadPage(Page[LeadRead]):
    """One page of leads; ``capped``: counting stopped at ``total``, there are at least that many."""

    capped: bool = False


class Points(BaseModel):
    """A referrer's line of the month's leaderboard."""

    rank: int
    username: str
    name: str
    unit: str
    points: int
    referrals: int
