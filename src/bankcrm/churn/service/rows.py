"""The labelled rows as compact arrays, gathered block by block: float32 features, the label and the month.

Features are built per block of customers and only the eligible, labelled rows are kept, as float32, so memory
grows with the rows kept (4 bytes a feature) and not with the frames a block needs while it is built. Categorical
columns hold codes in first-seen order until ``recode`` maps them onto a model's sorted categories.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import polars as pl

from bankcrm.churn.service.features import CATEGORICAL, FEATURES

DAYS = FEATURES.index("days_since_txn")


@dataclass
class Labelled:
    """Eligible rows whose horizon is over: features (n × FEATURES, float32, kept as the blocks' own arrays so
    they are never copied whole), label (int8), month index (int32)."""

    parts: list[np.ndarray]
    y: np.ndarray
    mi: np.ndarray
    seen: dict[str, list[str]] = field(default_factory=dict)  # each categorical's values in first-seen order

    @property
    def height(self) -> int:
        """Rows held."""
        return len(self.y)

    @property
    def nbytes(self) -> int:
        """Bytes the features take."""
        return sum(p.nbytes for p in self.parts)

    @property
    def x(self) -> np.ndarray:
        """The features as one array (one block's own, or joined)."""
        if len(self.parts) == 1:
            return self.parts[0]
        if not self.parts:
            return np.empty((0, len(FEATURES)), dtype=np.float32)
        return np.concatenate(self.parts)

    def take(self, index: np.ndarray) -> Labelled:
        """The rows at these positions (sorted; a copy, one array), the same codes."""
        out = np.empty((len(index), len(FEATURES)), dtype=np.float32)
        start = done = 0
        for part in self.parts:
            lo, hi = np.searchsorted(index, [start, start + len(part)])
            out[done : done + hi - lo] = part[index[lo:hi] - start]
            start, done = start + len(part), done + hi - lo
        return Labelled([out], self.y[index], self.mi[index], self.seen)

    def categories(self) -> dict[str, list[str]]:
        """Each categorical column's values present in these rows, sorted (the codes a model sees)."""
        out = {}
        for name in CATEGORICAL:
            col = self.x[:, FEATURES.index(name)]
            present = np.unique(col[~np.isnan(col)]).astype(np.int64)
            out[name] = sorted(self.seen[name][i] for i in present)
        return out

    def recode(self, categories: dict[str, list[str]], in_place: bool = False) -> np.ndarray:
        """The features with categorical codes mapped onto ``categories`` (a value not among them: missing);
        ``in_place``: these rows' own array (they are not recoded again)."""
        x = self.x if in_place and len(self.parts) == 1 else self.x.copy()
        for name in CATEGORICAL:
            j = FEATURES.index(name)
            where = {v: i for i, v in enumerate(categories.get(name, []))}
            table = np.array([where.get(v, np.nan) for v in self.seen[name]] + [np.nan], dtype=np.float32)
            col = x[:, j]
            codes = np.where(np.isnan(col), len(table) - 1, col).astype(np.int64)
            x[:, j] = table[codes]
        return x

    def recency(self) -> np.ndarray:
        """The recency rule's score: days since the last transaction (never: longer than anyone)."""
        days = self.x[:, DAYS].astype(np.float64)
        return np.where(np.isnan(days), np.nanmax(days, initial=0.0) + 1, days)


def _encode(frame: pl.DataFrame, seen: dict[str, list[str]]) -> np.ndarray:
    """The FEATURES of a block as float32, categorical values as first-seen codes (growing ``seen``)."""
    x = np.empty((frame.height, len(FEATURES)), dtype=np.float32)
    for j, name in enumerate(FEATURES):
        if name in CATEGORICAL:
            known = seen.setdefault(name, [])
            for v in frame[name].unique(maintain_order=True).to_list():
                if v is not None and v not in known:
                    known.append(v)
            codes = {v: i for i, v in enumerate(known)}
            col = frame[name].replace_strict(codes, default=None, return_dtype=pl.Float32)
        else:
            col = frame[name].cast(pl.Float32)
        x[:, j] = col.fill_null(np.nan).to_numpy()
    return x


def gather(blocks: Iterable[pl.DataFrame], month: date | None = None) -> Labelled:
    """The eligible, labelled rows of feature blocks (each as ``features.build`` returns it), in block order;
    ``month``: that month's rows only."""
    seen: dict[str, list[str]] = {name: [] for name in CATEGORICAL}
    xs, ys, mis = [], [], []
    for block in blocks:
        keep = pl.col("eligible") & pl.col("label").is_not_null()
        if month is not None:
            keep = keep & (pl.col("month") == month)
        rows = block.filter(keep)
        if rows.is_empty():
            continue
        xs.append(_encode(rows, seen))
        ys.append(rows["label"].to_numpy().astype(np.int8))
        mi = rows["month"].dt.year().cast(pl.Int32) * 12 + rows["month"].dt.month().cast(pl.Int32) - 1
        mis.append(mi.to_numpy().astype(np.int32))
        del rows
    if not xs:
        return Labelled([], np.empty(0, dtype=np.int8), np.empty(0, dtype=np.int32), seen)
    return Labelled(xs, np.concatenate(ys), np.concatenate(mis), seen)
