"""``bankcrm serve`` and ``bankcrm demo``: the web app, and the demo bank behind it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from bankcrm.cli.common import console, load_settings

if TYPE_CHECKING:
    from bankcrm.config import Settings


def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the web UI and API."""
    import uvicorn

    from bankcrm.app import create_app

    uvicorn.run(create_app(load_settings()), host=host, port=port, proxy_headers=True)


def _demo_files_dir(settings: Settings) -> Path:
    """Where the demo's core-banking files go: beside the SQLite file, or ./var."""
    path = settings.sqlite_path()
    return (path.parent if path is not None else Path("var")) / "core-banking"


def demo(
    no_serve: bool = typer.Option(False, "--no-serve", help="Build the demo bank but do not serve it."),
    host: str = "127.0.0.1",
    port: int = 8000,
) -> None:
    """Create or upgrade the demo database, build the demo bank if it is not there, and serve it."""
    from bankcrm.cli.context import prepare_sqlite_dir, transaction
    from bankcrm.demo import assignments as demo_assignments
    from bankcrm.demo import customers as demo_customers
    from bankcrm.demo import groups as demo_groups
    from bankcrm.demo import holdings as demo_holdings
    from bankcrm.demo import households as demo_households
    from bankcrm.demo import org as demo_org
    from bankcrm.kit.time import today_in
    from bankcrm.migrate import upgrade

    settings = load_settings("demo")
    prepare_sqlite_dir(settings)
    upgrade(settings.database_url)
    with transaction(settings) as db:
        built = not demo_org.already_built(db)
        if built:
            demo_org.build(db)
            customers = demo_customers.build(db, settings.field_cipher())
            loaded = demo_holdings.build(db, settings, _demo_files_dir(settings))
            demo_households.build(db, settings)
            demo_groups.build(db, settings)
            demo_assignments.build(db, today_in(settings.timezone))
    if built:
        console.print(
            f"Built the demo bank: 18 org units, 9 staff, {customers} customers, "
            f"{loaded.files} core-banking files ({loaded.rows} rows) loaded, {loaded.rejected} bad rows rejected "
            f"(planted for the rejects pages), {loaded.outcomes} maturity follow-ups recorded."
        )
    else:
        console.print("The demo bank is already built in this database; nothing was changed.")
    from rich.table import Table

    table = Table(title="Demo users (password: demo1234)")
    for col in ("user", "role", "unit"):
        table.add_column(col)
    for u in demo_org.staff_list():
        table.add_row(u.username, u.role, u.unit)
    console.print(table)
    if not no_serve:
        import uvicorn

        from bankcrm.app import create_app

        console.print(f"Serving the demo bank at http://{host}:{port}")
        uvicorn.run(create_app(settings), host=host, port=port)
