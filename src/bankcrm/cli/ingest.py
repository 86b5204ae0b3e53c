"""``bankcrm ingest``: load a core-banking file, or re-run its rejected rows."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from bankcrm.cli.common import console, err_console, fail, load_settings
from bankcrm.ingest.formats import FILE_TYPES

if TYPE_CHECKING:
    from bankcrm.config import Settings
    from bankcrm.ingest.service.run import IngestRequest


def ingest(
    file: Path = typer.Argument(..., help="The CSV file delivered by the source system."),
    file_type: str = typer.Option(..., "--type", help=f"One of: {', '.join(FILE_TYPES)}."),
    business_date: str = typer.Option(..., help="The business date the file is for, YYYY-MM-DD."),
    source: str = typer.Option(..., help="The source system, e.g. CORE."),
    encoding: str = typer.Option("utf-8", help="utf-8 or gbk."),
    rerun: bool = typer.Option(
        False,
        "--rerun",
        help="Re-run the rejected rows of this delivery, loaded from this same file, once their cause is fixed.",
    ),
) -> None:
    """Load a core-banking file: good rows loaded, bad rows to FILE.rejects.csv, counts to FILE.summary.json."""
    from rich.progress import Progress

    from bankcrm.errors import DomainError
    from bankcrm.ingest import jobs as ingest_jobs
    from bankcrm.ingest.service.outputs import summary_path
    from bankcrm.ingest.service.run import IngestRequest, Refused
    from bankcrm.kit.i18n import gettext_for

    settings = load_settings()
    try:
        day = date.fromisoformat(business_date)
    except ValueError:
        err_console.print(f"[red]--business-date: not a date in the form YYYY-MM-DD: {business_date}[/red]")
        raise typer.Exit(2) from None
    req = IngestRequest(path=file, file_type=file_type, business_date=day, source=source, encoding=encoding.lower())
    if rerun:
        _rerun(settings, req)
        return
    size = file.stat().st_size if file.is_file() else 0
    try:
        with Progress(*Progress.get_default_columns(), console=err_console, disable=not err_console.is_terminal) as bar:
            task = bar.add_task(f"{file_type} {file.name}", total=size)
            result, summary = ingest_jobs.run_ingest(settings, req, lambda n: bar.advance(task, n))
            bar.update(task, completed=size)
    except Refused as exc:
        err_console.print(f"[red]Refused, nothing loaded: {gettext_for('en', exc.message, exc.params)}[/red]")
        err_console.print(f"Summary: {summary_path(file)}", soft_wrap=True)
        raise typer.Exit(1) from exc
    except DomainError as exc:
        raise fail(exc) from exc
    run = result.run
    if result.unchanged:
        console.print(f"Already loaded as run {run.id} (same file); nothing changed. Summary: {summary}")
        return
    verb = "Replaced the earlier delivery" if run.replaced else "Loaded"
    console.print(
        f"{verb}: run {run.id}, {run.rows_in} rows in, {run.rows_loaded} loaded, {run.rows_rejected} rejected. "
        f"Summary: {summary}"
    )
    if result.ignored_columns:
        console.print(f"Ignored columns: {', '.join(result.ignored_columns)}")


def _rerun(settings: Settings, req: IngestRequest) -> None:
    from bankcrm.errors import DomainError
    from bankcrm.ingest import jobs as ingest_jobs

    try:
        result, summary = ingest_jobs.rerun_ingest(settings, req)
    except DomainError as exc:
        raise fail(exc) from exc
    run = result.run
    if result.unchanged and run.rows_rejected == 0:
        console.print(f"Nothing to re-run: run {run.id} has no rejected rows. Summary: {summary}")
    elif result.unchanged:
        console.print(f"Already re-run as run {run.id}; nothing changed. Summary: {summary}")
    else:
        console.print(
            f"Re-ran the rejected rows of run {run.rerun_of}: run {run.id}, {run.rows_in} rows in, "
            f"{run.rows_loaded} loaded, {run.rows_rejected} rejected. Summary: {summary}"
        )
