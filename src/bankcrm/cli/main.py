"""``bankcrm``: demo, generate, serve, db, users, audit, keys, ingest, batch, backup, currencies, match, models,
leads, calendar."""

from __future__ import annotations

import typer

from bankcrm.cli.audit import audit_app
from bankcrm.cli.backup import backup_command
from bankcrm.cli.batch import batch_app
from bankcrm.cli.calendar import calendar_app
from bankcrm.cli.common import err_console
from bankcrm.cli.currencies import currencies_app
from bankcrm.cli.db import db_app
from bankcrm.cli.demo import demo, generate, serve
from bankcrm.cli.ingest import ingest
from bankcrm.cli.keys import keys_app
from bankcrm.cli.leads import leads_app
from bankcrm.cli.match import match_app
from bankcrm.cli.models import models_app
from bankcrm.cli.users import users_app

# One module per command group; each imports its heavy libraries inside its commands' bodies, so that
# `bankcrm --help` loads none of SQLAlchemy, Alembic, Polars, SciPy or Faker (tests/cli/test_startup.py).

app = typer.Typer(no_args_is_help=True, help="bankcrm: customer relationship management for commercial banks.")
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")
app.add_typer(keys_app, name="keys")
app.add_typer(batch_app, name="batch")
app.add_typer(currencies_app, name="currencies")
app.add_typer(match_app, name="match")
app.add_typer(models_app, name="models")
app.add_typer(leads_app, name="leads")
app.add_typer(calendar_app, name="calendar")
# `bankcrm --help` lists these commands before the groups, in this order.
app.command()(serve)
app.command()(demo)
app.command()(generate)
app.command()(ingest)
app.command("backup")(backup_command)


# sysexits' EX_TEMPFAIL: a scheduler may retry the command later.
EXIT_DATABASE_UNAVAILABLE = 75


def _database_away(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or what it was raised from) is the database going away or refusing connections."""
    import psycopg
    from sqlalchemy.exc import DBAPIError, OperationalError

    while exc is not None:
        if isinstance(exc, OperationalError | psycopg.OperationalError):
            return True
        if isinstance(exc, DBAPIError) and exc.connection_invalidated:
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def main() -> None:
    """Entry point for ``python -m bankcrm``."""
    try:
        app(prog_name="bankcrm")
    except Exception as exc:
        if not _database_away(exc):
            raise
        from bankcrm.errors import DatabaseUnavailable
        from bankcrm.kit.i18n import gettext_for

        # What the command had not committed was rolled back with the connection; the driver's words say why.
        err_console.print(f"[red]{gettext_for('en', DatabaseUnavailable.default_message)}[/red]", soft_wrap=True)
        err_console.print(f"  {str(exc).splitlines()[0]}", markup=False, soft_wrap=True)
        raise SystemExit(EXIT_DATABASE_UNAVAILABLE) from None


if __name__ == "__main__":
    main()
