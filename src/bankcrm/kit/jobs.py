"""What a batch step returns to the runner: the rows it touched, a one-line summary, and its own report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class JobResult:
    """A step's outcome: ``rows`` and ``detail`` go into the run record; ``report`` is for the caller."""

    rows: int
    detail: str
    report: Any = None
