"""``bankcrm leads``: return unaccepted leads to the pool now, and set a unit's round robin."""

from __future__ import annotations

import typer

from bankcrm.cli.common import console, fail, load_settings

leads_app = typer.Typer(no_args_is_help=True, help="Leads: the acceptance timeout and the round robins.")


@leads_app.command("expire")
def leads_expire() -> None:
    """Return assigned leads not accepted within the policy's business hours to the pool; settle conversions."""
    from bankcrm.cli.context import transaction
    from bankcrm.leads.jobs import leads_job

    settings = load_settings()
    with transaction(settings) as db:
        result = leads_job(db, settings)
    console.print(result.detail)


@leads_app.command("rota")
def leads_rota(
    unit: str = typer.Argument(..., help="Org unit code, such as BJ."),
    users: list[str] = typer.Argument(..., help="User names of the managers on the round robin, in order."),
    interest: str | None = typer.Option(None, "--interest", help="An interest code (LOAN ...); none: any interest."),
) -> None:
    """Make these managers the unit's round robin for an interest (or any); others on it leave it."""
    from bankcrm.cli.context import transaction
    from bankcrm.errors import DomainError
    from bankcrm.leads.service import rota

    with transaction(load_settings()) as db:
        try:
            rows = rota.put(db, unit, interest, users)
        except DomainError as exc:
            raise fail(exc) from exc
    console.print(f"{unit} {interest or '*'}: {len(rows)} managers on the round robin.")
