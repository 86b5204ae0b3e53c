"""Keys met in earlier chunks of a file, with the line each was first on, for the duplicate-key check.

A 10M-row file's keys do not fit a join per chunk (that re-hashes everything seen so far, every
chunk). Their 64-bit hashes are kept as sorted runs, merged like a binary counter, so a chunk
costs one binary search per run; a hash match is confirmed on the key itself, so a hash collision
can never reject a good row.

Core-banking files usually number their rows in ascending order. While every chunk's keys rise
strictly and start above the last key so far, no key can repeat an earlier one: nothing is hashed or
searched. The first chunk that breaks the order builds the runs from the keys kept so far.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

UNSEEN = -1


@dataclass
class _Run:
    hashes: np.ndarray  # sorted
    slots: np.ndarray  # where each hash's key and line are in SeenKeys._keys / _lines


@dataclass
class Probe:
    """One chunk's keys looked up: each key's first line in an earlier chunk (null if none)."""

    keys: pl.Series
    first_lines: pl.Series
    order: np.ndarray | None = None  # argsort of the keys' hashes; None for a chunk of ascending keys
    sorted_hashes: np.ndarray | None = None


class SeenKeys:
    """First lines of the keys of earlier chunks."""

    def __init__(self) -> None:
        self._runs: list[_Run] = []
        self._keys = pl.Series(dtype=pl.String)  # in the order added; appended without copying
        self._lines: list[np.ndarray] = []  # per add(); joined when a duplicate needs its line
        self._ascending = True  # every key so far above the one before it: no runs kept yet
        self._last: str | None = None

    def __len__(self) -> int:
        return len(self._keys)

    def probe(self, keys: pl.Series) -> Probe:
        """Look a chunk's keys up; the probe also serves add() (hashed and sorted once)."""
        keys = keys.cast(pl.String)
        if self._ascending:
            if self._rises(keys):
                return Probe(keys, pl.Series(values=[None] * len(keys), dtype=pl.Int64))
            self._ascending = False
            self._build_runs()
        hashes = keys.hash().to_numpy()
        # Searching in ascending order walks each run forward instead of jumping about it.
        order = np.argsort(hashes)
        wanted = hashes[order]
        out = np.full(len(keys), UNSEEN, dtype=np.int64)
        if self._runs and len(keys):
            slots = np.full(len(keys), UNSEEN, dtype=np.int64)
            for run in self._runs:
                self._look_up(run, keys, order, wanted, slots)
            hit = slots != UNSEEN
            if hit.any():
                out[order[hit]] = self._all_lines()[slots[hit]]
        series = pl.Series(out)
        first_lines = pl.select(pl.when(series != UNSEEN).then(series)).to_series()
        return Probe(keys, first_lines, order, wanted)

    def first_lines(self, keys: pl.Series) -> pl.Series:
        """For each key, the line it was first seen on in an earlier chunk, else null."""
        return self.probe(keys).first_lines

    def add(self, probe: Probe, new: np.ndarray, lines: np.ndarray) -> None:
        """Remember the probed keys marked ``new`` (none seen before, each once) with their line."""
        picked = np.flatnonzero(new)
        if not picked.size:
            return
        start = len(self._keys)
        added = probe.keys.gather(picked)
        self._keys.append(added)
        self._lines.append(lines[picked].astype(np.int64))
        if probe.order is None or probe.sorted_hashes is None:  # ascending keys: the last is the largest
            self._last = added[-1]
            return
        # The probe's hash order, kept to the new keys, is their sorted order: no second sort.
        position = np.full(len(new), UNSEEN, dtype=np.int64)
        position[picked] = np.arange(picked.size)
        in_order = probe.order[new[probe.order]]
        self._add_run(_Run(probe.sorted_hashes[new[probe.order]], position[in_order] + start))

    def _rises(self, keys: pl.Series) -> bool:
        """Whether the chunk's keys (nulls aside) rise strictly and start above every earlier key."""
        given = keys.drop_nulls()
        if given.is_empty():
            return True
        if self._last is not None and given[0] <= self._last:
            return False
        return bool(given.is_sorted() and not (given.head(-1) == given.tail(-1)).any())

    def _build_runs(self) -> None:
        """One run of every key kept so far (they were kept without hashes while keys rose)."""
        if len(self._keys):
            hashes = self._keys.hash().to_numpy()
            order = np.argsort(hashes)
            self._runs = [_Run(hashes[order], order.astype(np.int64))]

    def _add_run(self, run: _Run) -> None:
        self._runs.append(run)
        # Merge while the newest run is as big as the one before: each hash is merged O(log n) times.
        while len(self._runs) > 1 and len(self._runs[-1].hashes) >= len(self._runs[-2].hashes):
            newer, older = self._runs.pop(), self._runs.pop()
            hashes = np.concatenate([older.hashes, newer.hashes])
            order = np.argsort(hashes, kind="stable")  # two sorted runs: a merge
            self._runs.append(_Run(hashes[order], np.concatenate([older.slots, newer.slots])[order]))

    def _all_lines(self) -> np.ndarray:
        if len(self._lines) > 1:
            self._lines = [np.concatenate(self._lines)]
        return self._lines[0]

    def _look_up(self, run: _Run, keys: pl.Series, order: np.ndarray, wanted: np.ndarray, slots: np.ndarray) -> None:
        """Fill ``slots`` (indexed like ``wanted``) for the keys found in ``run``."""
        size = len(run.hashes)
        pos = np.searchsorted(run.hashes, wanted)
        pos[pos == size] = 0
        rows = np.nonzero((run.hashes[pos] == wanted) & (slots == UNSEEN))[0]
        if not rows.size:
            return
        candidates = run.slots[pos[rows]]
        same = (self._keys.gather(candidates) == keys.gather(order[rows])).fill_null(False).to_numpy()
        slots[rows[same]] = candidates[same]
        for row in rows[~same]:  # equal hashes, other key: look at the run's other entries with that hash
            at = int(pos[row]) + 1
            while at < size and run.hashes[at] == wanted[row]:
                if self._keys[int(run.slots[at])] == keys[int(order[row])]:
                    slots[row] = run.slots[at]
                    break
                at += 1
