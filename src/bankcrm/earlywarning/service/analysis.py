"""After the fact: the win-back list (value lost, reason, destination, plan, what came back after 3 and 6 months by
the snapshot), the lost-customer analysis, warnings by leading factor and month, and an exploratory factor analysis
of the signal matrix (factor-analyzer: KMO, Bartlett, varimax loadings named by their heaviest signals)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.catalogue import service as catalogue_service
from bankcrm.earlywarning import catalogue
from bankcrm.earlywarning.repository import warnings as repository
from bankcrm.earlywarning.service import signals
from bankcrm.earlywarning.service.reads import factor_label, shown_name
from bankcrm.insight.service.compute import add_months

LOST_OUTCOMES = ("LOST", "PARTLY_RETAINED")
WON_SHARE = 0.5  # regaining this share of the value lost counts as won back
SALIENT = 0.4  # a loading that names its factor (the usual rule of thumb)


@dataclass
class WinBackRow:
    """One lost (or partly retained) customer on the win-back list."""

    warning_id: int
    cif_no: str
    name: str
    branch: str
    tier: str
    closed_on: date | None
    outcome: str
    value_lost: int  # fen
    reason: str | None
    destination: str | None
    plan: str | None
    after_3m: str | None  # code_item winback_result (None: the month is not in the snapshot yet)
    after_6m: str | None


def _result(regained: int | None, lost: int) -> str | None:
    if regained is None:
        return None
    if lost > 0 and regained >= lost * WON_SHARE:
        return "WON_BACK"
    return "PARTLY" if regained > 0 else "NOT_YET"


def winback(db: Session, principal: Principal) -> list[WinBackRow]:
    """Visible lost and partly retained customers, with what the snapshot shows 3 and 6 months after closing."""
    rows = repository.closed_rows(db, principal, LOST_OUTCOMES)
    months: set[date] = set()
    for w, *_ in rows:
        base = (w.closed_on or w.raised_on).replace(day=1)
        months |= {base, add_months(base, 3), add_months(base, 6)}
    aum = repository.aum_by_month(db, [w.customer_id for w, *_ in rows], sorted(months))
    out = []
    for w, cif, name, unit in rows:
        base = (w.closed_on or w.raised_on).replace(day=1)
        lost = w.value_before - (w.retained_amount or 0) if w.outcome == "PARTLY_RETAINED" else w.value_before
        start = aum.get((w.customer_id, base), w.aum)

        def after(k: int, w: Any = w, base: date = base, start: int = start, lost: int = lost) -> str | None:
            then = aum.get((w.customer_id, add_months(base, k)))
            return _result(None if then is None else then - start, lost)

        out.append(
            WinBackRow(
                w.id,
                cif,
                shown_name(name, "individual"),
                unit.code,
                w.tier,
                w.closed_on,
                w.outcome,
                max(lost, 0),
                w.lost_reason,
                w.lost_to_bank,
                w.winback_plan,
                after(3),
                after(6),
            )
        )
    return out


@dataclass
class Breakdown:
    """Lost customers and value lost, by one key."""

    key: str
    customers: int = 0
    value: int = 0


def lost_analysis(rows: list[WinBackRow]) -> dict[str, list[Breakdown]]:
    """By reason, destination, tier, branch and value band: customers and value lost, largest value first."""
    bands = ((100_000_000, "≥ ¥1,000,000"), (10_000_000, "¥100,000–1,000,000"), (0, "< ¥100,000"))
    keys: dict[str, Callable[[WinBackRow], str]] = {
        "reason": lambda r: r.reason or "—",
        "destination": lambda r: r.destination or "—",
        "tier": lambda r: r.tier or "—",
        "branch": lambda r: r.branch,
        "value": lambda r: next(label for floor, label in bands if r.value_lost >= floor),
    }
    out: dict[str, list[Breakdown]] = {}
    for name, key in keys.items():
        acc: dict[str, Breakdown] = {}
        for r in rows:
            b = acc.setdefault(key(r), Breakdown(key(r)))
            b.customers += 1
            b.value += r.value_lost
        out[name] = sorted(acc.values(), key=lambda b: (-b.value, b.key))
    return out


@dataclass
class FactorShare:
    """Warnings led by one factor: how many, their share, and per month."""

    code: str
    label: str
    warnings: int
    share: float
    by_month: dict[str, int] = field(default_factory=dict)


def factor_shares(
    db: Session, principal: Principal, under_path: str, tier: str | None, locale: str
) -> tuple[list[str], list[FactorShare]]:
    """The months seen and, per leading factor, its share of the visible warnings raised under the unit."""
    rows = repository.factor_rows(db, principal, under_path, tier)
    total = len(rows)
    counts = Counter(f for _, f in rows)
    monthly: dict[str, Counter[str]] = defaultdict(Counter)
    for raised, f in rows:
        monthly[f][f"{raised:%Y-%m}"] += 1
    months = sorted({f"{r:%Y-%m}" for r, _ in rows})
    shares = [
        FactorShare(code, factor_label(code, locale), n, n / total if total else 0.0, dict(monthly[code]))
        for code, n in counts.most_common()
    ]
    return months, shares


@dataclass
class Efa:
    """The exploratory factor analysis of one month's signal matrix."""

    month: str | None
    customers: int
    variables: list[str]  # signal labels
    kmo: float | None = None
    bartlett_chi2: float | None = None
    bartlett_p: float | None = None
    factors: list[dict[str, Any]] = field(default_factory=list)  # {"name", "loadings": {label: value}}
    note: str | None = None


MATRIX = {  # signal → the continuous figure the matrix holds for it
    "AUM_DROP": pl.col("aum_drop_pct").fill_null(0).clip(-100, 100),
    "TRANSFER_OUT": pl.col("transfers").fill_null(0),
    "PRODUCTS_DOWN": pl.col("products_fewer").fill_null(0),
    "DORMANT": pl.col("days_since_txn_0").fill_null(0),
    "SALARY_STOPPED": pl.col("SALARY_STOPPED").cast(pl.Int8),
}


def efa(db: Session, today: date, locale: str, n_factors: int = 2, cap: int = 50_000) -> Efa:
    """KMO, Bartlett and varimax loadings of the snapshot signals' figures over the newest completed month."""
    from factor_analyzer import FactorAnalyzer  # heavy import, only for this page
    from factor_analyzer.factor_analyzer import calculate_bartlett_sphericity, calculate_kmo
    from factor_analyzer.rotator import Rotator
    from factor_analyzer.utils import corr

    from bankcrm.earlywarning.repository import snapshot

    month = snapshot.newest_completed(db)
    active = [c for c in MATRIX if c in catalogue.active()]
    labels = [catalogue.signal(c).label(locale) for c in active]  # type: ignore[union-attr]
    if month is None:
        return Efa(None, 0, labels, note="no completed snapshot month")
    parts = [f.select([MATRIX[c].alias(c) for c in active]) for f in signals.frames(db, month)]
    matrix = pl.concat(parts).head(cap) if parts else pl.DataFrame()
    matrix = matrix.select([c for c in active if matrix[c].std() not in (None, 0.0)]) if matrix.height else matrix
    used = [catalogue.signal(c).label(locale) for c in matrix.columns]  # type: ignore[union-attr]
    result = Efa(f"{month:%Y-%m}", matrix.height, used)
    if matrix.height < 10 or matrix.width < 3:
        result.note = "too few customers or varying signals for a factor analysis"
        return result
    values = matrix.to_numpy().astype(float)
    chi2, p = calculate_bartlett_sphericity(values)
    _, kmo = calculate_kmo(values)
    k = max(1, min(n_factors, matrix.width - 1))
    # factor-analyzer 0.5.1's fit() passes scikit-learn a keyword removed in 1.6 (force_all_finite), so the same
    # steps are run here on the correlation matrix: its minres extraction, then its varimax rotation.
    fa = FactorAnalyzer(n_factors=k, rotation=None, method="minres")
    matrix_l = fa._fit_factor_analysis(corr(values))
    if k > 1:
        matrix_l = Rotator(method="varimax").fit_transform(matrix_l)
    result.kmo, result.bartlett_chi2, result.bartlett_p = float(kmo), float(chi2), float(p)
    for j in range(k):
        loadings = {used[i]: round(float(matrix_l[i, j]), 2) for i in range(len(used))}
        ranked = sorted(loadings, key=lambda n: -abs(loadings[n]))
        top = [n for n in ranked[:2] if abs(loadings[n]) >= SALIENT] or ranked[:1]
        result.factors.append({"name": " + ".join(top), "loadings": loadings})
    return result


def code_labels(db: Session, locale: str) -> dict[str, dict[str, str]]:
    """The labels the win-back page shows."""
    return catalogue_service.code_labels(db, ("lost_reason", "warning_outcome", "winback_result"), locale)
