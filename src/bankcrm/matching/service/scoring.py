"""Scoring pairs of customer records with Splink on DuckDB: the probabilistic half of matching.

Records come in the customers-feed columns (docs/ingest-formats.md): ``name``, ``birth_date``,
``gender``, ``mobile``, ``address``, ``employer``, ``id_no``, ``nationality`` plus a ``unique_id``. ``prepare`` folds
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

from bankcrm.kit import validators
from bankcrm.kit.pinyin import SURNAME_READINGS

SETTINGS_FILE = Path(__file__).resolve().parents[1] / "match_settings.json"
PREPARED_COLUMNS = (
    "name_fold",
    "name_pinyin",
    "name_initials",
    "name_sorted",
    "name_words",
    "birth_date",
    "birth_year",
    "gender",
    "mobile",
    "address_fold",
    "address_key",
    "address_tail",
    "employer_fold",
    "id_no",
    "id_variants",
    "nationality",
)
# Prepared columns holding a list: a blocking rule naming one pairs records sharing any element.
ARRAY_COLUMNS = frozenset({"id_variants"})
# Shorter IDs are not given variants: dropping one character of a 4-character number leaves a common key.
_MIN_ID_VARIANT_LENGTH = 6
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


@lru_cache(maxsize=1)
def _to_simplified() -> dict[int, str]:
    """Character-by-character traditional → simplified (zhconv's single-character entries)."""
    from zhconv import zhconv  # type: ignore[import-untyped]  # imported here: its table takes a moment to load

    zhconv.loaddict()
    table = zhconv.getdict("zh-hans")
    return {ord(k): v for k, v in table.items() if len(k) == 1 and len(v) == 1}


def _plain(text: str) -> str:
    """Full-width → half-width (NFKC), traditional → simplified, lower case; spaces kept."""
    return unicodedata.normalize("NFKC", text).translate(_to_simplified()).lower().strip()


def fold_text(text: str) -> str:
    """Compare-ready text: full-width → half-width, traditional → simplified, lower case, no spaces or punctuation."""
    return _SPACES.sub("", _plain(text))


_READINGS: dict[str, str] = {}


def _char_pinyin(ch: str) -> str:
    from pypinyin import Style, lazy_pinyin

    return "".join(lazy_pinyin(ch, style=Style.NORMAL))


def _syllables(word: str) -> list[str]:
    """Toneless pinyin syllables of a folded word, a character at a time (a Latin run is one syllable).

    Character by character rather than pypinyin's phrase reading: a hundred times faster, and names are
    rarely phrases; a family name with its own reading (单 shan, 曾 zeng) is read as one.
    """
    out: list[str] = []
    latin = ""
    readings, rest = SURNAME_READINGS.get(word[:2]) or SURNAME_READINGS.get(word[:1]), word
    if readings:
        out.extend(readings)
        rest = word[2:] if word[:2] in SURNAME_READINGS else word[1:]
    for ch in rest:
        if "a" <= ch <= "z" or ch.isdigit():
            latin += ch
            continue
        if latin:
            out.append(latin)
            latin = ""
        if "\u4e00" <= ch <= "\u9fff":
            reading = _READINGS.get(ch)
            if reading is None:
                reading = _READINGS[ch] = _char_pinyin(ch)
            out.append(reading)
    if latin:
        out.append(latin)
    return out


def _name_keys(name: str) -> tuple[str, str, str, str, str]:
    plain = _plain(name)
    words = [w for w in _SPACES.split(plain) if w]
    folded = "".join(words)
    per_word = [_syllables(w) for w in words]
    pinyin = "".join("".join(s) for s in per_word) or folded
    initials = "".join(s[0] for syllables in per_word for s in syllables) or folded[:1]
    if len(words) < 2:
        return folded, pinyin, initials, pinyin, pinyin
    ordered = sorted(zip(words, per_word, strict=True))
    sorted_pinyin = "".join("".join(s) or w for w, s in ordered)
    return (
        folded,
        pinyin,
        initials,
        sorted_pinyin,
        " ".join("".join(s) or w for w, s in zip(words, per_word, strict=True)),
    )


@lru_cache(maxsize=1)
def _simplified_pairs() -> dict[str, str]:
    return {chr(k): v for k, v in _to_simplified().items()}


def _fold_expr(column: str) -> pl.Expr:
    """``fold_text`` as a Polars expression over a whole column (blank → null)."""
    folded = (
        pl.col(column)
        .cast(pl.String)
        .str.normalize("NFKC")
        .str.replace_many(_simplified_pairs())
        .str.to_lowercase()
        .str.replace_all(_SPACES.pattern, "")
    )
    return pl.when(folded == "").then(None).otherwise(folded).alias(column)


def _digits_expr(column: str) -> pl.Expr:
    digits = pl.col(column).cast(pl.String).str.normalize("NFKC").str.replace_all(r"\D", "")
    local = pl.when((digits.str.len_chars() == 13) & digits.str.starts_with("86")).then(digits.str.slice(2))
    digits = local.otherwise(digits)
    return pl.when(digits == "").then(None).otherwise(digits).alias(column)


def _birth_expr(dtype: pl.DataType) -> pl.Expr:
    if dtype in (pl.Date, pl.Datetime):
        return pl.col("birth_date").dt.strftime("%Y%m%d").alias("birth_date")
    digits = pl.col("birth_date").cast(pl.String).str.replace_all(r"\D", "")
    return pl.when(digits.str.len_chars() == 8).then(digits).otherwise(None).alias("birth_date")


def _checked(number: str | None) -> bool:
    """True for a resident ID or USCC whose check character is right (GB 11643, GB 32100)."""
    if number is None or len(number) != 18:
        return False
    try:
        if number[:17].isdigit() and validators.resident_id_check_char(number[:17]) == number[17]:
            return True
        return validators.uscc_check_char(number[:17]) == number[17]
    except ValueError:
        return False


def _id_variants_expr(ids: pl.Series) -> pl.Expr:
    """The ID and every copy of it with one character dropped (its deletion neighbourhood).

    Two numbers one substitution, insertion, deletion or neighbour swap apart share an element, and a
    number shares one with almost nothing else: blocking on it finds typed-wrong IDs in linear work.
    Joined with spaces and split (an ID holds none): several times faster than ``concat_list``. Repeats
    (dropping either of two equal neighbours) stay; Splink keeps each pair once.

    A resident ID or USCC with a right check character gets none: one edit always breaks the check, so two
    such numbers are never one edit apart, and on a Chinese CIF (nearly every number checked) the rule would
    otherwise explode a million customers into nineteen million rows for nothing (7.4 GiB at 1M). Numbers
    without a check character (passports, foreign IDs, FEBRL's) and those whose check fails keep it.
    """
    longest = ids.str.len_chars().max()
    max_length = int(longest) if isinstance(longest, int) else 0
    eighteen = ids.filter(ids.str.len_chars() == 18).unique()
    valid = pl.Series([n for n in eighteen.to_list() if _checked(n)], dtype=pl.String)
    id_no = pl.col("id_no")
    deletions = [pl.concat_str([id_no.str.slice(0, i), id_no.str.slice(i + 1)]) for i in range(max_length)]
    variants = pl.concat_str([id_no, *deletions], separator=" ").str.split(" ")
    wanted = (id_no.str.len_chars() >= _MIN_ID_VARIANT_LENGTH) & ~id_no.is_in(valid)
    return pl.when(wanted).then(variants).otherwise(None).alias("id_variants")


def prepare(records: pl.DataFrame) -> pl.DataFrame:
    """``unique_id`` plus the folded columns the comparisons read, from records in the feed columns.

    Missing columns count as blank. ``birth_date`` may be a date or ISO / YYYYMMDD text.
    """
    text_columns = ("name", "gender", "mobile", "address", "employer", "id_no", "nationality")
    frame = records.select(
        pl.col("unique_id").cast(pl.Int64),
        *[
            (pl.col(c).cast(pl.String) if c in records.columns else pl.lit(None, pl.String)).alias(c)
            for c in text_columns
        ],
        pl.col("birth_date") if "birth_date" in records.columns else pl.lit(None, pl.String).alias("birth_date"),
    )
    names = frame["name"].str.strip_chars()
    unique_names = names.drop_nulls().unique().to_list()
    keys = pl.DataFrame(
        [(n, *_name_keys(n)) for n in unique_names if n],
        schema={
            "name": pl.String,
            "name_fold": pl.String,
            "name_pinyin": pl.String,
            "name_initials": pl.String,
            "name_sorted": pl.String,
            "name_words": pl.String,
        },
        orient="row",
    )
    frame = frame.with_columns(names.alias("name"))
    out = (
        frame.with_columns(
            _birth_expr(frame.schema["birth_date"]),
            _digits_expr("mobile"),
            _fold_expr("address").alias("address_fold"),
            _fold_expr("employer").alias("employer_fold"),
            pl.col("id_no").str.to_uppercase().str.replace_all(r"\s", ""),
            pl.col("gender").str.strip_chars().str.to_uppercase(),
        )
        .join(keys, on="name", how="left", maintain_order="left")
        .with_columns(
            pl.col("birth_date").str.slice(0, 4).alias("birth_year"),
            pl.col("address_fold").str.slice(0, 6).alias("address_key"),
            pl.col("address_fold").str.slice(-6).alias("address_tail"),
            pl.col("nationality").str.strip_chars().str.to_uppercase(),
        )
        .with_columns(
            *[
                pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c)
                for c in ("id_no", "gender", "nationality")
            ],
        )
    )
    out = out.with_columns(_id_variants_expr(out["id_no"]))
    return out.select("unique_id", *PREPARED_COLUMNS)


# ---------------------------------------------------------------- the Splink model


def _min_length(level: dict[str, Any], left: str, right: str) -> str:
    """An edit-distance level's optional ``min_length``: both values at least that many characters long."""
    if "min_length" not in level:
        return ""
    n = int(level["min_length"])
    return f" AND length({left}) >= {n} AND length({right}) >= {n}"


def _min_words(level: dict[str, Any]) -> str:
    """A level's optional ``min_words``: both names (``name_words``) have at least that many words."""
    if "min_words" not in level:
        return ""
    n = int(level["min_words"])
    return "".join(f" AND len(string_split({side}, ' ')) >= {n}" for side in ('"name_words_l"', '"name_words_r"'))


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
        return (
            f"levenshtein({left}, {right}) <= {int(level['max'])}" + _min_length(level, left, right),
            level.get("label", f"edit ≤ {level['max']}"),
        )
    if kind == "damerau":
        return (
            f"damerau_levenshtein({left}, {right}) <= {int(level['max'])}"
            + _min_length(level, left, right)
            + _min_words(level),
            level.get("label", f"edit ≤ {level['max']}"),
        )
    if kind == "shares_word":
        return (
            f"len(list_intersect(string_split({left}, ' '), string_split({right}, ' '))) > 0",
            level.get("label", "a word in common"),
        )
    if kind == "word_subset":
        words_l, words_r = f"string_split({left}, ' ')", f"string_split({right}, ' ')"
        return (
            f"list_has_all({words_l}, {words_r}) OR list_has_all({words_r}, {words_l})",
            level.get("label", "one holds every word of the other"),
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
    blocking: list[dict[str, Any]] = []
    for rule in settings.blocking_rules:
        rule_entry: dict[str, Any] = {
            "blocking_rule": " AND ".join(f'l."{c}" = r."{c}"' for c in rule),
            "sql_dialect": "duckdb",
        }
        arrays = [c for c in rule if c in ARRAY_COLUMNS]
        if arrays:
            rule_entry["arrays_to_explode"] = arrays
        blocking.append(rule_entry)
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
