"""A small process pool for a bulk load's pure per-row work (row checks, search keys, encryption, masking).

The pure work of a large chunk is split over ``BANKCRM_WORKERS`` processes (default 2, the cores of the bank's
loading server; 0 or 1: in this process), each given the field cipher once; the calling process keeps the
database work. Fewer rows than ``MIN_ROWS`` are done here: starting the pool would cost more than it saves.
Workers come from a fork server (a fresh interpreter, not a fork of this one and its threads and connections).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from typing import TypeVar

from bankcrm.kit import collector
from bankcrm.kit.crypto import FieldCipher

T = TypeVar("T")
R = TypeVar("R")
MIN_ROWS = 2_000
DEFAULT_WORKERS = 2
BATCHES_PER_WORKER = 4  # small enough batches that a worker slowed by a neighbour does not hold the others up
# Imported once by the fork server, so each worker starts without importing them again (pypinyin, which the
# search keys import lazily, builds its phrase dictionaries at import: about a second of each worker's CPU).
PRELOAD = ["bankcrm.customers.service.approval", "bankcrm.customers.service.delivered", "pypinyin"]

_cipher: FieldCipher | None = None


def workers() -> int:
    """How many processes share a large chunk's pure work (``BANKCRM_WORKERS``; 0 or 1: none)."""
    return int(os.environ.get("BANKCRM_WORKERS", DEFAULT_WORKERS))


def _start(cipher: FieldCipher | None) -> None:
    global _cipher
    _cipher = cipher
    collector.tune_for_bulk()  # a worker does nothing else


def _run(fn: Callable[[FieldCipher | None, T], R], batch: Sequence[T]) -> list[R]:
    return [fn(_cipher, item) for item in batch]


def map_rows(
    fn: Callable[[FieldCipher | None, T], R], items: Sequence[T], cipher: FieldCipher | None = None
) -> list[R]:
    """``fn(cipher, item)`` of each item, in order: over the pool for many items, here for few.

    ``fn`` is a module-level function (workers import it by name) whose result depends on its arguments only."""
    count = workers()
    if count < 2 or len(items) < MIN_ROWS:
        return [fn(cipher, item) for item in items]
    size = -(-len(items) // (count * BATCHES_PER_WORKER))
    batches = [items[i : i + size] for i in range(0, len(items), size)]
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    out: list[R] = []
    with ProcessPoolExecutor(count, mp_context=context, initializer=_start, initargs=(cipher,)) as pool:
        for part in pool.map(partial(_run, fn), batches):
            out.extend(part)
    return out
