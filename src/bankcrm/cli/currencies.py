"""``bankcrm currencies``: which ISO 4217 currencies files may use."""

from __future__ import annotations

import typer

from bankcrm.cli.common import console, fail, load_settings

currencies_app = typer.Typer(no_args_is_help=True, help="The currencies the bank uses (ISO 4217).")


@currencies_app.command("list")
def currencies_list(
    every: bool = typer.Option(False, "--all", help="Every ISO 4217 currency, not only the active ones."),
) -> None:
    """List the currencies files may use (with --all, every known one and whether it is active)."""
    from rich.table import Table

    from bankcrm.cli.context import transaction
    from bankcrm.holdings.service import currencies as currency_service

    with transaction(load_settings()) as db:
        rows = [
            (c.code, c.minor_units, c.active, c.label_en, c.label_zh)
            for c in currency_service.listed(db, active_only=not every)
        ]
    table = Table("code", "minor units", "active", "name", "名称")
    for code, digits, active, en, zh in rows:
        table.add_row(code, str(digits), "Y" if active else "N", en, zh)
    console.print(table)


def _set_currencies(codes: list[str], active: bool) -> None:
    from bankcrm.access.principal import SYSTEM
    from bankcrm.cli.context import transaction
    from bankcrm.errors import DomainError
    from bankcrm.holdings.service import currencies as currency_service

    with transaction(load_settings()) as db:
        try:
            changed = currency_service.set_active(db, SYSTEM, codes, active=active)
        except DomainError as exc:
            raise fail(exc) from exc
    state = "active" if active else "inactive"
    console.print(f"Now {state}: {', '.join(changed)}." if changed else f"Already {state}; nothing changed.")


@currencies_app.command("activate")
def currencies_activate(codes: list[str] = typer.Argument(..., help="ISO 4217 codes, such as CZK BHD.")) -> None:
    """Let files carry accounts and loans in these currencies (audited)."""
    _set_currencies(codes, True)


@currencies_app.command("deactivate")
def currencies_deactivate(codes: list[str] = typer.Argument(..., help="ISO 4217 codes.")) -> None:
    """Reject new rows in these currencies from now on; what is on file stays (audited)."""
    _set_currencies(codes, False)
