"""``bankcrm match``: find duplicate customers on file, and measure the matcher on a labelled sample."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from bankcrm.cli.common import console, err_console, load_settings

match_app = typer.Typer(no_args_is_help=True, help="Customer matching: duplicates on file, evaluation.")


@match_app.command("run")
def match_run(
    full: bool = typer.Option(
        False, "--full", help="Compare every customer, not only those changed since the last run."
    ),
) -> None:
    """Score pairs of customers and open a review for each possible duplicate (the nightly batch does it too)."""
    from bankcrm.cli.batch import _sessions
    from bankcrm.jobs.service import runs

    settings = load_settings()
    with _sessions(settings) as factory:
        steps = runs.run_steps(factory, settings, ["match"], options={"full": full})
    report = steps[0].result.report if steps[0].result is not None else None
    if report is None:
        err_console.print(f"[red]match: {steps[0].error}[/red]")
        raise typer.Exit(1)
    scope = "every customer" if report.full else f"customers changed since {report.since:%Y-%m-%d %H:%M:%S} UTC"
    console.print(
        f"Compared {scope}: {report.compared.get('individual', 0)} individuals, "
        f"{report.compared.get('corporate', 0)} corporates; {report.opened} reviews opened "
        f"({report.skipped_distinct} pairs decided different, {report.skipped_standing} already under review).",
        markup=False,
        soft_wrap=True,
    )


@match_app.command("evaluate")
def match_evaluate(
    file: Path = typer.Argument(..., help="CSV in the customers-feed columns plus truth_cluster."),
    encoding: str = typer.Option("utf-8", help="utf-8 or gbk."),
    settings_file: Path | None = typer.Option(
        None, "--settings", help="A comparison-settings JSON to try instead of the shipped one."
    ),
) -> None:
    """Print precision, recall and F1 of the current matching configuration (pairs and clusters) as JSON."""
    import polars as pl

    from bankcrm.matching.service import scoring
    from bankcrm.matching.service.evaluate import evaluate

    settings = load_settings()
    if encoding.lower() not in ("utf-8", "utf8", "gbk"):
        err_console.print(f"[red]--encoding: utf-8 or gbk, not {encoding}[/red]")
        raise typer.Exit(2)
    try:
        text = file.read_bytes().decode("gbk" if encoding.lower() == "gbk" else "utf-8-sig")
        records = pl.read_csv(text.encode("utf-8"), infer_schema=False)
    except (OSError, UnicodeDecodeError, pl.exceptions.PolarsError) as exc:
        err_console.print(f"[red]{file}: {exc}[/red]", soft_wrap=True)
        raise typer.Exit(2) from None
    records = records.rename({c: c.strip().lower() for c in records.columns})
    if "truth_cluster" not in records.columns:
        err_console.print(f"[red]{file}: no truth_cluster column[/red]", soft_wrap=True)
        raise typer.Exit(2)
    match_settings = scoring.load_settings(settings_file) if settings_file else None
    result = evaluate(records, upper=settings.match_upper, lower=settings.match_lower, settings=match_settings)
    console.print_json(json.dumps(result))
