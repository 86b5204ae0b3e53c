"""``bankcrm db``: the database schema."""

from __future__ import annotations

import typer

from bankcrm.cli.common import console, load_settings

db_app = typer.Typer(no_args_is_help=True, help="Database schema.")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade the database schema to the latest version."""
    from bankcrm.cli.context import prepare_sqlite_dir
    from bankcrm.migrate import upgrade

    settings = load_settings()
    prepare_sqlite_dir(settings)
    upgrade(settings.database_url)
    console.print("Database is at the latest schema version.")
