"""``bankcrm models``: train, score and backtest the churn model; each prints its result as JSON on the last line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from bankcrm.cli.common import console, err_console, load_settings

models_app = typer.Typer(no_args_is_help=True, help="Churn models: train, score, backtest.")
TARGETS = ("churn",)


def _target(target: str) -> None:
    if target not in TARGETS:
        err_console.print(f"[red]target: one of {', '.join(TARGETS)}, not {target}[/red]")
        raise typer.Exit(2)


def _last_line(result: dict[str, Any]) -> None:
    """The result as one JSON line, last, for scripts."""
    console.print(json.dumps(result, ensure_ascii=False, sort_keys=True), markup=False, soft_wrap=True, highlight=False)


def _session() -> Any:
    from bankcrm.db import make_engine, make_sessionmaker

    engine = make_engine(load_settings().database_url)
    return engine, make_sessionmaker(engine)()


@models_app.command("train")
def train_command(
    target: str = typer.Argument(..., help="What the model predicts: churn."),
    from_file: Path | None = typer.Option(None, "--from-file", help="Your own history: a CSV file, one row each."),
    label: str | None = typer.Option(None, "--label", help="With --from-file: the column holding the outcome."),
    id_column: str | None = typer.Option(None, "--id", help="With --from-file: the column identifying a row."),
) -> None:
    """Train on the snapshot (a challenger, promoted if it beats the champion and the recency rule), or with
    --from-file on your own file (5-fold stratified cross-validation)."""
    from bankcrm.access.principal import SYSTEM
    from bankcrm.audit import service as audit_service
    from bankcrm.churn import catalogue
    from bankcrm.churn.service import fromfile, train
    from bankcrm.churn.service.pipeline import NotEnoughHistory

    _target(target)
    if from_file is not None and not label:
        err_console.print("[red]--label: required with --from-file (the column holding the outcome)[/red]")
        raise typer.Exit(2)
    engine, db = _session()
    try:
        if from_file is not None:
            assert label is not None
            try:
                fm = fromfile.train(from_file, label, id_column, catalogue.settings())
            except fromfile.FileError as exc:
                err_console.print(f"[red]{exc}[/red]", soft_wrap=True)
                raise typer.Exit(2) from None
            for warning in fm.card["warnings"]:
                err_console.print(f"[yellow]warning: {warning}[/yellow]", soft_wrap=True)
            for column, why in fm.card["dropped"].items():
                err_console.print(f"left out {column}: {why}", markup=False, soft_wrap=True)
            row = train.store_file_model(db, fm)
            cv = fm.card["cv"]
            console.print(
                f"Model {row.id} on {from_file.name}: AUC {cv['auc_mean']:.4f} ± {cv['auc_sd']:.4f} over "
                f"{cv['folds']} folds, {fm.card['rows']['training']} rows",
                markup=False,
            )
            result = {"model_id": row.id, "status": row.status, **fm.card["metrics"], **cv}
            result |= {"rows": fm.card["rows"]["training"], "warnings": fm.card["warnings"]}
        else:
            try:
                outcome = train.train_challenger(db)
            except NotEnoughHistory as exc:
                err_console.print(f"[red]not enough history to train: {exc}[/red]", soft_wrap=True)
                raise typer.Exit(1) from None
            row = outcome.model
            card = json.loads(row.card)
            console.print(
                f"Model {row.id} ({row.status}, {row.note}): AUC {row.auc:.4f} on {card['validation_month']}, "
                f"recency rule {card['baseline']['auc']:.4f}",
                markup=False,
            )
            result = {"model_id": row.id, "status": row.status, "promoted": outcome.promoted, **card["metrics"]}
            result |= {"validation_month": card["validation_month"], "rows": card["rows"]}
            result |= {"baseline": card["baseline"], "champion_auc": outcome.champion_auc}
        audit_service.record(
            db, SYSTEM, "churn.trained", entity_type="churn_model", entity_id=str(row.id), detail=f"AUC {row.auc:.4f}"
        )
        db.commit()
    finally:
        db.close()
        engine.dispose()
    _last_line(result)


@models_app.command("score")
def score_command(
    model_id: int = typer.Option(..., "--model", help="The model's id (bankcrm models list, /models)."),
    from_file: Path = typer.Option(..., "--from-file", help="The CSV to score."),
    out: Path = typer.Option(..., "--out", help="Where to write the scores (CSV)."),
) -> None:
    """Score a file: a file model reads the columns it was trained on; a snapshot model reads snapshot rows
    (customer_month columns) and scores each customer's newest month, with reasons."""
    import polars as pl

    from bankcrm.churn import catalogue
    from bankcrm.churn.service import features, fromfile, learn, reads_cli, reasons

    engine, db = _session()
    try:
        row = reads_cli.model_text(db, model_id)
    finally:
        db.close()
        engine.dispose()
    if row is None:
        err_console.print(f"[red]--model: no model {model_id}[/red]")
        raise typer.Exit(2)
    source, text = row
    model = learn.load(text)
    try:
        if source == "file":
            scored = fromfile.score(model, from_file)
        else:
            from bankcrm.churn.service.scoring import score_frame

            frame = fromfile.read(from_file)
            missing = [c for c in features.SNAPSHOT if c not in frame.columns]
            if missing:
                raise fromfile.FileError(f"{from_file.name}: a snapshot model needs the columns {', '.join(missing)}")
            s = catalogue.settings()
            frame = frame.with_columns(pl.col("month").cast(pl.Date)).select(features.SNAPSHOT)
            feats = features.build(frame, s)
            newest = feats.group_by("customer_id").agg(pl.col("month").max())
            rows = feats.join(newest, on=["customer_id", "month"]).sort("customer_id")
            prob, why = score_frame(model, rows)
            scored = pl.DataFrame(
                {
                    "customer_id": rows["customer_id"],
                    "month": rows["month"],
                    "probability": prob.round(6),
                    "reasons": [reasons.sentence(r, "en") for r in why],
                }
            )
    except fromfile.FileError as exc:
        err_console.print(f"[red]{exc}[/red]", soft_wrap=True)
        raise typer.Exit(2) from None
    scored.write_csv(out)
    console.print(f"Scored {scored.height} rows with model {model_id} into {out}", markup=False)
    _last_line({"model_id": model_id, "rows": scored.height, "out": str(out)})


@models_app.command("backtest")
def backtest_command(
    target: str = typer.Argument(..., help="What the model predicts: churn."),
    month: str = typer.Option(..., "--month", help="The month to look back on, YYYY-MM."),
    model_id: int | None = typer.Option(None, "--model", help="The model (default: the champion)."),
) -> None:
    """Of the warnings the model would have raised in the month, how many customers really left (precision,
    recall and lift at top k), against the recency rule."""
    from bankcrm.churn.jobs import parse_month
    from bankcrm.churn.service import backtest
    from bankcrm.errors import NotFound
    from bankcrm.kit.i18n import gettext_for

    _target(target)
    try:
        wanted = parse_month(month)
    except ValueError as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    engine, db = _session()
    try:
        result = backtest.backtest(db, wanted, model_id)
    except backtest.BacktestError as exc:
        err_console.print(f"[red]{gettext_for('en', str(exc))}[/red]", soft_wrap=True)
        raise typer.Exit(1) from None
    except NotFound:
        err_console.print(f"[red]--model: no model {model_id}[/red]")
        raise typer.Exit(2) from None
    finally:
        db.close()
        engine.dispose()
    m, r = result.model, result.recency
    console.print(
        f"{result.month}: {result.customers} customers, {result.churned} left. Top {result.top_k}: model "
        f"precision {m['precision_at_k']:.3f}, recall {m['recall_at_k']:.3f}, lift {m['lift_at_k']:.2f}; "
        f"recency rule precision {r['precision_at_k']:.3f}, recall {r['recall_at_k']:.3f}, lift {r['lift_at_k']:.2f}",
        markup=False,
        soft_wrap=True,
    )
    _last_line(result.model_dump())
