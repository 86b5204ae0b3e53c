"""The scorer on its own: folding of names, the settings file, scored pairs with their comparison levels."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from bankcrm.matching.service import scoring

LABELLED = Path(__file__).with_name("labelled.csv")


def labelled() -> pl.DataFrame:
    return pl.read_csv(LABELLED, infer_schema=False).with_row_index("unique_id")


def test_names_fold_traditional_full_width_and_spaces() -> None:
    # given the same name written four ways, then they fold to one text and one pinyin
    frame = scoring.prepare(
        pl.DataFrame({"unique_id": [1, 2, 3, 4], "name": ["张三", "張三", "张 三", "ＺＨＡＮＧ　ｓａｎ"]})
    )
    assert frame["name_fold"].to_list() == ["张三", "张三", "张三", "zhangsan"]
    assert frame["name_pinyin"].to_list() == ["zhangsan"] * 4
    assert frame["name_initials"].to_list() == ["zs", "zs", "zs", "zs"]


def test_mobiles_keep_digits_and_drop_the_country_code() -> None:
    frame = scoring.prepare(
        pl.DataFrame({"unique_id": [1, 2, 3], "mobile": ["+86 138 0013 8000", "１３８００１３８０００", " "]})
    )
    assert frame["mobile"].to_list() == ["13800138000", "13800138000", None]


def test_each_fields_levels_carry_distinct_weights() -> None:
    # given the shipped settings, then a level can be told from its weight alone (comparisons_json relies on it)
    for comparison in scoring.load_settings().comparisons:
        weights = [round(scoring.level_weight(lv), 6) for lv in comparison["levels"] if lv["kind"] != "null"]
        assert len(weights) == len(set(weights)), comparison["field"]


def test_pairs_are_scored_with_each_fields_level() -> None:
    # given the labelled sample, when it is scored within itself
    pairs = scoring.score(scoring.prepare(labelled()))
    got = {
        (row["id_l"], row["id_r"]): (
            round(row["probability"], 4),
            {f: c["level"] for f, c in scoring.comparisons_json(row).items()},
        )
        for row in pairs.to_dicts()
    }
    # then traditional 張三 with a mobile one digit off links to 张三, a spaced name and full-width mobile
    # still match exactly, 王伍 has 王五's pinyin, and 赵六 (same birthday, next door) is only a maybe
    assert got == {
        (0, 1): (
            1.0,
            {
                "name": "exact",
                "birth_date": "exact",
                "gender": "exact",
                "mobile": "one digit off or swapped",
                "address": "exact",
                "employer": "exact",
                "id_no": "blank",
                "nationality": "blank",
            },
        ),
        (2, 3): (
            1.0,
            {
                "name": "exact",
                "birth_date": "exact",
                "gender": "exact",
                "mobile": "exact",
                "address": "blank",
                "employer": "blank",
                "id_no": "blank",
                "nationality": "blank",
            },
        ),
        (4, 5): (
            1.0,
            {
                "name": "same pinyin",
                "birth_date": "exact",
                "gender": "exact",
                "mobile": "blank",
                "address": "exact",
                "employer": "blank",
                "id_no": "blank",
                "nationality": "blank",
            },
        ),
        (5, 6): (
            0.9138,
            {
                "name": "else",
                "birth_date": "exact",
                "gender": "exact",
                "mobile": "blank",
                "address": "a few characters differ",
                "employer": "blank",
                "id_no": "blank",
                "nationality": "blank",
            },
        ),
        (4, 6): (
            0.5145,
            {
                "name": "else",
                "birth_date": "exact",
                "gender": "exact",
                "mobile": "else",
                "address": "a few characters differ",
                "employer": "blank",
                "id_no": "blank",
                "nationality": "blank",
            },
        ),
        (0, 8): (
            0.0035,
            {
                "name": "else",
                "birth_date": "else",
                "gender": "else",
                "mobile": "exact",
                "address": "blank",
                "employer": "blank",
                "id_no": "blank",
                "nationality": "blank",
            },
        ),
    }


def test_between_two_frames_the_first_frames_record_is_on_the_left() -> None:
    # given two records and one customer on file with the same name and birth date
    frame = labelled()
    records = frame.filter(pl.col("unique_id").is_in([1, 7]))
    on_file = frame.filter(pl.col("unique_id") == 0).with_columns(pl.lit(100, pl.UInt32).alias("unique_id"))
    # when scored between them
    pairs = scoring.score(scoring.prepare(records), scoring.prepare(on_file))
    # then only the delivered 張三 of 1980 is paired, on the left
    assert [(r["id_l"], r["id_r"], round(r["probability"], 4)) for r in pairs.to_dicts()] == [(1, 100, 1.0)]


def test_threshold_and_empty_inputs() -> None:
    prepared = scoring.prepare(labelled())
    assert scoring.score(prepared, threshold=0.95).height == 3
    assert scoring.score(prepared.head(1)).height == 0
    assert scoring.score(prepared, prepared.head(0)).columns == scoring.score(prepared).columns


def test_an_unknown_level_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown comparison level kind 'soundex'"):
        scoring._level_sql({"kind": "soundex", "column": "name_fold"})
