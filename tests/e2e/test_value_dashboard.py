"""In a real browser: the head office opens the value dashboard; its four charts draw under the CSP, and the
pyramid and AUM tables hold the numbers the charts were drawn from."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import Page, expect
from sqlalchemy.orm import sessionmaker

from bankcrm.db import make_engine, session_scope
from bankcrm.models.value import CustomerContribution
from tests.e2e.conftest import sign_in
from tests.e2e.test_charts_csp import _violations, _watch
from tests.factories import make_customer
from tests.insight.helpers import snapshot_row

MAY, JUNE = date(2020, 5, 1), date(2020, 6, 1)  # months before any other browser test's: they stay the newest
# cif: (unit, kind, tier in May, tier in June, AUM month-end in June (fen), contribution in June (fen))
CUSTOMERS = {
    "90000007101": ("BJ-CY", "individual", "MASS", "VIP", 8_000_000, 12_000),
    "90000007102": ("BJ-HD", "individual", "VIP", "VIP", 6_500_000, 3_000),
    "90000007103": ("SH", "corporate", "C_GENERAL", "C_KEY", 900_000_000, 50_000),
}


def _money(text: str) -> float:
    """A table cell as the number the chart drew: 12,345.00 → 12345.0 (— is 0)."""
    return 0.0 if text.strip() == "—" else float(text.strip().replace(",", ""))


def test_the_value_dashboard_draws_its_charts_and_its_tables_hold_their_data(
    page: Page, live_server: str, live_database_url: str
) -> None:
    # Given three customers with snapshot rows for May and June 2020 and June's contribution
    engine = make_engine(live_database_url)
    with session_scope(sessionmaker(bind=engine)) as db:
        for cif, (unit, kind, may, june, aum, amount) in CUSTOMERS.items():
            c = make_customer(db, cif, unit=unit, manager=None, kind=kind, name="钱层级")
            db.add(snapshot_row(c.id, c.home_unit_id, MAY, kind, may, aum // 2, aum // 2))
            db.add(snapshot_row(c.id, c.home_unit_id, JUNE, kind, june, aum, aum))
            db.add(
                CustomerContribution(
                    customer_id=c.id, month=JUNE, kind="fee_income", ref="FEE", days=30, amount=amount, as_of=JUNE
                )
            )
    engine.dispose()
    console = _watch(page)
    # When the head office's product manager opens the dashboard for June
    sign_in(page, live_server, "product")
    page.goto(f"{live_server}/insight/dashboard?month=2020-06")
    # Then every chart is drawn on one canvas
    for chart in (
        "#pyramid-individual-chart",
        "#pyramid-corporate-chart",
        "#migration-chart",
        "#pareto-chart",
        "#aum-chart",
    ):
        expect(page.locator(chart)).to_have_attribute("data-rendered", "true")
        expect(page.locator(f"{chart} canvas")).to_have_count(1)
    drawn = page.evaluate(
        """() => {
            const option = (id) => window.echarts.getInstanceByDom(document.querySelector(id)).getOption();
            const aum = option("#aum-chart");
            return {
                pyramid: option("#pyramid-individual-chart").series[0].data.map((d) => [d.name, d.value]),
                branches: aum.xAxis[0].data,
                aum: aum.series.map((s) => [s.name, s.data.map(Number)]),
                links: option("#migration-chart").series[0].links.map((l) => [l.source, l.target, l.value]),
            };
        }"""
    )
    # And the individual pyramid's table holds the drawn counts, highest tier first
    rows = page.locator("#pyramid-table tbody tr")
    table = [
        (rows.nth(i).locator("td").nth(1).inner_text(), int(rows.nth(i).locator("[data-cell=customers]").inner_text()))
        for i in range(4)
    ]
    assert table == [(name, value) for name, value in drawn["pyramid"]]
    assert ("Key corporate 2020-06" in [t for _s, t, _v in drawn["links"]]) and [
        "Mass 2020-05",
        "VIP 2020-06",
        1,
    ] in drawn["links"]
    # And the AUM table holds, branch by branch and tier by tier, the stacked bars' yuan
    heads = page.locator("#aum-table thead th[data-tier]")
    tiers = [(heads.nth(i).text_content() or "").strip() for i in range(heads.count())]
    body = page.locator("#aum-table tbody tr")
    assert [body.nth(i).locator("td").first.inner_text() for i in range(body.count())] == drawn["branches"]
    cells = {
        name: [_money(body.nth(b).locator("td").nth(t + 1).inner_text()) for b in range(body.count())]
        for t, name in enumerate(tiers)
    }
    assert cells == dict(drawn["aum"])
    # And the page reported no CSP violation at all
    assert _violations(page, console) == []
