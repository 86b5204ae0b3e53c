"""The value dashboard's figures laid out as tables: the grids the page shows, the rows each export writes, and the
charts' data (amounts in yuan as exact decimal text)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bankcrm.insight.schemas import DashboardRead, MigrationMatrix
from bankcrm.kit.i18n import N_, gettext_for

PARTS = ("pyramid", "migration", "aum", "pareto")
NONE_BEFORE = N_("New (no row last month)")
NONE_NOW = N_("Gone (no row this month)")
KIND_LABELS = {"individual": N_("Individual"), "corporate": N_("Corporate")}
HEADERS = {
    "pyramid": (
        N_("Kind"),
        N_("Value tier"),
        N_("Tier code"),
        N_("Customers"),
        N_("AUM, month-end (yuan)"),
        N_("AUM, month average (yuan)"),
    ),
    "migration": (N_("Kind"), N_("Tier last month"), N_("Tier this month"), N_("Customers")),
    "aum": (
        N_("Unit code"),
        N_("Unit"),
        N_("Value tier"),
        N_("Tier code"),
        N_("Customers"),
        N_("AUM, month-end (yuan)"),
    ),
    "pareto": (N_("Top customers (%)"), N_("Customers"), N_("Share of the value created (%)")),
}


def yuan(fen: int) -> str:
    """Fen as yuan in exact decimal text."""
    return f"{Decimal(fen).scaleb(-2):.2f}"


def migration_grid(matrix: MigrationMatrix) -> list[tuple[str | None, list[tuple[str | None, int]]]]:
    """Rows (last month's tier, then "new") × columns (this month's tier, then "gone"): each cell's customers."""
    counts = {(c.from_tier, c.to_tier): c.customers for c in matrix.cells}
    codes: list[str | None] = [t.code for t in matrix.tiers]
    return [(was, [(now, counts.get((was, now), 0)) for now in [*codes, None]]) for was in [*codes, None]]


def aum_grid(read: DashboardRead) -> list[tuple[str, str, dict[str, tuple[int, int]]]]:
    """Per branch: its code, label and tier → (customers, month-end AUM)."""
    by_unit: dict[str, dict[str, tuple[int, int]]] = {}
    for c in read.aum_by_branch_tier:
        by_unit.setdefault(c.unit, {})[c.tier] = (c.customers, c.aum_end)
    return [(b.code, b.label, by_unit.get(b.code, {})) for b in read.branches]


def rows(read: DashboardRead, part: str, locale: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """One table of the dashboard as export headers and rows (amounts in yuan)."""
    headers = [gettext_for(locale, h) for h in HEADERS[part]]
    labels = {p.tier: p.label for p in read.pyramid}

    def kind(k: str) -> str:
        return gettext_for(locale, KIND_LABELS.get(k, k))

    out: list[tuple[Any, ...]] = []
    if part == "pyramid":
        out = [(kind(p.kind), p.label, p.tier, p.customers, yuan(p.aum_end), yuan(p.aum_avg)) for p in read.pyramid]
    elif part == "migration":
        before, now = gettext_for(locale, NONE_BEFORE), gettext_for(locale, NONE_NOW)
        for m in read.migration:
            for c in m.cells:
                was = labels.get(c.from_tier, c.from_tier) if c.from_tier else before
                out.append((kind(m.kind), was, labels.get(c.to_tier, c.to_tier) if c.to_tier else now, c.customers))
    elif part == "aum":
        names = {b.code: b.label for b in read.branches}
        out = [
            (c.unit, names.get(c.unit, c.unit), labels.get(c.tier, c.tier), c.tier, c.customers, yuan(c.aum_end))
            for c in read.aum_by_branch_tier
        ]
    else:
        out = [(p.top_pct, p.customers, "" if p.share_pct is None else p.share_pct) for p in read.pareto or []]
    return headers, out


def chart_data(read: DashboardRead, locale: str) -> dict[str, Any]:
    """What the page's charts draw: the pyramids, the tier-move Sankey and the stacked AUM bars (yuan)."""
    labels = {p.tier: p.label for p in read.pyramid}
    month, before = read.month or "", read.previous_month or ""
    nodes: dict[str, None] = {}
    links = []
    for m in read.migration:
        for c in m.cells:
            source = (
                f"{labels.get(c.from_tier, c.from_tier)} {before}" if c.from_tier else gettext_for(locale, NONE_BEFORE)
            )
            target = f"{labels.get(c.to_tier, c.to_tier)} {month}" if c.to_tier else gettext_for(locale, NONE_NOW)
            nodes[source] = nodes[target] = None
            links.append({"source": source, "target": target, "value": c.customers})
    grid = aum_grid(read)
    tiers = [p.tier for p in read.pyramid]
    series = [
        {"name": labels[t], "data": [yuan(cells.get(t, (0, 0))[1]) for _code, _label, cells in grid]}
        for t in tiers
        if any(t in cells for _c, _l, cells in grid)
    ]
    return {
        "pyramid": {
            k: [
                {"name": p.label, "customers": p.customers, "aum_end": yuan(p.aum_end)}
                for p in read.pyramid
                if p.kind == k
            ]
            for k in ("individual", "corporate")
        },
        "sankey": {"nodes": [{"name": n} for n in nodes], "links": links},
        "aum": {"branches": [label for _c, label, _cells in grid], "series": series},
        "pareto": {
            "x": [p.top_pct for p in read.pareto or []],
            "share": [p.share_pct for p in read.pareto or []],
        },
    }
