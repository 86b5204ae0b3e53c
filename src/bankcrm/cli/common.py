"""What every command group shares: the consoles, the settings, how a domain error is shown."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.console import Console

if TYPE_CHECKING:
    from bankcrm.config import Settings
    from bankcrm.errors import DomainError

# Every command imports what it needs inside its body: SQLAlchemy, Alembic, Polars, SciPy and Faker
# together take seconds to import, and `bankcrm --help` or `bankcrm ingest` must not pay for all of them.

console = Console()
err_console = Console(stderr=True)


def load_settings(mode: str | None = None) -> Settings:
    """The settings (in ``mode`` if given); a configuration error ends the command with exit code 2."""
    from pydantic import ValidationError

    from bankcrm.config import get_settings

    try:
        base = get_settings()
        return base.model_copy(update={"mode": mode}) if mode else base
    except ValidationError as exc:
        err_console.print(f"[red]Configuration error:[/red] {exc.errors()[0]['msg']}")
        raise typer.Exit(2) from exc


def fail(exc: DomainError) -> typer.Exit:
    """Print a domain error and its field errors in English; the exit (code 1) for the caller to raise."""
    from bankcrm.kit.i18n import gettext_for

    err_console.print(f"[red]{gettext_for('en', exc.message, exc.params)}[/red]")
    for e in exc.errors:
        err_console.print(f"  {e.field}: {gettext_for('en', e.message, e.params)}")
    return typer.Exit(1)
