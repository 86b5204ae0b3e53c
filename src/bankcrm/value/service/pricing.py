"""The pricing in force: FTP curve points and value parameters as of a day, and an account's term bucket."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from bankcrm.value import repository

PARAMETER_KINDS = ("provision", "service_product", "service_txn")


@dataclass(frozen=True)
class Curve:
    """One currency's curve: (upper bound in months or None, term code, rate bp), shortest term first."""

    points: tuple[tuple[int | None, str, int], ...]

    def bucket(self, term_months: int | None) -> tuple[str, int]:
        """The term code and rate for a term (None or 0: demand): the shortest bucket whose bound covers it."""
        term = term_months or 0
        for bound, code, rate in self.points:
            if bound is None or term <= bound:
                return code, rate
        bound, code, rate = self.points[-1]
        return code, rate


@dataclass(frozen=True)
class Pricing:
    """Everything a month is priced with: curves by currency and parameters by kind and code."""

    effective: date  # the newest effective date among the rows used
    curves: dict[str, Curve]
    parameters: dict[str, dict[str, int]] = field(default_factory=dict)

    def parameter(self, kind: str, code: str | None) -> int:
        """A parameter's value (0 when the bank configured none for that code)."""
        return self.parameters.get(kind, {}).get(code or "", 0)

    def rates(self) -> dict[str, dict[str, int]]:
        """Currency → term code → rate bp (what a change form starts from)."""
        return {cur: {code: rate for _, code, rate in c.points} for cur, c in self.curves.items()}


def _sort_key(point: tuple[int | None, str, int]) -> tuple[int, int]:
    bound = point[0]
    return (1, 0) if bound is None else (0, bound)


def in_force(db: Session, day: date) -> Pricing:
    """The curve points and parameters in force on ``day``: per key, the row with the latest effective date ≤ day."""
    latest: dict[tuple[str, str], tuple[date, int | None, int]] = {}
    for r in repository.ftp_rows(db):
        if r.effective_from <= day:
            latest[(r.currency, r.term_code)] = (r.effective_from, r.max_term_months, r.rate_bp)
    points: dict[str, list[tuple[int | None, str, int]]] = {}
    for (currency, code), (_, bound, rate) in latest.items():
        points.setdefault(currency, []).append((bound, code, rate))
    curves = {cur: Curve(tuple(sorted(p, key=_sort_key))) for cur, p in points.items()}
    params: dict[str, dict[str, int]] = {}
    newest = [v[0] for v in latest.values()]
    seen: dict[tuple[str, str], date] = {}
    for p in repository.parameter_rows(db):
        if p.effective_from <= day:
            params.setdefault(p.kind, {})[p.code] = p.value
            seen[(p.kind, p.code)] = p.effective_from
    newest += list(seen.values())
    return Pricing(max(newest) if newest else day, curves, params)


def effective_dates(db: Session) -> list[date]:
    """Every date a curve or parameter set took effect, newest first."""
    days = {r.effective_from for r in repository.ftp_rows(db)} | {
        p.effective_from for p in repository.parameter_rows(db)
    }
    return sorted(days, reverse=True)
