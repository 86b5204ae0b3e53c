"""The churn model as shipped data: the label definition and training settings (catalogue/churn_setting.csv)
and the reason templates (catalogue/churn_reason.csv), each read once and checked.

A reason's ``features`` are the model features whose contributions it sums (joined by ``|``); ``applies`` is
``OP NUMBER`` on the first feature's value (the reason is said only when it holds); a template names features in
braces with a format: ``money`` (yuan, thousands separated), ``int``, ``abs``, ``negpct`` (a fall as a positive
percentage), ``pct``.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

DATA_DIR = Path(__file__).resolve().parent.parent / "reference_data" / "catalogue"
OPS = ("<=", ">=", "<", ">", "=")
FIELD = re.compile(r"\{([a-z0-9_]+):([a-z]+)\}")
FORMATS = ("money", "int", "abs", "negpct", "pct")


@dataclass(frozen=True)
class Settings:
    """The label definition and the training settings."""

    horizon_months: int = 3
    average_months: int = 6
    aum_fraction: float = 0.2
    min_average_aum: int = 100_000  # fen
    validation_gap_months: int = 3
    max_train_rows: int = 2_000_000
    num_boost_round: int = 200
    learning_rate: float = 0.05
    num_leaves: int = 31
    max_depth: int = 8
    min_data_in_leaf: int = 50
    seed: int = 20261204
    num_threads: int = 1
    reason_share: float = 0.05
    top_reasons: int = 3
    warning_threshold: float = 0.3
    top_k_share: float = 0.05
    leakage_auc: float = 0.98
    block_customers: int = 50_000
    score_threads: int = 2


@dataclass(frozen=True)
class Reason:
    """A reason template over one or more features."""

    code: str
    features: tuple[str, ...]
    op: str
    bound: float
    template_en: str
    template_zh: str

    def applies(self, value: float) -> bool:
        """Whether the first feature's value makes this reason true to say."""
        op, b = self.op, self.bound
        return {
            "<": value < b,
            "<=": value <= b,
            ">": value > b,
            ">=": value >= b,
            "=": value == b,
        }[op]

    def holds(self, values: np.ndarray) -> np.ndarray:
        """``applies`` over an array of first-feature values at once (missing values never hold)."""
        compare = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal, "=": np.equal}[self.op]
        held: np.ndarray = np.asarray(compare(values, self.bound), dtype=bool) & ~np.isnan(values)
        return held

    def template(self, locale: str) -> str:
        """The template in the reader's language."""
        return self.template_zh if locale == "zh_CN" else self.template_en


def _csv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@cache
def settings() -> Settings:
    """The shipped settings; an unknown code or a value of the wrong type raises ValueError naming it."""
    defaults = Settings()
    values: dict[str, int | float] = {}
    for row in _csv("churn_setting.csv"):
        code = row["code"]
        if not hasattr(defaults, code):
            raise ValueError(f"churn_setting.csv: no setting {code}")
        kind = type(getattr(defaults, code))
        try:
            values[code] = kind(row["value"])
        except ValueError:
            raise ValueError(f"churn_setting.csv: {code}: {row['value']} is not a {kind.__name__}") from None
    return Settings(**values)  # type: ignore[arg-type]


def parse_applies(text: str) -> tuple[str, float]:
    """'<0' → ('<', 0.0); ValueError otherwise."""
    for op in OPS:
        if text.startswith(op):
            return op, float(text[len(op) :])
    raise ValueError(f"not OP NUMBER: {text}")


@cache
def reasons() -> tuple[Reason, ...]:
    """The reason templates in order; a template naming a feature it does not sum, or a bad format, raises."""
    out = []
    for row in sorted(_csv("churn_reason.csv"), key=lambda r: int(r["sort_order"])):
        features = tuple(row["features"].split("|"))
        try:
            op, bound = parse_applies(row["applies"])
        except ValueError as exc:
            raise ValueError(f"churn_reason.csv: {row['code']}: {exc}") from None
        for template in (row["template_en"], row["template_zh"]):
            for name, fmt in FIELD.findall(template):
                if name not in features or fmt not in FORMATS:
                    raise ValueError(f"churn_reason.csv: {row['code']}: bad field {{{name}:{fmt}}}")
        out.append(Reason(row["code"], features, op, bound, row["template_en"], row["template_zh"]))
    return tuple(out)


def fill(template: str, values: dict[str, float]) -> str:
    """A template with its fields filled from the feature values."""

    def one(match: re.Match[str]) -> str:
        value = float(values.get(match.group(1), 0.0))
        fmt = match.group(2)
        if fmt == "money":
            return f"{value:,.0f}"
        if fmt == "int":
            return f"{round(value)}"
        if fmt == "abs":
            return f"{abs(round(value))}"
        if fmt == "negpct":
            return f"{-value:.0f}"
        return f"{value:+.0f}"

    return FIELD.sub(one, template)
