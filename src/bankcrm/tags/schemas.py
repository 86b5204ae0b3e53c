"""Pydantic shapes of tags: the catalogue with counts, a customer's tags, applying one, a new tag."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

KINDS = ("manual", "rule", "imported")
# A small fixed palette (Tabler's badge colours), so every tag reads on the light and dark themes.
PALETTE = (
    "blue",
    "azure",
    "indigo",
    "purple",
    "pink",
    "red",
    "orange",
    "yellow",
    "lime",
    "green",
    "teal",
    "cyan",
    "grey",
)


class TagRead(BaseModel):
    """One tag of the catalogue in the reader's language, with its carriers in the reader's scope."""

    code: str
    label: str
    description: str
    kind: Literal["manual", "rule", "imported"]
    colour: str
    permission: str | None
    rule: dict[str, Any] | None
    active: bool
    customers: int


class CustomerTagRead(BaseModel):
    """A tag a customer carries now (or carried: removed_at set), and how it came."""

    code: str
    label: str
    colour: str
    kind: str
    source: Literal["manual", "rule", "file"]
    note: str | None
    expires_on: date | None
    applied_by: str | None
    applied_at: datetime
    removed_by: str | None = None
    removed_at: datetime | None = None


class TagApply(BaseModel):
    """Apply a manual tag to a customer."""

    code: str = Field(min_length=1, max_length=40)
    note: str | None = Field(default=None, max_length=200)
    expires_on: date | None = None


class TagCreate(BaseModel):
    """A bank-specific tag added by an administrator (manual or imported; rule tags need a rule)."""

    code: str = Field(min_length=2, max_length=40, pattern=r"^[A-Z][A-Z0-9_]*$")
    label_en: str = Field(min_length=1, max_length=100)
    label_zh: str = Field(min_length=1, max_length=100)
    description_en: str = Field(default="", max_length=400)
    description_zh: str = Field(default="", max_length=400)
    kind: Literal["manual", "rule", "imported"]
    colour: str = Field(max_length=12)
    permission: Literal["tag.apply", "tag.apply.sensitive"] = "tag.apply"
    rule: dict[str, Any] | None = None


class RuleRunReport(BaseModel):
    """What a nightly rule-tag run did: per tag, customers tagged and untagged."""

    tags: int
    applied: int
    removed: int
    carriers: int
    per_tag: dict[str, tuple[int, int, int]]  # code → (applied, removed, carriers now)
