"""``bankcrm batch``: the registry's steps (see ``bankcrm batch list``), nightly or one at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Any

import typer

from bankcrm.cli.common import console, err_console, load_settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from bankcrm.config import Settings
    from bankcrm.jobs.service.runner import StepOutcome

batch_app = typer.Typer(no_args_is_help=True, help="Batch jobs.")


@contextmanager
def _sessions(settings: Settings) -> Iterator[sessionmaker[Session]]:
    """A session factory for the runner, which opens one transaction per step."""
    from bankcrm.db import make_engine, make_sessionmaker

    engine = make_engine(settings.database_url)
    try:
        yield make_sessionmaker(engine)
    finally:
        engine.dispose()


def _step_line(step: StepOutcome) -> None:
    """One line per step as it ends: outcome, rows, seconds, or why not."""
    from rich.markup import escape

    if step.outcome == "ok" and step.result is not None:
        err_console.print(f"[green]{step.job.code}: ok[/green] ({step.result.rows} rows) {escape(step.result.detail)}")
    elif step.outcome == "failed":
        err_console.print(f"[red]{step.job.code}: failed: {escape(step.error or '')}[/red]")
    else:
        err_console.print(f"[yellow]{step.job.code}: skipped ({escape(step.error or '')})[/yellow]")


def _finish(steps: list[StepOutcome]) -> None:
    """Exit non-zero when any step failed or was skipped."""
    if any(s.outcome != "ok" for s in steps):
        raise typer.Exit(1)


@batch_app.command("nightly")
def batch_nightly(
    full: bool = typer.Option(False, "--full", help="Recompute every customer, not only those whose holdings changed."),
    as_of: str | None = typer.Option(None, help="Business date of the figures (default: the newest one loaded)."),
) -> None:
    """Run every nightly step in dependency order (`bankcrm batch list` names them)."""
    from rich.progress import Progress

    from bankcrm.jobs.service import runs

    settings = load_settings()
    day = None
    if as_of:
        try:
            day = date.fromisoformat(as_of)
        except ValueError:
            err_console.print(f"[red]--as-of: not a date in the form YYYY-MM-DD: {as_of}[/red]")
            raise typer.Exit(2) from None
    with (
        _sessions(settings) as factory,
        Progress(*Progress.get_default_columns(), console=err_console, disable=not err_console.is_terminal) as bar,
    ):
        task = bar.add_task("figures", total=None)
        progress: Callable[[int], None] = lambda n: bar.advance(task, n)  # noqa: E731
        options: dict[str, Any] = {"as_of": day, "full": full, "progress": progress}
        steps = runs.run_nightly(factory, settings, options=options, on_step=_step_line)
    _summary({s.job.code: s.result.report for s in steps if s.result is not None})
    _finish(steps)


def _summary(reports: dict[str, Any]) -> None:
    """The lines the nightly batch has always printed, for the steps that ran."""
    figures, tasks = reports.get("figures"), reports.get("maturity-tasks")
    if figures is not None and tasks is not None:
        console.print(
            f"Figures as of {figures.as_of} for {figures.customers} customers; "
            f"maturity tasks: {tasks.created} created, {tasks.escalated} escalated."
        )
    homes = reports.get("households")
    if homes is not None:
        console.print(f"Households: {homes.households} ({homes.created} created, {homes.dissolved} dissolved).")
    groups = reports.get("groups")
    if groups is not None:
        console.print(
            f"Corporate groups: {groups.groups} ({groups.proposed} proposed for review); "
            f"guarantee circles: {groups.circles} ({groups.circles_new} new, {groups.circles_ended} ended)."
        )


@batch_app.command("run")
def batch_run(
    job: str = typer.Argument(..., help="The step's code (see: bankcrm batch list)."),
    backfill: bool = typer.Option(
        False,
        "--backfill",
        help="snapshot: compute every month of delivered history (up to 36), not only the last two.",
    ),
    month: str | None = typer.Option(None, help="YYYY-MM: the month a monthly step computes (a backfill)."),
) -> None:
    """Run one step now (a request waiting for it is filled in)."""
    from bankcrm.jobs.service import runs
    from bankcrm.jobs.service.order import UnknownJob

    settings = load_settings()
    try:
        runs.job(job)
    except UnknownJob as exc:
        err_console.print(f"[red]Unknown job {job!r}. Known jobs: {', '.join(exc.known)}.[/red]")
        raise typer.Exit(2) from None
    options: dict[str, Any] = {}
    if month is not None:
        try:
            date.fromisoformat(f"{month}-01")
        except ValueError:
            err_console.print(f"[red]--month: not a month in the form YYYY-MM: {month}[/red]")
            raise typer.Exit(2) from None
        options["month"] = month
    with _sessions(settings) as factory:
        if backfill:
            options["backfill"] = True
        steps = runs.run_steps(factory, settings, [job], options=options or None, on_step=_step_line)
    _finish(steps)


@batch_app.command("queued")
def batch_queued() -> None:
    """Run the steps that requests queued (the groups page's derive button, say), in dependency order."""
    from bankcrm.cli.context import transaction
    from bankcrm.jobs.service import runs

    settings = load_settings()
    with transaction(settings) as db:
        codes = runs.queued_codes(db)
    if not codes:
        console.print("No job is queued.")
        return
    with _sessions(settings) as factory:
        steps = runs.run_steps(factory, settings, codes, on_step=_step_line)
    _finish(steps)


@batch_app.command("list")
def batch_list() -> None:
    """The registered steps in the order the nightly batch runs them."""
    from bankcrm.jobs.service import runs

    for job in runs.registered():
        when = "nightly" if job.nightly else "on demand"
        after = f", after {', '.join(job.after)}" if job.after else ""
        console.print(f"{job.code}: {job.label_en} / {job.label_zh} ({when}{after})", markup=False, soft_wrap=True)


@batch_app.command("households")
def batch_households() -> None:
    """Derive households from family links now (the nightly batch does it too); manual edits are kept."""
    from bankcrm.jobs.service import runs

    settings = load_settings()
    with _sessions(settings) as factory:
        steps = runs.run_steps(factory, settings, ["households"])
    homes = steps[0].result.report if steps[0].result is not None else None
    if homes is None:
        err_console.print(f"[red]households: {steps[0].error}[/red]")
        raise typer.Exit(1)
    console.print(
        f"Households: {homes.households} with {homes.members} members "
        f"({homes.created} created, {homes.dissolved} dissolved)."
    )
