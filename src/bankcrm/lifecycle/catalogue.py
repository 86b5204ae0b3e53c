"""The lifecycle as shipped data: stages (code table lifecycle_stage), ordered rules and the playbook
(reference_data/catalogue/lifecycle_rule.csv, lifecycle_playbook.csv), each read once and checked.

A rule's ``when`` is conditions joined by `` and ``, each ``FIGURE OP VALUE``: OP one of < <= > >= = != and
``in`` (VALUE a list of stage codes joined by ``|``; NONE is "not evaluated before"). The figures are FIGURES.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bankcrm.kit.i18n import N_

DATA_DIR = Path(__file__).resolve().parent.parent / "reference_data"
NONE = "NONE"  # stage_before of a customer not evaluated before
OPS = ("<=", ">=", "!=", "<", ">", "=", "in")

# Figure → (label msgid, unit): what a rule may read, computed per customer for the month evaluated.
FIGURES: dict[str, tuple[str, str]] = {
    "stage_before": (N_("Stage last month"), "stage"),
    "aum": (N_("AUM at month-end"), "money"),
    "aum_1m_ago": (N_("AUM a month before"), "money"),
    "aum_3m_ago": (N_("AUM 3 months before"), "money"),
    "aum_max_3m": (N_("Highest month-end AUM over 3 months"), "money"),
    "aum_change_1m_pct": (N_("AUM change over 1 month"), "pct"),
    "aum_change_3m_pct": (N_("AUM change over 3 months"), "pct"),
    "products": (N_("Products held"), "count"),
    "products_1m_ago": (N_("Products held a month before"), "count"),
    "products_change_1m": (N_("Change in products held over 1 month"), "count"),
    "loans": (N_("Loans outstanding"), "money"),
    "tenure_months": (N_("Months since the first product"), "count"),
    "transactions": (N_("Transactions in the month"), "count"),
}


@dataclass(frozen=True)
class Condition:
    """One ``FIGURE OP VALUE`` of a rule."""

    figure: str
    op: str
    value: float | tuple[str, ...]


@dataclass(frozen=True)
class Rule:
    """A rule: when all its conditions hold (first rule in order wins), the customer is in ``to_stage``."""

    code: str
    to_stage: str
    when: str
    conditions: tuple[Condition, ...]
    label_en: str
    label_zh: str
    order: int

    def figures(self) -> list[str]:
        """The figures its conditions read, each once, in order."""
        return list(dict.fromkeys(c.figure for c in self.conditions))


@dataclass(frozen=True)
class Play:
    """The task a stage entry raises for the customer's manager."""

    stage: str
    task_kind: str
    due_days: int
    label_en: str
    label_zh: str


class RuleError(ValueError):
    """A rule that does not parse, naming the part at fault."""


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@cache
def stages() -> tuple[str, ...]:
    """The stage codes in display order."""
    rows = _csv(DATA_DIR / "lifecycle_stage.csv")
    return tuple(r["code"] for r in sorted(rows, key=lambda r: int(r["sort_order"])))


def parse(when: str, known_stages: tuple[str, ...]) -> tuple[Condition, ...]:
    """A ``when`` text → its conditions; RuleError names the condition at fault."""
    out = []
    for part in when.split(" and "):
        words = part.split()
        if len(words) != 3:
            raise RuleError(f"condition {part.strip()!r}: not FIGURE OP VALUE")
        figure, op, value = words
        if figure not in FIGURES:
            raise RuleError(f"condition {part.strip()!r}: no figure {figure}")
        if op not in OPS:
            raise RuleError(f"condition {part.strip()!r}: no operator {op}")
        if FIGURES[figure][1] == "stage":
            codes = tuple(value.split("|"))
            unknown = sorted(set(codes) - {*known_stages, NONE})
            if op != "in" or unknown:
                raise RuleError(f"condition {part.strip()!r}: a stage takes 'in' and stage codes")
            out.append(Condition(figure, op, codes))
            continue
        try:
            number = float(value)
        except ValueError:
            raise RuleError(f"condition {part.strip()!r}: {value} is not a number") from None
        if op == "in":
            raise RuleError(f"condition {part.strip()!r}: 'in' takes stage codes")
        out.append(Condition(figure, op, number))
    return tuple(out)


@cache
def rules() -> tuple[Rule, ...]:
    """The rules in the order they are tried; a bad row raises ValueError naming it."""
    known = stages()
    out = []
    for r in sorted(_csv(DATA_DIR / "catalogue" / "lifecycle_rule.csv"), key=lambda r: int(r["sort_order"])):
        if r["to_stage"] not in known or not (r["label_en"] and r["label_zh"]):
            raise ValueError(f"lifecycle_rule.csv: bad row {r['code']}")
        try:
            conditions = parse(r["when"], known)
        except RuleError as exc:
            raise ValueError(f"lifecycle_rule.csv: rule {r['code']}: {exc}") from exc
        out.append(
            Rule(r["code"], r["to_stage"], r["when"], conditions, r["label_en"], r["label_zh"], int(r["sort_order"]))
        )
    if len({r.code for r in out}) != len(out):
        raise ValueError("lifecycle_rule.csv: a rule code twice")
    return tuple(out)


@cache
def playbook() -> dict[str, Play]:
    """Stage → the task its entry raises (stages without a play raise none)."""
    known = stages()
    out: dict[str, Play] = {}
    for r in _csv(DATA_DIR / "catalogue" / "lifecycle_playbook.csv"):
        if r["stage"] not in known or r["stage"] in out or int(r["due_days"]) < 0:
            raise ValueError(f"lifecycle_playbook.csv: bad row {r['stage']}")
        out[r["stage"]] = Play(r["stage"], r["task_kind"], int(r["due_days"]), r["label_en"], r["label_zh"])
    return out


def rule_of(code: str) -> Rule | None:
    """A rule by its code (None: no longer shipped)."""
    return next((r for r in rules() if r.code == code), None)
