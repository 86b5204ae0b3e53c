"""The sales catalogues as shipped data: opportunity stages with default probabilities and outcomes
(reference_data/catalogue/opportunity_stage.csv) and target kinds (target_kind.csv), each read once and checked."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "reference_data" / "catalogue"
OPEN, WON, LOST = "open", "won", "lost"
OUTCOMES = (OPEN, WON, LOST)
UNITS = ("count", "money")


@dataclass(frozen=True)
class Stage:
    """An opportunity stage: open ones make the pipeline; exactly one won and one lost stage close it."""

    code: str
    outcome: str
    probability_pct: int
    label_en: str
    label_zh: str
    order: int

    def label(self, locale: str) -> str:
        """The label in the reader's language."""
        return self.label_zh if locale.startswith("zh") else self.label_en


@dataclass(frozen=True)
class TargetKind:
    """A kind of target: counted or in money (fen), with its labels."""

    code: str
    unit: str
    source: str  # where the actual comes from: snapshot, holdings, opportunities or activities
    categories: tuple[str, ...]  # product categories counted (holdings kinds)
    label_en: str
    label_zh: str
    order: int

    def label(self, locale: str) -> str:
        """The label in the reader's language."""
        return self.label_zh if locale.startswith("zh") else self.label_en


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@cache
def stages() -> tuple[Stage, ...]:
    """Every stage in board order; a bad file fails loudly at first use."""
    out = []
    for n, r in enumerate(_rows("opportunity_stage.csv"), start=2):
        if r["outcome"] not in OUTCOMES or not 0 <= int(r["probability_pct"]) <= 100:
            raise ValueError(f"opportunity_stage.csv line {n}: bad outcome or probability")
        out.append(
            Stage(
                r["code"], r["outcome"], int(r["probability_pct"]), r["label_en"], r["label_zh"], int(r["sort_order"])
            )
        )
    out.sort(key=lambda s: s.order)
    if [s.outcome for s in out].count(WON) != 1 or [s.outcome for s in out].count(LOST) != 1:
        raise ValueError("opportunity_stage.csv: exactly one won and one lost stage")
    return tuple(out)


@cache
def stage_map() -> dict[str, Stage]:
    """Stage code → stage."""
    return {s.code: s for s in stages()}


def open_codes() -> tuple[str, ...]:
    """The open stages in order (the board's columns before the closing ones)."""
    return tuple(s.code for s in stages() if s.outcome == OPEN)


def won_code() -> str:
    """The one stage that closes an opportunity as won."""
    return next(s.code for s in stages() if s.outcome == WON)


def lost_code() -> str:
    """The one stage that closes an opportunity as lost."""
    return next(s.code for s in stages() if s.outcome == LOST)


@cache
def target_kinds() -> tuple[TargetKind, ...]:
    """Every target kind in display order."""
    out = []
    for n, r in enumerate(_rows("target_kind.csv"), start=2):
        if r["unit"] not in UNITS:
            raise ValueError(f"target_kind.csv line {n}: unit must be one of {UNITS}")
        cats = tuple(c for c in r["categories"].split("|") if c)
        kind = TargetKind(r["code"], r["unit"], r["source"], cats, r["label_en"], r["label_zh"], int(r["sort_order"]))
        out.append(kind)
    return tuple(sorted(out, key=lambda k: k.order))


@cache
def target_kind_map() -> dict[str, TargetKind]:
    """Target kind code → kind."""
    return {k.code: k for k in target_kinds()}
