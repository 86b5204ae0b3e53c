"""Early warning as shipped data: the signals with their thresholds, windows, weights and whether they are active
(reference_data/catalogue/warning_signal.csv) and the settings (warning_setting.csv), each read once and checked.

A signal's ``threshold`` and ``window`` mean what its entry in READS says; ``weight`` adds to a customer's score;
an inactive signal (COMPLAINTS until a complaints service exists) is listed but never evaluated.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bankcrm.kit.i18n import N_

DATA_DIR = Path(__file__).resolve().parent.parent / "reference_data" / "catalogue"
SOURCES = ("snapshot", "holdings", "assignments", "relationships", "complaints")
MODEL = "MODEL"  # leading factor of a warning a model raised

# Signal → (what threshold means, what window means, the reason in words with its figures).
READS: dict[str, tuple[str, str, str]] = {
    "AUM_DROP": (
        N_("per cent down"),
        N_("months"),
        N_("AUM down %(pct)s%% in %(months)s months (¥%(before)s → ¥%(now)s)"),
    ),
    "TRANSFER_OUT": (
        N_("transfers"),
        N_("months"),
        N_("%(count)s transfers, ¥%(amount)s, to other banks in %(months)s months"),
    ),
    "MATURED_NOT_RENEWED": (
        N_("products"),
        N_("days"),
        N_("¥%(amount)s time deposit or wealth product not renewed at maturity (%(count)s in %(days)s days)"),
    ),
    "EARLY_WITHDRAWAL": (
        N_("deposits"),
        N_("days"),
        N_("%(count)s time deposit(s), ¥%(amount)s, withdrawn before maturity in %(days)s days"),
    ),
    "PRODUCTS_DOWN": (
        N_("products fewer"),
        N_("months"),
        N_("Products held down from %(before)s to %(now)s in %(months)s months"),
    ),
    "DORMANT": (N_("days without a transaction"), N_("months"), N_("No transactions for %(days)s days")),
    "SALARY_STOPPED": (
        N_("months paid before"),
        N_("months"),
        N_("Salary credits stopped (paid in %(paid)s of the %(months)s months before, last ¥%(amount)s)"),
    ),
    "LOAN_TROUBLE": (
        N_("days overdue"),
        N_("months"),
        N_("Loan %(days)s days overdue, classified %(classification)s"),
    ),
    "MANAGER_CHANGED": (N_("changes"), N_("days"), N_("Account manager changed on %(on)s")),
    "RELATED_TROUBLE": (
        N_("members in trouble"),
        N_("months"),
        N_("%(members)s member(s) of the customer's corporate group or guarantee circle in trouble"),
    ),
    "COMPLAINTS": (N_("complaints"), N_("days"), N_("%(count)s complaints in %(days)s days")),
}


@dataclass(frozen=True)
class Signal:
    """One warning signal as configured."""

    code: str
    label_en: str
    label_zh: str
    source: str
    threshold: float
    window: int
    weight: int
    active: bool
    order: int

    def label(self, locale: str) -> str:
        """Its name in the reader's language."""
        return self.label_zh if locale == "zh_CN" else self.label_en


def _csv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@cache
def signals() -> tuple[Signal, ...]:
    """Every signal in display order; a bad row raises ValueError naming it."""
    out = []
    for n, r in enumerate(_csv("warning_signal.csv"), start=2):
        try:
            s = Signal(
                r["code"],
                r["label_en"],
                r["label_zh"],
                r["source"],
                float(r["threshold"]),
                int(r["window"]),
                int(r["weight"]),
                r["active"] == "1",
                int(r["sort_order"]),
            )
        except (KeyError, ValueError):
            raise ValueError(f"warning_signal.csv line {n}: not a signal row") from None
        if s.code not in READS or s.source not in SOURCES or s.window < 1 or s.weight < 0 or not s.label_zh:
            raise ValueError(f"warning_signal.csv line {n}: bad signal {r['code']}")
        out.append(s)
    if len({s.code for s in out}) != len(out):
        raise ValueError("warning_signal.csv: a signal code twice")
    return tuple(sorted(out, key=lambda s: s.order))


def signal(code: str) -> Signal | None:
    """A signal by code (None: not shipped, e.g. MODEL)."""
    return next((s for s in signals() if s.code == code), None)


def active() -> dict[str, Signal]:
    """The signals evaluated, by code."""
    return {s.code: s for s in signals() if s.active}


@cache
def settings() -> dict[str, float]:
    """Setting key → value."""
    return {r["key"]: float(r["value"]) for r in _csv("warning_setting.csv")}


def setting(key: str) -> float:
    """One setting (KeyError naming it when not shipped)."""
    return settings()[key]


def severity_of(score: int | None, probability: float | None) -> str:
    """HIGH / MEDIUM / LOW from the signal score and the model's probability, whichever is graver."""
    ranks = ["LOW"]
    if score is not None:
        if score >= setting("high_score"):
            ranks.append("HIGH")
        elif score >= setting("medium_score"):
            ranks.append("MEDIUM")
    if probability is not None:
        ranks.append("HIGH" if probability >= setting("high_probability") else "MEDIUM")
    return min(ranks, key=["HIGH", "MEDIUM", "LOW"].index)


ESCALATE_TO_ROLE = "management"  # the role of the branch manager a warning escalates to
PARTICIPANT_ROLES = ("product_manager", "risk_manager", "operations_manager")  # staff a branch manager brings in
