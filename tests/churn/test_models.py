"""Models in the database: champion and challenger, the nightly step, scores in scope, the API and the pages."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.churn import catalogue
from bankcrm.churn.service import run, scores, scoring, train
from bankcrm.models.churn import ChurnModel, ChurnScore
from bankcrm.models.workcalendar import CalendarDay
from tests.churn.helpers import cif_of, given_history
from tests.conftest import signed_in, token_for

WEAK = {"num_boost_round": 2, "num_leaves": 2, "min_data_in_leaf": 500}
NEWEST = date(2025, 12, 1)


@pytest.fixture
def history(db: Session) -> dict[int, int]:
    """400 generated customers over 2025, committed."""
    ids = given_history(db)
    db.commit()
    return ids


def test_a_worse_challenger_is_not_promoted_and_a_better_one_is(db: Session, history: dict[int, int]) -> None:
    # Given a weak first model, promoted as the first that beats the recency rule
    first = train.train_challenger(db, **WEAK)
    assert (first.promoted, first.model.status, first.model.note) == (True, "CHAMPION", "FIRST")
    # When a strong challenger is trained, and then another weak one
    strong = train.train_challenger(db)
    weak = train.train_challenger(db, **WEAK)
    # Then the strong one beat the champion on the same validation month and took over; the weak one did not
    assert (strong.promoted, strong.model.note, strong.champion_auc) == (True, "BEATS_CHAMPION", first.model.auc)
    assert strong.model.auc > first.model.auc
    assert (weak.promoted, weak.model.status, weak.model.note) == (False, "CHALLENGER", "WORSE")
    assert weak.champion_auc == strong.model.auc
    statuses = dict(db.execute(select(ChurnModel.id, ChurnModel.status)).all())
    assert statuses == {first.model.id: "RETIRED", strong.model.id: "CHAMPION", weak.model.id: "CHALLENGER"}


def test_the_nightly_step_trains_when_there_is_no_champion_and_scores_the_newest_month(
    db: Session, history: dict[int, int]
) -> None:
    # Given no model yet, on a mid-month day (not the first business day)
    # When the step runs
    done = run.nightly(db, today=date(2026, 1, 14))
    # Then it trained a champion and scored every eligible customer of December 2025
    assert done.outcome is not None and done.outcome.promoted
    assert done.month == NEWEST
    stored = db.scalar(select(func.count()).select_from(ChurnScore).where(ChurnScore.month == NEWEST))
    assert stored == done.scored > 300
    # When it runs again the next day: no training (a champion exists, not the first business day), same scores
    again = run.nightly(db, today=date(2026, 1, 15))
    assert again.outcome is None and again.scored == done.scored
    # And on the first business day of February (the 2nd: the 1st is a Sunday) it trains a challenger
    feb = run.nightly(db, today=date(2026, 2, 2))
    assert feb.outcome is not None
    assert train.first_business_day(date(2026, 2, 17)) == date(2026, 2, 2)


def test_training_is_due_on_the_first_working_day_of_the_banks_calendar(db: Session, history: dict[int, int]) -> None:
    # Given a champion, and the bank closed on Monday 2 February 2026 (its own entry over the package)
    run.nightly(db, today=date(2026, 1, 14))
    db.add(CalendarDay(day=date(2026, 2, 2), kind="HOLIDAY", label_en="Closed", label_zh="停业", changed_by="test"))
    db.flush()
    # When the step runs on the 2nd and on the 3rd
    on_2nd = run.nightly(db, today=date(2026, 2, 2))
    on_3rd = run.nightly(db, today=date(2026, 2, 3))
    # Then it trains on the 3rd, the bank's first working day of February, not on the 2nd
    assert on_2nd.outcome is None and on_3rd.outcome is not None
    # And without the bank's entries the package's holidays count: 1-7 October 2026 off, Thursday the 8th first
    assert train.first_business_day(date(2026, 10, 1)) == date(2026, 10, 8)


def test_the_warnings_workflow_reads_the_likeliest_with_reasons_in_words(db: Session, history: dict[int, int]) -> None:
    # Given the month scored
    run.nightly(db, today=date(2026, 1, 14))
    # When the warnings workflow asks for the month's scores above 0.5
    month = scores.newest_month(db)
    likely = scores.rows(db, month, 0.5) if month else []
    # Then each has a probability, the model, and reasons in English and Chinese
    assert month == NEWEST and likely
    assert all(s.probability >= 0.5 for s in likely)
    assert [s.probability for s in likely] == sorted((s.probability for s in likely), reverse=True)
    assert all(s.words("en") and s.words("zh_CN") for s in likely)


def test_models_api_lists_cards_and_gives_one_and_404s_an_unknown(
    client: TestClient, db: Session, history: dict[int, int]
) -> None:
    # Given a champion
    model = train.train_challenger(db).model
    db.commit()
    am1 = token_for(client, "am1")
    # When am1 lists the models and reads the champion's card
    listed = client.get("/api/v1/models", headers=am1)
    card = client.get(f"/api/v1/models/{model.id}", headers=am1)
    # Then the card has the data window, rows, AUC, PR-AUC, lift, calibration, top features and the recency rule
    assert listed.status_code == 200
    assert [(m["id"], m["status"], m["validation_month"]) for m in listed.json()] == [(model.id, "CHAMPION", "2025-09")]
    body = card.json()
    assert body["card"]["data_window"] == {"first_month": "2025-01", "last_training_month": "2025-06"}
    assert set(body["card"]) >= {"rows", "metrics", "baseline", "calibration", "top_features"}
    assert body["auc"] == body["card"]["metrics"]["auc"] and body["baseline_auc"] == body["card"]["baseline"]["auc"]
    assert body["decision"] == "Promoted: the first model, and it beats the recency rule"
    assert client.get("/api/v1/models/999999", headers=am1).status_code == 404


def test_a_customer_s_scores_are_read_in_scope_only(client: TestClient, db: Session, history: dict[int, int]) -> None:
    # Given the month scored (customer 2 is homed in Shanghai under nobody: outside am1's scope)
    run.nightly(db, today=date(2026, 1, 14))
    db.commit()
    am1 = token_for(client, "am1")
    scored = db.scalars(select(ChurnScore.customer_id).order_by(ChurnScore.probability.desc())).first()
    cif = next(cif_of(n) for n, cid in history.items() if cid == scored)
    # When am1 reads a Beijing customer's churn scores, and the Shanghai one's
    mine = client.get(f"/api/v1/customers/{cif}/churn", headers=am1)
    other = client.get(f"/api/v1/customers/{cif_of(2)}/churn", headers=am1)
    # Then the first has December's probability and reasons in words; the other is 404
    assert mine.status_code == 200
    latest = mine.json()["scores"][0]
    assert latest["month"] == "2025-12" and 0 <= latest["probability"] <= 1 and latest["reasons"]
    assert other.status_code == 404


def test_a_customer_below_the_warning_threshold_reads_why_there_are_no_reasons(
    client: TestClient, db: Session, history: dict[int, int]
) -> None:
    # Given the month scored: reasons are worked out for those at or above the threshold and the likeliest 5 %
    run.nightly(db, today=date(2026, 1, 14))
    db.commit()
    threshold = catalogue.settings().warning_threshold
    stored = db.execute(select(ChurnScore.customer_id, ChurnScore.probability, ChurnScore.reasons)).all()
    explained = [p for _, p, r in stored if r != "[]"]
    unlikely = min((p, c) for c, p, r in stored if c != history[2])[1]
    cif = next(cif_of(n) for n, cid in history.items() if cid == unlikely)
    am1 = token_for(client, "am1")
    # When am1 reads the least likely customer's scores in English and in Chinese
    en = client.get(f"/api/v1/customers/{cif}/churn", headers=am1).json()["scores"][0]
    zh = client.get(f"/api/v1/customers/{cif}/churn", headers=am1 | {"Accept-Language": "zh-CN"}).json()["scores"][0]
    # Then it has no reasons but a note saying why, in each language (some customers have reasons, not all)
    assert 0 < len(explained) < len(stored) and min(p for _, p, _ in stored) < threshold
    assert (en["reasons"], zh["reasons"]) == ([], [])
    assert en["reasons_note"] == (
        f"Below the warning threshold ({threshold * 100:g} %): reasons are worked out for likelier customers"
    )
    assert zh["reasons_note"] == f"低于预警阈值（{threshold * 100:g} %）：仅为流失可能性更高的客户计算原因"


def test_pages_show_the_cards_a_card_the_backtest_and_the_customer_tab(
    client: TestClient, db: Session, history: dict[int, int]
) -> None:
    # Given a champion and scores
    done = run.nightly(db, today=date(2026, 1, 14))
    db.commit()
    assert done.outcome is not None
    model_id = done.outcome.model.id
    web = signed_in(client, "manager")
    # When the manager opens the models page, the card, a backtest of September and the customer tab
    index = web.get("/models")
    card = web.get(f"/models/{model_id}")
    backtest = web.get("/models/backtest?month=2025-09")
    too_new = web.get("/models/backtest?month=2025-11")
    tab = web.get(f"/customers/{cif_of(1)}/tabs/churn")
    # Then each shows what it should
    assert index.status_code == 200 and f'data-model="{model_id}"' in index.text
    assert card.status_code == 200 and 'id="model-calibration"' in card.text and "Recency rule" in card.text
    assert backtest.status_code == 200 and 'id="backtest-table"' in backtest.text
    assert 'id="backtest-error"' in too_new.text
    assert tab.status_code == 200
    assert web.get("/models/999999").status_code == 404


def test_blocks_of_a_few_customers_give_the_same_model_and_scores_as_one_block(
    db: Session, history: dict[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a model trained and a month scored reading every customer in one block
    whole = train.train_challenger(db)
    run.nightly(db, today=date(2026, 1, 14))
    one_block = dict(db.execute(select(ChurnScore.customer_id, ChurnScore.probability)).all())
    reasons_one = dict(db.execute(select(ChurnScore.customer_id, ChurnScore.reasons)).all())
    # When the snapshot is read, built and scored 37 customers at a time
    small = dataclasses.replace(catalogue.settings(), block_customers=37)
    monkeypatch.setattr(catalogue, "settings", lambda: small)
    blocked = train.train_challenger(db)
    scoring.score_month(db, NEWEST, whole.model)
    # Then the model text, the card's figures and every customer's score and reasons are the same
    assert blocked.model.model_text == whole.model.model_text
    assert (blocked.model.auc, blocked.model.baseline_auc) == (whole.model.auc, whole.model.baseline_auc)
    assert dict(db.execute(select(ChurnScore.customer_id, ChurnScore.probability)).all()) == one_block
    assert dict(db.execute(select(ChurnScore.customer_id, ChurnScore.reasons)).all()) == reasons_one
