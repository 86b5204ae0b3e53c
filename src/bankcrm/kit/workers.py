"""A small process pool for a bulk load's pure per-row work (row checks, search keys, encryption, masking).

The pure work of a large chunk is split over ``BANKCRM_WORKERS`` processes (default 2, the cores of the bank's
loading server; 0 or 1: in this process), each given the field cipher once; the calling process keeps the
database work. Fewer rows than ``MIN_ROWS`` are done here: starting the pool would cost more than it saves.
Workers come from a fork server (a fresh interpreter, not a fork of this one and its threads and connections).
Inside ``one_pool`` every large map of the block shares one pool, started at the first and stopped at the end
(a load's chunks no longer start two pools each, and the workers keep their caches, such as pinyin's).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

from bankcrm.kit import collector
from bankcrm.kit.crypto import FieldCipher

T = TypeVar("T")
R = TypeVar("R")
G = TypeVar("G")
MIN_ROWS = 2_000
DEFAULT_WORKERS = 2
WATCH_S = 1.0  # how often a worker checks that its loading process is still there
BATCHES_PER_WORKER = 4  # small enough batches that a worker slowed by a neighbour does not hold the others up
# Imported once by the fork server, so each worker starts without importing them again (pypinyin, which the
# search keys import lazily, builds its phrase dictionaries at import: about a second of each worker's CPU).
PRELOAD = [
    "bankcrm.customers.service.approval",
    "bankcrm.customers.service.delivered",
    "pypinyin",
    "bankcrm.kit.pinyin_plain",
]

_cipher: FieldCipher | None = None
_shared = threading.local()  # the pool of the ``one_pool`` block this thread is in


class _Shared:
    """A block's pool, started on first need with the block's cipher."""

    def __init__(self, cipher: FieldCipher | None) -> None:
        self.cipher = cipher
        self.pool: ProcessPoolExecutor | None = None


def workers() -> int:
    """How many processes share a large chunk's pure work (``BANKCRM_WORKERS``; 0 or 1: none)."""
    return int(os.environ.get("BANKCRM_WORKERS", DEFAULT_WORKERS))


def _start(cipher: FieldCipher | None, loader: int) -> None:
    global _cipher
    _cipher = cipher
    collector.tune_for_bulk()  # a worker does nothing else
    threading.Thread(target=_watch, args=(loader,), daemon=True, name="loader-watch").start()


def _watch(loader: int) -> None:
    """End this worker once the loading process is gone (killed: a worker waits on a queue it holds both ends of,
    so it would never learn otherwise, and the fork server would stay with it)."""
    while True:
        time.sleep(WATCH_S)
        try:
            os.kill(loader, 0)
        except OSError:  # no such process (or its number already another user's)
            os._exit(1)


def _run(
    fn: Callable[[FieldCipher | None, T], R], batch: Sequence[T], gather: Callable[[list[R]], Any] | None = None
) -> Any:
    out = [fn(_cipher, item) for item in batch]
    return out if gather is None else gather(out)


def _new_pool(count: int, cipher: FieldCipher | None) -> ProcessPoolExecutor:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return ProcessPoolExecutor(count, mp_context=context, initializer=_start, initargs=(cipher, os.getpid()))


@contextmanager
def one_pool(cipher: FieldCipher | None) -> Iterator[None]:
    """Large maps inside the block (in this thread) share one pool whose workers hold ``cipher``."""
    outer = getattr(_shared, "block", None)
    block = _Shared(cipher)
    _shared.block = block
    try:
        yield
    finally:
        _shared.block = outer
        if block.pool is not None:
            block.pool.shutdown(wait=True, cancel_futures=True)


def map_batches(
    fn: Callable[[FieldCipher | None, T], R], items: Sequence[T], cipher: FieldCipher | None = None
) -> Iterator[list[R]]:
    """``fn(cipher, item)`` of each item, in order, a batch at a time as the workers finish them (all batches are
    handed out at once, so the caller can write one batch while the workers build the next); few items: one batch
    made here.

    ``fn`` is a module-level function (workers import it by name) whose result depends on its arguments only."""
    yield from map_gathered(fn, None, items, cipher)


def map_gathered(
    fn: Callable[[FieldCipher | None, T], R],
    gather: Callable[[list[R]], G] | None,
    items: Sequence[T],
    cipher: FieldCipher | None = None,
) -> Iterator[G]:
    """``map_batches``, each batch's results then passed to ``gather`` where they were made (a module-level
    function, or a ``functools.partial`` of one): per-row work the caller would otherwise do is done in the workers
    too. ``gather`` None: the batch's list of results."""
    count = workers()
    if count < 2 or len(items) < MIN_ROWS:
        yield _run_here(fn, items, cipher, gather)
        return
    size = -(-len(items) // (count * BATCHES_PER_WORKER))
    batches = [items[i : i + size] for i in range(0, len(items), size)]
    block: _Shared | None = getattr(_shared, "block", None)
    if block is not None and (cipher is None or cipher is block.cipher):
        if block.pool is None:
            block.pool = _new_pool(count, block.cipher)
        yield from _in_order(block.pool, fn, batches, gather)
        return
    with _new_pool(count, cipher) as pool:
        yield from _in_order(pool, fn, batches, gather)


def _run_here(
    fn: Callable[[FieldCipher | None, T], R],
    items: Sequence[T],
    cipher: FieldCipher | None,
    gather: Callable[[list[R]], G] | None,
) -> Any:
    out = [fn(cipher, item) for item in items]
    return out if gather is None else gather(out)


def _in_order(
    pool: ProcessPoolExecutor,
    fn: Callable[[FieldCipher | None, T], R],
    batches: list[Sequence[T]],
    gather: Callable[[list[R]], Any] | None = None,
) -> Iterator[Any]:
    futures = [pool.submit(_run, fn, batch, gather) for batch in batches]
    try:
        for future in futures:
            yield future.result()
    finally:
        for future in futures:
            future.cancel()  # stopped early (an error): the batches not yet begun are dropped


class Pending(Generic[R]):
    """Rows handed to the block's pool ahead of need (``submit_rows``); ``result`` waits for them."""

    def __init__(self, batches: Iterator[list[R]]) -> None:
        self._batches = batches

    def result(self) -> list[R]:
        """Every row's result, in order."""
        out: list[R] = []
        for part in self._batches:
            out.extend(part)
        return out


def submit_rows(
    fn: Callable[[FieldCipher | None, T], R], items: Sequence[T], cipher: FieldCipher | None = None
) -> Pending[R]:
    """``map_rows`` started now on the block's pool (``one_pool``), so the caller does other work meanwhile; later
    maps queue behind it. Outside a block, or for few items, the work is done when ``result`` is asked for."""
    count = workers()
    block: _Shared | None = getattr(_shared, "block", None)
    usable = block is not None and (cipher is None or cipher is block.cipher)
    if block is None or not usable or count < 2 or len(items) < MIN_ROWS:
        return Pending(map_batches(fn, items, cipher))  # a generator: nothing runs until ``result``
    if block.pool is None:
        block.pool = _new_pool(count, block.cipher)
    size = -(-len(items) // (count * BATCHES_PER_WORKER))
    futures = [block.pool.submit(_run, fn, items[i : i + size]) for i in range(0, len(items), size)]
    return Pending(future.result() for future in futures)


def map_rows(
    fn: Callable[[FieldCipher | None, T], R], items: Sequence[T], cipher: FieldCipher | None = None
) -> list[R]:
    """``fn(cipher, item)`` of each item, in order: over the pool for many items, here for few (``map_batches``)."""
    out: list[R] = []
    for part in map_batches(fn, items, cipher):
        out.extend(part)
    return out
