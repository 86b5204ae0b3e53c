"""API shapes of segments: saving, reading, previewing and listing members (always masked)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from bankcrm.customers.schemas import CustomerSummary

READ = "segment.read"  # the permission to see segments (module.py declares it)

Visibility = Literal["private", "unit", "bank"]
MAX_UPLOAD = 100_000  # CIF numbers in one static segment


class SegmentWrite(BaseModel):
    """A rule segment saved or changed: its name, description, who sees it and its specification."""

    name: str = Field(min_length=1, max_length=100)
    description: str = Field(default="", max_length=400)
    visibility: Visibility = "private"
    spec: dict[str, Any] = Field(description="The segment specification (docs/segments.md)")


class StaticWrite(BaseModel):
    """A static segment from a list of CIF numbers (unknown ones are answered back, not saved)."""

    name: str = Field(min_length=1, max_length=100)
    description: str = Field(default="", max_length=400)
    visibility: Visibility = "private"
    cif_nos: list[str] = Field(min_length=1, max_length=MAX_UPLOAD)


class SegmentPatch(BaseModel):
    """A segment of either kind renamed or described anew; a field left out stays as it is."""

    name: str | None = Field(default=None, min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=400)


class SegmentRead(BaseModel):
    """A saved segment as its reader sees it; ``members`` counts only members inside the reader's scope."""

    id: int
    name: str
    description: str
    kind: Literal["rule", "static"]
    visibility: Visibility
    owner: str
    spec: dict[str, Any] | None
    words: str = Field(description="The specification in words, in the reader's language")
    members: int
    editable: bool
    created_at: datetime
    updated_at: datetime


class StaticCreated(BaseModel):
    """A static segment saved, and the CIF numbers of the list not on file."""

    segment: SegmentRead
    unknown: list[str]


class PreviewRead(BaseModel):
    """How many customers in the caller's scope the specification selects, and the first few, masked."""

    count: int
    sample: list[CustomerSummary]
    month: date | None = Field(description="The snapshot month feature conditions read")


class MemberRead(CustomerSummary):
    """A current member, masked like the customer list, with the day they entered."""

    entered_on: date


class MembersPage(BaseModel):
    """One page of current members inside the caller's scope."""

    items: list[MemberRead]
    total: int
    page: int
    size: int


class SizeRead(BaseModel):
    """A segment's size at the end of one day."""

    day: date
    members: int


class CustomerSegmentRead(BaseModel):
    """A segment a customer is in now, as the customer's insight lists it."""

    id: int
    name: str
    kind: Literal["rule", "static"]
    entered_on: date
