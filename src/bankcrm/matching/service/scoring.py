"""Scoring pairs of customer records with Splink on DuckDB: the probabilistic half of matching.

Records come in the customers-feed columns (docs/ingest-formats.md): ``name``, ``birth_date``,
``gender``, ``mobile``, ``address``, ``employer``, ``id_no`` plus a ``unique_id``. ``prepare`` folds
them into the columns the comparisons read (traditional → simplified Chinese, full-width →
half-width, spaces dropped, pinyin); ``score`` returns one row per candidate pair that a blocking
rule produced, with its match probability and each field's comparison level. The comparisons, their
m and u probabilities and the blocking rules are data: ``match_settings.json`` beside this package
(docs/matching.md "Scoring"), so results are the same on ten records and on a million (no training
at run time).
"""

from __future__ import annotations

import json
import logging
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl

from bankcrm.kit.pinyin import pinyin_full, pinyin_initials

SETTINGS_FILE = Path(__file__).resolve().parents[1] / "match_settings.json"
PREPARED_COLUMNS = (
    "name_fold",
    "name_pinyin",
    "name_initials",
    "name_sorted",
    "birth_date",
    "birth_year",
    "gender",
    "mobile",
    "address_fold",
    "address_key",
    "address_tail",
    "employer_fold",
    "id_no",
)
_SPACES = re.compile(r"[\s\u3000·•.,，。、\-_/()（）]+")


@dataclass(frozen=True)
class MatchSettings:
    """The comparison settings file, read once: prior, blocking rules, comparisons with m/u per level."""

    prior: float
    blocking_rules: list[list[str]]
    comparisons: list[dict[str, Any]]

    @property
    def fields(self) -> list[str]:
        return [c["field"] for c in self.comparisons]


def load_settings(path: Path | None = None) -> MatchSettings:
    """The comparison settings in ``path`` (default: the shipped ``match_settings.json``)."""
    return _load(str(path or SETTINGS_FILE))


@lru_cache(maxsize=8)
def _load(path: str) -> MatchSettings:
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    return MatchSettings(
        prior=float(raw["probability_two_random_records_match"]),
        blocking_rules=[list(rule) for rule in raw["blocking_rules"]],
        comparisons=list(raw["comparisons"]),
    )


# ---------------------------------------------------------------- folding


@lru_cache(maxsize=200_000)
def fold_text(text: str) -> str:
    """Compare-ready text: full-width → half-width, traditional → simplified, lower case, no spaces or punctuation."""
    from zhconv import convert  # type: ignore[import-untyped]  # imported here: its table takes a moment to load

    folded = convert(unicodedata.normalize("NFKC", text), "zh-cn").lower()
    return _SPACES.sub("", folded)


@lru_cache(maxsize=200_000)
def _name_keys(name: str) -> tuple[str, str, str, str]:
    from zhconv import convert

    plain = convert(unicodedata.normalize("NFKC", name), "zh-cn").lower().strip()
    folded = _SPACES.sub("", plain)
    words = [w for w in _SPACES.split(plain) if w]
    return (
        folded,
        pinyin_full(folded) or folded,
        pinyin_initials(plain) or folded[:1],
        "".join(pinyin_full(w) or w for w in sorted(words)),
    )


def _digits(value: str | None) -> str | None:
    if not value:
        return None
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", value) if ch.isdigit())
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits or None


def _blank(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def prepare(records: pl.DataFrame) -> pl.DataFrame:
    """``unique_id`` plus the folded columns the comparisons read, from records in the feed columns.

    Missing columns count as blank. ``birth_date`` may be a date or ISO / YYYYMMDD text.
    """
    n = records.height

    def column(name: str) -> list[Any]:
        return records[name].to_list() if name in records.columns else [None] * n

    names = [_blank(v) for v in column("name")]
    keys = [_name_keys(v) if v else (None, None, None, None) for v in names]
    births = [_birth(v) for v in column("birth_date")]
    addresses = [fold_text(v) if (v := _blank(a)) else None for a in column("address")]
    employers = [fold_text(v) if (v := _blank(e)) else None for e in column("employer")]
    ids = [v.upper().replace(" ", "") if (v := _blank(i)) else None for i in column("id_no")]
    genders = [v.upper() if (v := _blank(g)) else None for g in column("gender")]
    return pl.DataFrame(
        {
            "unique_id": records["unique_id"].cast(pl.Int64),
            "name_fold": [k[0] or None for k in keys],
            "name_pinyin": [k[1] or None for k in keys],
            "name_initials": [k[2] or None for k in keys],
            "name_sorted": [k[3] or None for k in keys],
            "birth_date": births,
            "birth_year": [b[:4] if b else None for b in births],
            "gender": genders,
            "mobile": [_digits(_blank(m)) for m in column("mobile")],
            "address_fold": addresses,
            "address_key": [a[:6] if a else None for a in addresses],
            "address_tail": [a[-6:] if a else None for a in addresses],
            "employer_fold": employers,
            "id_no": ids,
        },
        schema={"unique_id": pl.Int64, **dict.fromkeys(PREPARED_COLUMNS, pl.String)},
    )


def _birth(value: Any) -> str | None:
    if value is None:
        return None
    if hasattr(value, "strftime"):
        return str(value.strftime("%Y%m%d"))
    digits = "".join(ch for ch in str(value) if ch.isdigit())
    return digits if len(digits) == 8 else None


# ---------------------------------------------------------------- the Splink model


def _level_sql(level: dict[str, Any]) -> tuple[str, str]:
    kind = level["kind"]
    if kind == "else":
        return "ELSE", "else"
    col = level["column"]
    left, right = f'"{col}_l"', f'"{col}_r"'
    if kind == "null":
        return f"{left} IS NULL OR {right} IS NULL", "blank"
    if kind == "exact":
        return f"{left} = {right}", level.get("label", "exact")
    if kind == "levenshtein":
        return f"levenshtein({left}, {right}) <= {int(level['max'])}", level.get("label", f"edit ≤ {level['max']}")
    if kind == "damerau":
        return (
            f"damerau_levenshtein({left}, {right}) <= {int(level['max'])}",
            level.get("label", f"edit ≤ {level['max']}"),
        )
    if kind == "jaro_winkler":
        return (
            f"jaro_winkler_similarity({left}, {right}) >= {float(level['min'])}",
            level.get("label", f"similarity ≥ {level['min']}"),
        )
    raise ValueError(f"unknown comparison level kind {kind!r}")


def splink_settings(settings: MatchSettings, link_type: str) -> dict[str, Any]:
    """The Splink settings dictionary with fixed m and u probabilities (a pre-trained model)."""
    comparisons = []
    for comparison in settings.comparisons:
        levels = []
        for level in comparison["levels"]:
            sql, label = _level_sql(level)
            entry: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label}
            if level["kind"] == "null":
                entry["is_null_level"] = True
            else:
                entry["m_probability"] = float(level["m"])
                entry["u_probability"] = float(level["u"])
            levels.append(entry)
        comparisons.append(
            {
                "output_column_name": comparison["field"],
                "comparison_description": comparison["field"],
                "comparison_levels": levels,
            }
        )
    blocking = [
        {"blocking_rule": " AND ".join(f'l."{c}" = r."{c}"' for c in rule), "sql_dialect": "duckdb"}
        for rule in settings.blocking_rules
    ]
    return {
        "link_type": link_type,
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": settings.prior,
        "blocking_rules_to_generate_predictions": blocking,
        "comparisons": comparisons,
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": True,
        "additional_columns_to_retain": [],
        "sql_dialect": "duckdb",
    }


def score(
    records: pl.DataFrame,
    other: pl.DataFrame | None = None,
    *,
    threshold: float = 0.0,
    settings: MatchSettings | None = None,
    threads: int | None = None,
) -> pl.DataFrame:
    """Scored candidate pairs: within ``records`` (deduplication), or between ``records`` and ``other``.

    Both frames are ``prepare``d (``unique_id`` plus the folded columns). Returns ``id_l``, ``id_r``
    (within one frame the smaller id is on the left; between two, ``id_l`` is from ``records``),
    ``probability``, ``weight`` (log2 of the odds) and per field ``w_<field>``, its match weight
    (0 when either side is blank); ``comparisons_json`` names the level. Only pairs at or above ``threshold``.
    """
    import duckdb
    from splink import DuckDBAPI, Linker

    settings = settings or load_settings()
    empty = _empty(settings)
    if records.height == 0 or (other is not None and other.height == 0):
        return empty
    if other is None and records.height < 2:
        return empty
    con = duckdb.connect(":memory:")
    if threads:
        con.execute(f"SET threads TO {int(threads)}")
    try:
        db_api = DuckDBAPI(connection=con)
        left = db_api.register(records.to_arrow(), table_name="records_l")
        if other is None:
            linker = Linker(left, splink_settings(settings, "dedupe_only"), log_level=logging.WARNING)
        else:
            right = db_api.register(other.to_arrow(), table_name="records_r")
            linker = Linker([left, right], splink_settings(settings, "link_only"), log_level=logging.WARNING)
        predictions = linker.inference.predict(
            threshold_match_probability=threshold if threshold > 0 else None, warning_mode="never"
        )
        out = pl.from_arrow(predictions.as_pyarrow_table())  # type: ignore[no-untyped-call]
    finally:
        con.close()
    assert isinstance(out, pl.DataFrame)
    return _shape(out, settings, swap=other is not None)


def _empty(settings: MatchSettings) -> pl.DataFrame:
    schema: dict[str, Any] = {"id_l": pl.Int64, "id_r": pl.Int64, "probability": pl.Float64, "weight": pl.Float64}
    for f in settings.fields:
        schema[f"w_{f}"] = pl.Float64
    return pl.DataFrame(schema=schema)


def _shape(out: pl.DataFrame, settings: MatchSettings, *, swap: bool) -> pl.DataFrame:
    if out.height == 0:
        return _empty(settings)
    columns = [
        pl.col("unique_id_l").cast(pl.Int64).alias("id_l"),
        pl.col("unique_id_r").cast(pl.Int64).alias("id_r"),
        pl.col("match_probability").cast(pl.Float64).alias("probability"),
        pl.col("match_weight").cast(pl.Float64).alias("weight"),
    ]
    for f in settings.fields:
        columns.append(pl.col(f"mw_{f}").cast(pl.Float64).alias(f"w_{f}"))
    shaped = out.select(columns)
    if swap:
        # link_only: Splink orders each pair by source dataset name; put the ``records`` side on the left.
        from_records = out["source_dataset_l"] == "records_l"
        shaped = shaped.with_columns(
            pl.when(from_records).then(pl.col("id_l")).otherwise(pl.col("id_r")).alias("id_l"),
            pl.when(from_records).then(pl.col("id_r")).otherwise(pl.col("id_l")).alias("id_r"),
        )
    return shaped


def level_weight(level: dict[str, Any]) -> float:
    """A level's match weight, log2(m / u): what the scored pair carries for it."""
    return math.log2(float(level["m"]) / float(level["u"]))


def comparisons_json(row: dict[str, Any], settings: MatchSettings | None = None) -> dict[str, Any]:
    """One scored pair's comparisons as stored on a review: per field its level and weight (no values).

    Splink reports each field's weight; the level is the first one of the field carrying that weight
    (levels of one field have distinct m/u ratios in the settings file, a test keeps them so).
    """
    settings = settings or load_settings()
    result: dict[str, Any] = {}
    for comparison in settings.comparisons:
        f = comparison["field"]
        weight = float(row[f"w_{f}"])
        label = "blank"
        for level in comparison["levels"]:
            if level["kind"] != "null" and abs(level_weight(level) - weight) < 1e-6:
                label = _level_sql(level)[1]
                break
        result[f] = {"level": label, "weight": round(weight, 3)}
    return result
