"""The churn pipeline without a database: the label definition, features, the same card twice, reasons in words."""

from __future__ import annotations

from datetime import date

import polars as pl

from bankcrm.churn import catalogue
from bankcrm.churn.catalogue import Settings
from bankcrm.churn.service import features, learn, pipeline, reasons
from tests.churn import synthetic

MONTHS = synthetic.months(date(2026, 1, 1), 10)


def one_customer(cid: int, aums: list[int], products: list[int] | None = None) -> pl.DataFrame:
    """Snapshot rows of one customer, one per AUM given (fen), from January 2026."""
    n = len(aums)
    products = products or [2] * n
    return pl.DataFrame(
        {
            "customer_id": [cid] * n,
            "month": MONTHS[:n],
            "kind": ["individual"] * n,
            "tier": ["MASS"] * n,
            "aum_end": aums,
            "aum_avg": aums,
            "time_end": [0] * n,
            "wealth_end": [0] * n,
            "products": products,
            "transfer_out_other_count": [0] * n,
            "transfer_out_other_amount": [0] * n,
            "salary_count": [1] * n,
            "days_since_txn": [3] * n,
            "tenure_months": [40 + i for i in range(n)],
            "age": [40] * n,
            "txn_count": [10] * n,
        }
    )


def labels(frame: pl.DataFrame, last: date | None = None) -> dict[tuple[int, str], int | None]:
    built = features.build(frame, Settings(), last)
    return {(r["customer_id"], f"{r['month']:%Y-%m}"): r["label"] for r in built.iter_rows(named=True)}


def test_aum_below_a_fifth_of_its_six_month_average_within_three_months_is_churn() -> None:
    # Given a customer at ¥1,000 for six months whose AUM falls to ¥190 (below 20 % of the average) in August
    frame = one_customer(1, [100_000] * 7 + [19_000, 19_000, 19_000])
    # When the labels are derived with the shipped definition (3 months ahead)
    got = labels(frame)
    # Then May, June and July (August within three months) are churn; April is not; August on has no horizon
    assert [got[(1, f"2026-{m:02d}")] for m in range(1, 11)] == [0, 0, 0, 0, 1, 1, 1, None, None, None]


def test_exactly_a_fifth_is_not_churn_and_one_fen_less_is() -> None:
    # Given two customers at ¥1,000 whose AUM in May is exactly ¥200, or ¥199.99
    exact = one_customer(1, [100_000] * 4 + [20_000] * 4)
    below = one_customer(2, [100_000] * 4 + [19_999] * 4)
    # When the labels are derived
    got = labels(pl.concat([exact, below]))
    # Then only the one below the line is churn in February (May within three months)
    assert (got[(1, "2026-02")], got[(2, "2026-02")]) == (0, 1)


def test_every_account_closed_is_churn_whether_a_zero_row_or_no_row_at_all() -> None:
    # Given one customer whose products fall to none in June and one with no row from June on
    closed = one_customer(1, [100_000] * 8, products=[2] * 5 + [0] * 3)
    gone = one_customer(2, [100_000] * 5)
    # When the labels are derived up to August
    got = labels(pl.concat([closed, gone]), last=date(2026, 8, 1))
    # Then both are churn in March, April, May and neither in February
    assert [got[(1, f"2026-0{m}")] for m in (2, 3, 4, 5)] == [0, 1, 1, 1]
    assert [got[(2, f"2026-0{m}")] for m in (2, 3, 4, 5)] == [0, 1, 1, 1]


def test_derived_features_read_the_customer_s_own_months() -> None:
    # Given a customer whose AUM falls from ¥1,000 to ¥380 over three months and whose salary stops in April
    frame = one_customer(1, [100_000, 100_000, 80_000, 60_000, 38_000]).with_columns(
        pl.Series("salary_count", [1, 1, 1, 0, 0])
    )
    # When the features are built
    row = features.build(frame, Settings()).filter(pl.col("month") == date(2026, 5, 1)).row(0, named=True)
    # Then May shows AUM down 62 % over three months and salary stopped (credits before, none now)
    assert (round(row["aum_change_3m_pct"], 1), row["salary_stopped"], row["aum_end"]) == (-62.0, 1.0, 380.0)


def test_the_same_seed_gives_the_same_card_and_model_twice() -> None:
    # Given a small generated history of 600 customers over 12 months
    built = features.build(synthetic.snapshot(600), catalogue.settings())
    # When the model is trained twice with the shipped seed
    first = pipeline.train(built, catalogue.settings())
    second = pipeline.train(built, catalogue.settings())
    # Then the cards and the model texts are identical, validated on the newest labelled month after a 3-month gap
    assert first.card == second.card
    assert first.text() == second.text()
    assert (first.card["validation_month"], first.card["data_window"]["last_training_month"]) == ("2025-09", "2025-06")
    assert first.card["metrics"]["auc"] > first.card["baseline"]["auc"]
    assert first.card["baseline"]["name"] == "recency"
    assert {"auc", "pr_auc", "lift_top_decile"} == set(first.card["metrics"])
    assert sum(b["count"] for b in first.card["calibration"]) == first.card["rows"]["validation"]


def test_reasons_come_from_the_model_s_contributions_in_both_languages() -> None:
    # Given a model trained on the generated history and its likeliest customer of the newest month
    built = features.build(synthetic.snapshot(600), catalogue.settings())
    model = learn.load(pipeline.train(built, catalogue.settings()).text())
    rows = built.filter(pl.col("month") == built["month"].max())
    prob, x = pipeline.score(model, rows)
    top = int(prob.argmax())
    # When its reasons are worked out
    why = reasons.explain(model, x[top : top + 1], 3)[0]
    # Then up to three reasons, each pushing towards churn, say the customer's own figures in English and Chinese
    assert 1 <= len(why) <= 3
    assert all(r["weight"] > 0 for r in why)
    en, zh = reasons.words(why, "en"), reasons.words(why, "zh_CN")
    assert len(en) == len(zh) == len(why)
    assert all("{" not in t for t in en + zh)


def test_a_reason_template_fills_money_counts_and_falls() -> None:
    # Given the feature values of a customer rate shopping at another bank
    values = {
        "aum_change_3m_pct": -62.4,
        "transfer_out_other_count_3m": 3,
        "transfer_out_other_amount_3m": 480_000,
        "time_drop_3m": 200_000,
    }
    why = [
        {"code": "AUM_DOWN_3M", "weight": 1.0, "values": values},
        {"code": "TRANSFERS_OUT", "weight": 0.8, "values": values},
        {"code": "TIME_NOT_RENEWED", "weight": 0.5, "values": values},
    ]
    # When they are put into words
    # Then they read as the issue asks, in both languages
    assert reasons.sentence(why, "en") == (
        "AUM down 62% in 3 months; 3 transfers, ¥480,000, to other banks in 3 months; ¥200,000 time deposit not renewed"
    )
    assert reasons.sentence(why, "zh_CN") == (
        "资产3个月内下降62%；3个月内向他行转出3笔，共¥480,000；¥200,000定期存款到期未续存"
    )
