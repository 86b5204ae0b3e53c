"""Reading and writing many rows a page at a time: how big a page is."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

IN_CHUNK = 1_000


def _chunks(values: Sequence[Any], size: int = IN_CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
