"""``bankcrm calendar``: import the State Council's schedule as the bank's entries, and show a year."""

from __future__ import annotations

from pathlib import Path

import typer

from bankcrm.cli.common import console, fail, load_settings

calendar_app = typer.Typer(no_args_is_help=True, help="The working calendar: import the bank's days, show a year.")


@calendar_app.command("import")
def calendar_import(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV: day,kind,label_en,label_zh (UTF-8)."),
) -> None:
    """Set every day of the file as the bank's entry (HOLIDAY or WORKDAY): all of them, or none if a line is bad."""
    from bankcrm.access.principal import SYSTEM
    from bankcrm.cli.context import transaction
    from bankcrm.errors import DomainError
    from bankcrm.workcalendar.service import edit

    text = file.read_text(encoding="utf-8")
    with transaction(load_settings()) as db:
        try:
            count = edit.import_file(db, SYSTEM, text)
        except DomainError as exc:
            raise fail(exc) from exc
    console.print(f"{count} days entered from {file.name}.")


@calendar_app.command("show")
def calendar_show(year: int = typer.Option(..., "--year", min=2001, max=2100, help="The year, such as 2027.")) -> None:
    """Every day of the year the calendar answers against the weekday rule, with its kind and source."""
    from bankcrm.access.principal import SYSTEM_PRINCIPAL
    from bankcrm.cli.context import transaction
    from bankcrm.workcalendar.service import reads

    with transaction(load_settings()) as db:
        found = reads.year(db, SYSTEM_PRINCIPAL, year, locale="en")
    for d in found.days:
        console.print(f"{d.day.isoformat()}  {d.kind:<8} {d.source:<8} {d.label_en} / {d.label_zh}", highlight=False)
    if not found.has_make_up_days:
        console.print(
            f"{year} has no make-up working days from any source: its schedule has not been entered yet.",
            highlight=False,
        )
