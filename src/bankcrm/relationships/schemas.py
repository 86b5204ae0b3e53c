"""Pydantic shapes of customer links. Shares are basis points of a percent (6000 = 60 %); money is fen."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field


class LinkCreate(BaseModel):
    """A new link from the customer in the URL to the customer with ``to_cif_no``."""

    to_cif_no: str = Field(min_length=1, max_length=20)
    link_type: str = Field(min_length=1, max_length=40)
    share_pct: Decimal | None = Field(None, description="SHAREHOLDER_OF only: percent, at most two decimals")
    amount: int | None = Field(None, le=10**15, description="GUARANTOR_FOR only: fen")
    valid_from: date | None = Field(None, description="Defaults to today in the bank's zone")


class LinkEnd(BaseModel):
    """Ending a link: the last day it holds (defaults to today in the bank's zone)."""

    valid_to: date | None = None


class LinkRead(BaseModel):
    """One link as one of its two customers sees it; the other customer is masked, or hidden when out of scope."""

    id: int
    link_type: str
    label: str
    direction: Literal["outgoing", "incoming"]
    other_cif_no: str | None
    other_name: str
    other_kind: str | None
    share_pct_bp: int | None
    amount: int | None
    valid_from: date
    valid_to: date | None
    active: bool
