"""What the snapshot offers, as shipped data (reference_data/catalogue/): the feature catalogue, the value tiers
and the eight RFM groups, each read once and checked; plus the fixed snapshot columns of product categories and
transaction channels (a test checks every code of those code tables has its column)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path

CATALOGUE_DIR = Path(__file__).resolve().parent.parent / "reference_data" / "catalogue"
FEATURE_TYPES = frozenset({"money", "integer", "code", "reference"})
FEATURE_MONTHS = frozenset({"current", "change"})
KINDS = ("individual", "corporate")

# Snapshot columns that hold no feature: the row's key and bookkeeping.
NOT_FEATURES = frozenset({"month", "customer_id", "as_of", "computed_at"})

# AUM parts: product category → the column prefix of its month-end and month-average balances.
AUM_PARTS = {"DEMAND": "demand", "TIME": "time", "WEALTH": "wealth", "FUND": "fund", "INSURANCE": "insurance"}
DEPOSIT_PARTS = ("demand", "time")
# Products held: product category → its ``held_`` column (both loan categories count as loans).
HELD = {
    "DEMAND": "held_demand",
    "TIME": "held_time",
    "WEALTH": "held_wealth",
    "FUND": "held_fund",
    "INSURANCE": "held_insurance",
    "PLOAN": "held_loan",
    "CLOAN": "held_loan",
    "CARD": "held_credit_card",
    "DEBIT_CARD": "held_debit_card",
    "BAB": "held_bill",
}
# Vouchers by channel: txn_channel code → the prefix of its ``_count`` and ``_amount`` columns.
CHANNELS = {
    "COUNTER": "txn_counter",
    "ATM": "txn_atm",
    "MOBILE": "txn_mobile",
    "ONLINE": "txn_online",
    "POS": "txn_pos",
    "WECHAT": "txn_wechat",
    "BATCH": "txn_batch",
}
SALARY_PURPOSE = "SALARY"  # txn_purpose code of salary credits


def _label(en: str, zh: str, locale: str) -> str:
    return zh if locale.startswith("zh") else en


@dataclass(frozen=True)
class Feature:
    """One column of the snapshot a user may select: its labels, type, unit and meaning in both languages."""

    name: str
    label_en: str
    label_zh: str
    type: str
    unit: str
    description_en: str
    description_zh: str
    month: str

    def label(self, locale: str) -> str:
        """The label in the reader's language."""
        return _label(self.label_en, self.label_zh, locale)

    def description(self, locale: str) -> str:
        """The description in the reader's language."""
        return _label(self.description_en, self.description_zh, locale)


@dataclass(frozen=True)
class Tier:
    """A value tier of one customer kind: reached at ``min_balance`` (inclusive) of month-average AUM
    (individuals) or deposits (corporates), or at ``min_loans`` (inclusive) of loans outstanding (corporates)."""

    code: str
    kind: str
    label_en: str
    label_zh: str
    min_balance: int
    min_loans: int | None
    rank: int  # 0 the lowest tier of its kind

    def label(self, locale: str) -> str:
        """The label in the reader's language."""
        return _label(self.label_en, self.label_zh, locale)


@dataclass(frozen=True)
class RfmGroup:
    """One of the eight classic RFM groups: whether each score is high (H) or low (L)."""

    code: str
    recency: str
    frequency: str
    monetary: str
    label_en: str
    label_zh: str

    def label(self, locale: str) -> str:
        """The label in the reader's language."""
        return _label(self.label_en, self.label_zh, locale)


def _rows(name: str) -> list[dict[str, str]]:
    with (CATALOGUE_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@cache
def features() -> tuple[Feature, ...]:
    """The feature catalogue in display order; a bad row raises ValueError naming it."""
    out = tuple(Feature(**r) for r in _rows("feature.csv"))
    for f in out:
        if f.type not in FEATURE_TYPES or f.month not in FEATURE_MONTHS or not (f.label_en and f.label_zh):
            raise ValueError(f"feature.csv: bad row {f.name}")
        if not (f.description_en and f.description_zh):
            raise ValueError(f"feature.csv: {f.name} has no description")
    if len({f.name for f in out}) != len(out):
        raise ValueError("feature.csv: a feature appears twice")
    return out


@cache
def tiers() -> tuple[Tier, ...]:
    """The value tiers, per kind lowest first; the lowest tier of each kind starts at 0."""
    rows = sorted(_rows("value_tier.csv"), key=lambda r: (r["kind"], int(r["sort_order"])))
    out: list[Tier] = []
    for r in rows:
        if r["kind"] not in KINDS:
            raise ValueError(f"value_tier.csv: bad kind in row {r['code']}")
        rank = sum(1 for t in out if t.kind == r["kind"])
        loans = int(r["min_loans"]) if r["min_loans"] else None
        out.append(Tier(r["code"], r["kind"], r["label_en"], r["label_zh"], int(r["min_balance"]), loans, rank))
    for kind in KINDS:
        own = [t for t in out if t.kind == kind]
        if not own or own[0].min_balance != 0 or any(a.min_balance >= b.min_balance for a, b in pairwise(own)):
            raise ValueError(f"value_tier.csv: the {kind} tiers must start at 0 and rise")
    return tuple(out)


def tier(code: str) -> Tier | None:
    """The tier with this code."""
    return next((t for t in tiers() if t.code == code), None)


@cache
def rfm_groups() -> tuple[RfmGroup, ...]:
    """The eight RFM groups in display order, one per high/low combination."""
    rows = sorted(_rows("rfm_group.csv"), key=lambda r: int(r["sort_order"]))
    out = tuple(
        RfmGroup(r["code"], r["recency"], r["frequency"], r["monetary"], r["label_en"], r["label_zh"]) for r in rows
    )
    if len({(g.recency, g.frequency, g.monetary) for g in out}) != 8 or len(out) != 8:
        raise ValueError("rfm_group.csv: one group for each of the eight high/low combinations")
    return out


def rfm_group(code: str) -> RfmGroup | None:
    """The RFM group with this code."""
    return next((g for g in rfm_groups() if g.code == code), None)
