"""Page parameters and a page of results."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
MAX_PAGE_SIZE = 100_000  # exports read one large page; list pages ask for 25–200
MAX_PAGE = 1_000_000  # beyond this an offset is meaningless and could overflow the database


@dataclass(frozen=True)
class PageRequest:
    """1-based page number and size, clamped to sane bounds."""

    page: int = 1
    size: int = 25

    def __post_init__(self) -> None:
        object.__setattr__(self, "page", min(MAX_PAGE, max(1, self.page)))
        object.__setattr__(self, "size", min(MAX_PAGE_SIZE, max(1, self.size)))

    @property
    def offset(self) -> int:
        """Rows to skip."""
        return (self.page - 1) * self.size


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of items and the total count."""

    items: list[T]
    total: int
    page: int
    size: int
    # True when counting stopped at ``total``: there are at least that many (broad searches at scale).
    capped: bool = False

    @property
    def pages(self) -> int:
        """Number of pages (at least 1)."""
        return max(1, -(-self.total // self.size))
