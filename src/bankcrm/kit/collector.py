"""Fewer garbage collections while a bulk load runs.

A load makes millions of short-lived objects (rows, dicts, ORM states) and keeps many long-lived ones (the
session's objects, the chunk's rows); with the default thresholds the collector walks the long-lived ones over
and over: a quarter of the loading process's CPU in a 10,000-customer feed. Inside ``fewer_collections`` the
objects alive at its start are frozen out of the collector's walks and the youngest generation is collected
every ``GEN0`` allocations instead of 700; reference counting still frees everything without cycles at once.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

GEN0 = 100_000  # allocations between young collections (default 700)
_lock = threading.Lock()
_depth = 0
_saved: tuple[int, int, int] | None = None


def tune_for_bulk() -> None:
    """For a process that only does bulk work (a load's worker): the thresholds, for good."""
    gc.freeze()
    gc.set_threshold(GEN0, *gc.get_threshold()[1:])


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect less often inside the block (nested and concurrent blocks: the outermost restores)."""
    global _depth, _saved
    with _lock:
        if _depth == 0:
            _saved = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(GEN0, *_saved[1:])
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _saved is not None:
                gc.set_threshold(*_saved)
                gc.unfreeze()
