"""``bankcrm models``: train on your own file (and refuse one without the label), score a file, backtest."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from sqlalchemy.orm import sessionmaker
from typer.testing import CliRunner

from bankcrm.cli.main import app
from bankcrm.config import get_settings
from bankcrm.db import make_engine, session_scope
from bankcrm.demo import org as demo_org
from bankcrm.migrate import upgrade

runner = CliRunner()


@pytest.fixture
def db_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'models.db'}"
    monkeypatch.setenv("BANKCRM_DATABASE_URL", url)
    monkeypatch.setenv("BANKCRM_MODE", "dev")
    get_settings.cache_clear()
    upgrade(url)
    engine = make_engine(url)
    with session_scope(sessionmaker(bind=engine)) as db:
        demo_org.build(db)
    engine.dispose()
    yield url
    get_settings.cache_clear()


def bank_file(path: Path, rows: int = 600, leak: bool = False) -> Path:
    """A customer file: an id, a balance, a country (text), an active flag (yes/no), a blank here and there, and
    Exited (1 mostly for inactive customers with small balances)."""
    rng = np.random.default_rng(3)
    balance = rng.lognormal(10, 1, rows).round(2)
    active = rng.random(rows) < 0.6
    country = rng.choice(["France", "Germany", "Spain"], rows)
    risk = 0.05 + 0.35 * (~active) + 0.2 * (balance < 15000) + 0.15 * (country == "Germany")
    exited = (rng.random(rows) < risk).astype(int)
    frame = pl.DataFrame(
        {
            "CustomerId": np.arange(15_000_001, 15_000_001 + rows),
            "Balance": [None if i % 50 == 0 else b for i, b in enumerate(balance)],
            "Geography": country,
            "IsActive": np.where(active, "yes", "no"),
            "Exited": exited,
        }
    )
    if leak:
        frame = frame.with_columns(pl.col("Exited").alias("ClosedFlag"))
    frame.write_csv(path)
    return path


def last_json(output: str) -> dict:  # type: ignore[type-arg]
    return json.loads(output.strip().splitlines()[-1])


def test_a_file_without_the_label_column_is_refused_naming_it(db_file: str, tmp_path: Path) -> None:
    # Given a customer file with no column "Churned"
    path = bank_file(tmp_path / "bank.csv")
    # When it is trained on with --label Churned
    result = runner.invoke(app, ["models", "train", "churn", "--from-file", str(path), "--label", "Churned"])
    # Then the command fails, naming the missing column and the columns the file has
    assert result.exit_code == 2
    assert "bank.csv: no label column 'Churned' (columns: CustomerId, Balance, Geography, IsActive, Exited)" in (
        result.output
    )


def test_train_on_a_file_cross_validates_warns_of_leakage_and_prints_the_card_as_json(
    db_file: str, tmp_path: Path
) -> None:
    # Given a customer file with a column that is the label under another name
    path = bank_file(tmp_path / "bank.csv", leak=True)
    # When it is trained on with its id column
    result = runner.invoke(
        app, ["models", "train", "churn", "--from-file", str(path), "--label", "Exited", "--id", "CustomerId"]
    )
    # Then it warns of the leak, and the last line is the card's metrics with 5-fold AUC mean ± sd
    assert result.exit_code == 0, result.output
    assert "ClosedFlag alone predicts Exited with AUC 1.000: probable leakage" in result.output
    card = last_json(result.output)
    assert (card["model_id"], card["status"], card["folds"], card["rows"]) == (1, "FILE", 5, 600)
    assert len(card["auc_folds"]) == 5 and card["auc"] == card["auc_mean"] and card["auc_sd"] >= 0
    # When the same file is scored with that model
    out = tmp_path / "scored.csv"
    scored = runner.invoke(app, ["models", "score", "--model", "1", "--from-file", str(path), "--out", str(out)])
    # Then every row has a probability beside its id
    assert scored.exit_code == 0, scored.output
    assert last_json(scored.output) == {"model_id": 1, "rows": 600, "out": str(out)}
    written = pl.read_csv(out)
    assert written.columns == ["CustomerId", "probability"] and written.height == 600
    assert written["probability"].is_between(0, 1).all()


def test_the_same_file_gives_the_same_card_twice(db_file: str, tmp_path: Path) -> None:
    # Given a customer file
    path = bank_file(tmp_path / "bank.csv")
    args = ["models", "train", "churn", "--from-file", str(path), "--label", "Exited"]
    # When it is trained on twice
    first, second = last_json(runner.invoke(app, args).output), last_json(runner.invoke(app, args).output)
    # Then only the model id differs; the id-like column was left out as an identifier
    assert {k: v for k, v in first.items() if k != "model_id"} == {k: v for k, v in second.items() if k != "model_id"}


def test_backtest_without_a_model_says_so_and_a_bad_month_is_refused(db_file: str) -> None:
    # Given no model
    # When a backtest is asked for, and one with a malformed month
    none = runner.invoke(app, ["models", "backtest", "churn", "--month", "2025-09"])
    bad = runner.invoke(app, ["models", "backtest", "churn", "--month", "2025-13"])
    # Then each fails saying why
    assert none.exit_code == 1 and "No churn model yet" in none.output
    assert bad.exit_code == 2 and "--month: not a month in the form YYYY-MM: 2025-13" in bad.output
