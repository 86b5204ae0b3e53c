"""The shipped workflow catalogue (workflow_state.csv, workflow_transition.csv), read and checked."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

CATALOGUE_DIR = Path(__file__).resolve().parent.parent / "reference_data" / "catalogue"


@dataclass(frozen=True)
class State:
    """One row of workflow_state.csv."""

    workflow: str
    code: str
    label_en: str
    label_zh: str
    sort_order: int
    initial: bool


@dataclass(frozen=True)
class Transition:
    """One row of workflow_transition.csv."""

    workflow: str
    from_state: str
    to_state: str
    permission: str
    label_en: str
    label_zh: str


@dataclass(frozen=True)
class Catalogue:
    """Every workflow's states and transitions as shipped."""

    states: tuple[State, ...]
    transitions: tuple[Transition, ...]

    def codes(self, workflow: str) -> tuple[str, ...]:
        """A workflow's state codes in display order."""
        return tuple(s.code for s in sorted(self.states, key=lambda s: s.sort_order) if s.workflow == workflow)


def _rows(name: str) -> list[dict[str, str]]:
    with (CATALOGUE_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def load() -> Catalogue:
    """Read both files; a transition naming an unknown state, a blank permission or label raises ValueError."""
    states = tuple(
        State(r["workflow"], r["code"], r["label_en"], r["label_zh"], int(r["sort_order"]), r["initial"] == "Y")
        for r in _rows("workflow_state")
    )
    transitions = tuple(
        Transition(r["workflow"], r["from_state"], r["to_state"], r["permission"], r["label_en"], r["label_zh"])
        for r in _rows("workflow_transition")
    )
    known = {(s.workflow, s.code) for s in states}
    for line, s in enumerate(states, start=2):
        if not (s.code and s.label_en and s.label_zh):
            raise ValueError(f"workflow_state.csv line {line}: code and both labels are required")
    for workflow in {s.workflow for s in states}:
        initial = [s.code for s in states if s.workflow == workflow and s.initial]
        if len(initial) != 1:
            raise ValueError(f"workflow_state.csv: workflow {workflow} needs exactly one initial state, has {initial}")
    for line, t in enumerate(transitions, start=2):
        for state in (t.from_state, t.to_state):
            if (t.workflow, state) not in known:
                raise ValueError(f"workflow_transition.csv line {line}: {t.workflow} has no state {state!r}")
        if not (t.permission and t.label_en and t.label_zh):
            raise ValueError(f"workflow_transition.csv line {line}: permission and both labels are required")
    return Catalogue(states, transitions)
