"""Bring your own history: the same LightGBM pipeline on a CSV file with a label column.

Types are inferred: numbers stay numbers; text with few distinct values becomes a category; text with many
(names, free text) and a column unique on every row (a row number, an id) are left out with a warning; yes/no and
true/false become 1/0; blanks are missing. A single feature that alone orders the label almost perfectly is
reported as probable leakage. Five stratified folds give the AUC (mean ± sd); the model stored is then fitted on
every row and calibrated on the folds' out-of-fold predictions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from sklearn.model_selection import StratifiedKFold

from bankcrm.churn.catalogue import Settings
from bankcrm.churn.service import learn, metrics

FOLDS = 5
MAX_CATEGORIES = 100  # text columns with more distinct values are names or free text, not categories
TRUE = {"1", "true", "yes", "y", "t"}
FALSE = {"0", "false", "no", "n", "f"}
# Two text values: the one naming a departure is the positive class ("Attrited Customer" against "Existing Customer").
LEAVING = ("attrit", "churn", "exit", "left", "lost", "closed", "流失")


class FileError(ValueError):
    """A file the pipeline cannot use; the message names the file, column or value."""


@dataclass
class Spec:
    """Which columns a file model reads and how: numeric, categorical (with its values), the id column."""

    numeric: list[str]
    categorical: dict[str, list[str]]
    id_column: str | None
    dropped: dict[str, str] = field(default_factory=dict)  # column → why it was left out

    @property
    def features(self) -> list[str]:
        """The model's columns in order."""
        return [*self.numeric, *self.categorical]


def read(path: Path) -> pl.DataFrame:
    """The CSV with inferred types (FileError when it is not one)."""
    if not path.is_file():
        raise FileError(f"{path}: no such file")
    try:
        return pl.read_csv(path, infer_schema_length=10_000, null_values=["", "NA", "NaN", "null"])
    except (pl.exceptions.PolarsError, UnicodeDecodeError) as exc:
        raise FileError(f"{path}: not a CSV file: {exc}") from None


def label_of(frame: pl.DataFrame, column: str, path: Path) -> np.ndarray:
    """The label as 0/1; FileError when the column is missing, blank somewhere or not two-valued."""
    if column not in frame.columns:
        raise FileError(f"{path.name}: no label column {column!r} (columns: {', '.join(frame.columns)})")
    col = frame[column]
    if col.null_count():
        raise FileError(f"{path.name}: label column {column!r} is blank on {col.null_count()} rows")
    text = col.cast(pl.String).str.to_lowercase().str.strip_chars()
    values = set(text.unique().to_list())
    if values <= TRUE | FALSE and values & TRUE and values & FALSE:
        return text.is_in(list(TRUE)).to_numpy().astype(np.float64)
    leaving = [v for v in values if any(word in v for word in LEAVING)]
    if len(values) == 2 and len(leaving) == 1:
        return np.asarray((text == leaving[0]).to_numpy(), dtype=np.float64)
    raise FileError(
        f"{path.name}: label column {column!r} must hold two values such as 0/1 or yes/no: {sorted(values)[:5]}"
    )


def infer(frame: pl.DataFrame, label: str, id_column: str | None) -> Spec:
    """Which columns become features and how."""
    spec = Spec([], {}, id_column)
    for name, dtype in frame.schema.items():
        if name in (label, id_column):
            continue
        col = frame[name]
        distinct = col.n_unique()
        if distinct <= 1:
            spec.dropped[name] = "one value only"
        elif dtype == pl.Boolean:
            spec.numeric.append(name)
        elif dtype.is_numeric():
            if dtype.is_integer() and distinct == frame.height and frame.height > 20:
                spec.dropped[name] = "unique on every row (an identifier)"
            else:
                spec.numeric.append(name)
        else:
            low = col.cast(pl.String).str.to_lowercase()
            if set(low.drop_nulls().unique().to_list()) <= TRUE | FALSE:
                spec.numeric.append(name)
            elif distinct > MAX_CATEGORIES:
                spec.dropped[name] = f"text with {distinct} distinct values (a name or free text)"
            else:
                spec.categorical[name] = sorted(v for v in col.cast(pl.String).unique().to_list() if v is not None)
    if not spec.features:
        raise FileError("no usable feature column")
    return spec


def encode(frame: pl.DataFrame, spec: Spec) -> np.ndarray:
    """The features as float32 columns (unknown category or blank: missing); FileError names a missing column."""
    missing = [c for c in spec.features if c not in frame.columns]
    if missing:
        raise FileError(f"the file lacks the model's columns: {', '.join(missing)}")
    cols = []
    for name in spec.numeric:
        col = frame[name]
        if col.dtype == pl.String:
            low = col.str.to_lowercase()
            flag = pl.when(low.is_in(list(TRUE))).then(1.0).when(low.is_in(list(FALSE))).then(0.0).otherwise(None)
            col = frame.select(flag.alias(name))[name]
        cols.append(col.cast(pl.Float32, strict=False).fill_null(np.nan).to_numpy())
    for name, values in spec.categorical.items():
        codes = {v: float(i) for i, v in enumerate(values)}
        mapped = frame[name].cast(pl.String).replace_strict(codes, default=None, return_dtype=pl.Float32)
        cols.append(mapped.fill_null(np.nan).to_numpy())
    return np.column_stack(cols).astype(np.float32, copy=False)


def cv_folds(y: np.ndarray, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The five stratified folds (shuffled with the seed), shared with the bench's plain LightGBM."""
    return list(StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=seed % (2**32)).split(np.zeros(len(y)), y))


@dataclass(frozen=True)
class FileModel:
    """A model trained on a file, its spec and card."""

    booster: Any
    calibrator: learn.Calibrator
    spec: Spec
    card: dict[str, Any]

    def text(self) -> str:
        """The model as stored: the spec travels as the categories' metadata."""
        meta = {
            "__numeric__": self.spec.numeric,
            "__id__": [self.spec.id_column] if self.spec.id_column else [],
            **self.spec.categorical,
        }
        return learn.save(self.booster, self.calibrator, meta)


def spec_of(model: learn.Loaded) -> Spec:
    """The spec a stored file model reads with."""
    cats = {k: v for k, v in model.categories.items() if not k.startswith("__")}
    ids = model.categories.get("__id__", [])
    return Spec(list(model.categories.get("__numeric__", [])), cats, ids[0] if ids else None)


def train(path: Path, label: str, id_column: str | None, s: Settings) -> FileModel:
    """Cross-validate and fit on the file; FileError on a file it cannot use."""
    frame = read(path)
    if id_column is not None and id_column not in frame.columns:
        raise FileError(f"{path.name}: no id column {id_column!r}")
    y = label_of(frame, label, path)
    if y.sum() < FOLDS or (len(y) - y.sum()) < FOLDS:
        raise FileError(f"{path.name}: too few rows of each label value for {FOLDS} folds")
    spec = infer(frame, label, id_column)
    x = encode(frame, spec)
    names, cats = spec.features, list(spec.categorical)
    warnings = []
    for j, name in enumerate(names):
        auc = learn.single_feature_auc(x[:, j].astype(np.float64), y)
        if auc >= s.leakage_auc:
            warnings.append(f"{name} alone predicts {label} with AUC {auc:.3f}: probable leakage")
    p = learn.params(s)
    oof = np.zeros(len(y))
    aucs, pr_aucs = [], []
    for train_idx, test_idx in cv_folds(y, s.seed):
        booster = learn.fit(x[train_idx], y[train_idx], names, cats, p, s.num_boost_round)
        oof[test_idx] = learn.predict(booster, x[test_idx])
        fold = metrics.ranking(y[test_idx], oof[test_idx])
        aucs.append(fold["auc"])
        pr_aucs.append(fold["pr_auc"])
    booster = learn.fit(x, y, names, cats, p, s.num_boost_round)
    calibrator = learn.Calibrator.fitted(oof, y)
    card = {
        "kind": "file",
        "file": path.name,
        "label_column": label,
        "id_column": id_column,
        "rows": {"training": len(y)},
        "churn_rate": {"training": round(float(y.mean()), 4)},
        "features": names,
        "categorical": cats,
        "dropped": spec.dropped,
        "cv": {
            "folds": FOLDS,
            "auc_folds": aucs,
            "auc_mean": round(float(np.mean(aucs)), 4),
            "auc_sd": round(float(np.std(aucs, ddof=1)), 4),
            "pr_auc_mean": round(float(np.mean(pr_aucs)), 4),
        },
        "metrics": {
            "auc": round(float(np.mean(aucs)), 4),
            "pr_auc": round(float(np.mean(pr_aucs)), 4),
            "lift_top_decile": metrics.ranking(y, oof)["lift_top_decile"],
        },
        "calibration": metrics.calibration(y, calibrator(oof)),
        "calibration_method": "isotonic on the out-of-fold predictions",
        "top_features": learn.top_features(booster),
        "warnings": warnings,
        "params": {k: v for k, v in sorted(p.items()) if k != "verbosity"} | {"num_boost_round": s.num_boost_round},
    }
    return FileModel(booster, calibrator, spec, card)


def score(model: learn.Loaded, path: Path) -> pl.DataFrame:
    """The file's rows scored: the id column (or the row number) and the calibrated probability."""
    spec = spec_of(model)
    frame = read(path)
    prob = model.calibrator(learn.predict(model.booster, encode(frame, spec)))
    key = spec.id_column if spec.id_column and spec.id_column in frame.columns else None
    ids = frame[key] if key else pl.Series("row", range(1, frame.height + 1))
    return pl.DataFrame({ids.name: ids, "probability": np.round(prob, 6)})
