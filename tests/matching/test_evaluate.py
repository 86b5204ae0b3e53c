"""``bankcrm match evaluate FILE``: precision, recall and F1 of the configuration on a labelled sample."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bankcrm.cli.main import app
from bankcrm.config import get_settings

LABELLED = Path(__file__).with_name("labelled.csv")
runner = CliRunner()


@pytest.fixture(autouse=True)
def default_thresholds(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.delenv("BANKCRM_MATCH_UPPER", raising=False)
    monkeypatch.delenv("BANKCRM_MATCH_LOWER", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


EXPECTED = {
    "records": 9,
    "thresholds": {"upper": 0.95, "lower": 0.6},
    "candidate_pairs": 4,
    "review_pairs": 1,
    "pairs": {"precision": 1.0, "recall": 1.0, "f1": 1.0, "tp": 3, "fp": 0, "fn": 0},
    "clusters": {
        "precision": 1.0,
        "recall": 1.0,
        "f1": 1.0,
        "tp": 3,
        "fp": 0,
        "fn": 0,
        "predicted": 6,
        "true": 6,
    },
}


def test_evaluate_prints_pair_and_cluster_figures_as_json() -> None:
    # given nine labelled records of six real customers (three planted duplicates, one look-alike)
    # when the sample is evaluated
    result = runner.invoke(app, ["match", "evaluate", str(LABELLED)])
    # then every duplicate is linked, nothing wrongly, and the look-alike waits in the review band
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == EXPECTED


def test_a_gbk_file_gives_the_same_figures(tmp_path: Path) -> None:
    gbk = tmp_path / "labelled-gbk.csv"
    gbk.write_bytes(LABELLED.read_text(encoding="utf-8").encode("gbk", errors="strict"))
    result = runner.invoke(app, ["match", "evaluate", str(gbk), "--encoding", "gbk"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == EXPECTED


def test_a_lower_upper_threshold_links_the_look_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    # given an upper threshold below the look-alike's 0.914
    monkeypatch.setenv("BANKCRM_MATCH_UPPER", "0.9")
    get_settings.cache_clear()
    result = runner.invoke(app, ["match", "evaluate", str(LABELLED)])
    # then it is a false link, and through it 王五 and 赵六's clusters join: two wrong pairs among clusters
    figures = json.loads(result.output)
    assert figures["pairs"] == {"precision": 0.75, "recall": 1.0, "f1": 0.857143, "tp": 3, "fp": 1, "fn": 0}
    assert figures["clusters"] == {
        "precision": 0.6,
        "recall": 1.0,
        "f1": 0.75,
        "tp": 3,
        "fp": 2,
        "fn": 0,
        "predicted": 5,
        "true": 6,
    }


def test_a_file_without_truth_cluster_is_refused(tmp_path: Path) -> None:
    plain = tmp_path / "plain.csv"
    plain.write_text("kind,name\nindividual,张三\n", encoding="utf-8")
    result = runner.invoke(app, ["match", "evaluate", str(plain)])
    assert result.exit_code == 2
    assert "no truth_cluster column" in result.output
