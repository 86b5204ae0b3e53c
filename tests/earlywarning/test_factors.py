"""Warning factors: the share of warnings by leading factor and month under a unit, and the exploratory factor
analysis of the signal matrix (KMO, Bartlett, loadings named by their signals)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from bankcrm.earlywarning.service import analysis, raising
from tests.lifecycle.helpers import given_a_customer_over, held
from tests.value.helpers import principal

TODAY = date(2026, 12, 3)
PAY = {"salary_count": 1, "salary_amount": 1_500_000}


def given_forty_customers(db: Session) -> None:
    """40 customers of am1: every 4th loses AUM and products together, every 5th sends money to other banks and
    goes quiet; the rest steady."""
    for n in range(40):
        fall, leave = n % 4 == 0, n % 5 == 0
        steady = held(4, 10_000_000 + n * 10_000, **PAY, days_since_txn=2 + n % 3)
        last = held(
            1 if fall else 4,
            (2_000_000 if fall else 10_000_000) + n * 10_000,
            **PAY,
            days_since_txn=(100 + n) if leave else 2 + n % 3,
            transfer_out_other_count=3 if leave else 0,
            transfer_out_other_amount=30_000_000 if leave else 0,
        )
        given_a_customer_over(db, f"9400000{n:04d}", [steady, steady, steady, steady, last])


def test_shares_by_leading_factor_and_month(db: Session) -> None:
    # Given the forty customers and the step run on 3 December
    given_forty_customers(db)
    raising.raise_from_signals(db, TODAY)
    # When am1 reads the factors under Beijing
    months, shares = analysis.factor_shares(db, principal(db, "am1"), "/", None, "en")
    # Then 10 warnings are led by the AUM drop (the heaviest) and 6 by transfers out; all raised in December
    assert months == ["2026-12"]
    assert [(s.code, s.warnings, round(s.share, 3), s.by_month) for s in shares] == [
        ("AUM_DROP", 10, 0.625, {"2026-12": 10}),
        ("TRANSFER_OUT", 6, 0.375, {"2026-12": 6}),
    ]


def test_the_factor_analysis_reports_kmo_bartlett_and_named_loadings(db: Session) -> None:
    # Given the forty customers
    given_forty_customers(db)
    # When the signal matrix of November is analysed
    fa = analysis.efa(db, TODAY, "en")
    # Then it read 40 customers and the four varying signals, reports KMO and Bartlett, and names two factors
    assert (fa.month, fa.customers, fa.note) == ("2026-11", 40, None)
    assert fa.variables == [
        "AUM down over recent months",
        "Transfers out to other banks",
        "Fewer products held",
        "No transactions for a long time",
    ]
    assert fa.kmo is not None and 0 < fa.kmo <= 1
    assert fa.bartlett_p is not None and fa.bartlett_p < 0.001
    named = {frozenset(f["name"].split(" + ")) for f in fa.factors}
    assert named == {
        frozenset({"AUM down over recent months", "Fewer products held"}),
        frozenset({"Transfers out to other banks", "No transactions for a long time"}),
    }


def test_the_factors_and_win_back_pages_show_the_analysis(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import signed_in

    # Given the forty customers, their warnings raised
    given_forty_customers(db)
    raising.raise_from_signals(db, TODAY)
    db.commit()
    # When the branch manager opens the factors page with the factor analysis, and the win-back page
    manager = signed_in(client, "manager")
    factors = manager.get("/warnings/factors?unit=BJ&efa=true")
    winback = manager.get("/warnings/winback")
    # Then both answer, with the shares, KMO and loadings
    assert factors.status_code == 200 and winback.status_code == 200
    assert 'data-factor="AUM_DROP"' in factors.text and "KMO" in factors.text and 'id="efa-loadings"' in factors.text
    assert "No lost customers." in winback.text
