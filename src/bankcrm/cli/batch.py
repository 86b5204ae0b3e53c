"""``bankcrm batch``: the nightly figures, households and groups."""

from __future__ import annotations

from datetime import date

import typer

from bankcrm.cli.common import console, err_console, load_settings

batch_app = typer.Typer(no_args_is_help=True, help="Batch jobs.")


@batch_app.command("nightly")
def batch_nightly(
    full: bool = typer.Option(False, "--full", help="Recompute every customer, not only those whose holdings changed."),
    as_of: str | None = typer.Option(None, help="Business date of the figures (default: the newest one loaded)."),
) -> None:
    """Recompute customers' derived figures, then raise maturity follow-up tasks."""
    from rich.progress import Progress

    from bankcrm.cli.context import transaction
    from bankcrm.holdings import jobs as holdings_jobs
    from bankcrm.households import jobs as households_jobs
    from bankcrm.relationships import jobs as relationships_jobs

    settings = load_settings()
    day = None
    if as_of:
        try:
            day = date.fromisoformat(as_of)
        except ValueError:
            err_console.print(f"[red]--as-of: not a date in the form YYYY-MM-DD: {as_of}[/red]")
            raise typer.Exit(2) from None
    with (
        transaction(settings) as db,
        Progress(*Progress.get_default_columns(), console=err_console, disable=not err_console.is_terminal) as bar,
    ):
        task = bar.add_task("figures", total=None)
        report = holdings_jobs.nightly(db, settings, as_of=day, full=full, progress=lambda n: bar.advance(task, n))
        homes = households_jobs.derive_households(db, settings)
        groups = relationships_jobs.nightly(db, settings)
    console.print(
        f"Figures as of {report.figures.as_of} for {report.figures.customers} customers; "
        f"maturity tasks: {report.tasks.created} created, {report.tasks.escalated} escalated."
    )
    console.print(f"Households: {homes.households} ({homes.created} created, {homes.dissolved} dissolved).")
    console.print(
        f"Corporate groups: {groups.groups} ({groups.proposed} proposed for review); "
        f"guarantee circles: {groups.circles} ({groups.circles_new} new, {groups.circles_ended} ended)."
    )


@batch_app.command("households")
def batch_households() -> None:
    """Derive households from family links now (the nightly batch does it too); manual edits are kept."""
    from bankcrm.cli.context import transaction
    from bankcrm.households import jobs as households_jobs

    settings = load_settings()
    with transaction(settings) as db:
        homes = households_jobs.derive_households(db, settings)
    console.print(
        f"Households: {homes.households} with {homes.members} members "
        f"({homes.created} created, {homes.dissolved} dissolved)."
    )
