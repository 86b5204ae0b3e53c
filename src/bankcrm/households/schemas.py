"""Pydantic shapes of households. Money is fen; figures are the nightly ones of the members counted."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field


class MemberRead(BaseModel):
    """One member: masked name and figures when in the reader's scope; otherwise a masked node without details."""

    cif_no: str | None
    name: str
    visible: bool
    head: bool
    manual: bool
    aum: int | None
    deposit_balance: int | None
    loan_balance: int | None
    product_count: int | None


class TotalsRead(BaseModel):
    """Household figures: sums over the members in the reader's scope only (members_hidden are not counted)."""

    members_counted: int
    members_hidden: int
    aum: int
    deposit_balance: int
    loan_balance: int
    product_count: int
    as_of: date | None


class CategoryRead(BaseModel):
    """Products of one category held by the counted members: how many members hold one, how many holdings."""

    category: str
    label: str
    holders: int
    holdings: int


class HouseholdRead(BaseModel):
    """A household as one reader sees it."""

    id: int
    head_cif_no: str | None
    head_name: str
    member_count: int
    members: list[MemberRead]
    totals: TotalsRead
    products: list[CategoryRead]
    derived_at: datetime


class HouseholdBadge(BaseModel):
    """The household line of a member's 360° view."""

    id: int
    member_count: int
    aum: int
    members_hidden: int


class MemberAdd(BaseModel):
    """Add the customer with this CIF number to the household (it leaves any other household)."""

    cif_no: str = Field(min_length=1, max_length=20)


class HeadSet(BaseModel):
    """Make this member the head of the household."""

    cif_no: str = Field(min_length=1, max_length=20)


class DeriveReport(BaseModel):
    """What one derivation did."""

    households: int
    members: int
    created: int
    dissolved: int
