"""``bankcrm serve`` and ``bankcrm demo``: the web app, and the demo bank behind it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from bankcrm.cli.common import console, err_console, load_settings

if TYPE_CHECKING:
    from datetime import date

    from bankcrm.config import Settings
    from bankcrm.demo.feed_files import FeedFiles

DEFAULT_FEED_CUSTOMERS = 2000
DEFAULT_SEED = 2026
DEFAULT_MONTHS = 24  # demo/core_banking.MONTHS, without importing the generator for --help


def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the web UI and API."""
    import uvicorn

    from bankcrm.app import create_app

    uvicorn.run(create_app(load_settings()), host=host, port=port, proxy_headers=True)


def _demo_files_dir(settings: Settings) -> Path:
    """Where the demo's core-banking files go: beside the SQLite file, or ./var."""
    path = settings.sqlite_path()
    return (path.parent if path is not None else Path("var")) / "core-banking"


def _feed_dir(settings: Settings) -> Path:
    """Where generated customers feeds go: beside the SQLite file, or ./var."""
    return _demo_files_dir(settings).parent / "customers-feed"


def _write_feed(settings: Settings, out: Path, customers: int, seed: int, encoding: str, day: date) -> FeedFiles:
    from bankcrm.demo import feed, feed_files

    files = feed_files.write_feed(out, customers, day, seed=seed, encoding=encoding)
    planted = feed.planted_counts(customers)
    near = sum(planted[k] for k in feed.NEAR_DUPLICATES)
    console.print(
        f"Wrote a customers feed for {day}: {files.core_rows} CORE customers ({files.core}), {files.credit_rows} "
        f"CREDIT records ({files.credit}) of which {near} planted near-duplicates ({planted['no_id']} without an "
        f"ID) and {planted[feed.HARD_NEGATIVE]} look-alikes of other people; truth: {files.truth}",
        soft_wrap=True,
    )
    return files


def _load_pending(files: FeedFiles, day: date) -> None:
    from bankcrm.demo import feed_files

    console.print("This build's ingest has no `customers` file type yet; load the files with:")
    for line in feed_files.how_to_load(files, day):
        console.print(f"  {line}", soft_wrap=True, markup=False)


def _loaded(results: list[Any]) -> str:
    return ", ".join(f"{r.run.rows_loaded} loaded / {r.run.rows_rejected} rejected" for r in results)


def generate(
    customers: int = typer.Option(DEFAULT_FEED_CUSTOMERS, "--customers", min=1, help="How many CORE customers."),
    out: Path | None = typer.Option(None, "--out", help="Folder for the files (default: var/customers-feed)."),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="The same seed writes the same files."),
    encoding: str = typer.Option("utf-8", help="utf-8 or gbk."),
    business_date: str | None = typer.Option(None, help="YYYY-MM-DD; default yesterday in the bank's zone."),
) -> None:
    """Write a customers feed from CORE and CREDIT (with planted near-duplicates and a truth file) and load it."""
    from datetime import date, timedelta

    from bankcrm.cli.context import prepare_sqlite_dir, transaction
    from bankcrm.demo import feed_files
    from bankcrm.demo import org as demo_org
    from bankcrm.kit.time import today_in
    from bankcrm.migrate import upgrade

    settings = load_settings()
    if encoding.lower() not in ("utf-8", "gbk"):
        err_console.print(f"[red]--encoding: utf-8 or gbk, not {encoding}[/red]")
        raise typer.Exit(2)
    try:
        day = date.fromisoformat(business_date) if business_date else today_in(settings.timezone) - timedelta(days=1)
    except ValueError:
        err_console.print(f"[red]--business-date: not a date in the form YYYY-MM-DD: {business_date}[/red]")
        raise typer.Exit(2) from None
    files = _write_feed(settings, out or _feed_dir(settings), customers, seed, encoding.lower(), day)
    if not feed_files.loader_ready():
        _load_pending(files, day)
        return
    prepare_sqlite_dir(settings)
    upgrade(settings.database_url)
    with transaction(settings) as db:
        if not demo_org.already_built(db):
            err_console.print(
                "[red]The feed's branch codes (BJ, SH, GZ and their units) are not in this database: "
                "run `bankcrm demo --no-serve` first.[/red]"
            )
            raise typer.Exit(1)
        results = feed_files.load(db, settings, files, day)
    console.print(f"Loaded: {_loaded(results)} (CORE, CREDIT).")


def demo(
    no_serve: bool = typer.Option(False, "--no-serve", help="Build the demo bank but do not serve it."),
    host: str = "127.0.0.1",
    port: int = 8000,
    customers: int = typer.Option(
        DEFAULT_FEED_CUSTOMERS,
        "--customers",
        min=0,
        help="Customers added through a generated CORE and CREDIT customers feed (0: none).",
    ),
    months: int = typer.Option(
        DEFAULT_MONTHS, "--months", min=1, max=36, help="Months of core-banking history for the demo's customers."
    ),
) -> None:
    """Create or upgrade the demo database, build the demo bank if it is not there, and serve it."""
    from datetime import timedelta

    from bankcrm.cli.context import prepare_sqlite_dir, transaction
    from bankcrm.demo import assignments as demo_assignments
    from bankcrm.demo import churn as demo_churn
    from bankcrm.demo import customers as demo_customers
    from bankcrm.demo import feed_files
    from bankcrm.demo import groups as demo_groups
    from bankcrm.demo import holdings as demo_holdings
    from bankcrm.demo import households as demo_households
    from bankcrm.demo import insight as demo_insight
    from bankcrm.demo import leads as demo_leads
    from bankcrm.demo import lifecycle as demo_lifecycle
    from bankcrm.demo import org as demo_org
    from bankcrm.demo import parties as demo_parties
    from bankcrm.demo import sales as demo_sales
    from bankcrm.demo import segments as demo_segments
    from bankcrm.demo import tags as demo_tags
    from bankcrm.demo import value as demo_value
    from bankcrm.demo import warnings as demo_warnings
    from bankcrm.kit.time import today_in
    from bankcrm.migrate import upgrade

    settings = load_settings("demo")
    prepare_sqlite_dir(settings)
    upgrade(settings.database_url)
    fed: FeedFiles | None = None
    results: list[Any] | None = None
    feed_day = today_in(settings.timezone) - timedelta(days=1)
    with transaction(settings) as db:
        built = not demo_org.already_built(db)
        if built:
            demo_org.build(db)
            made = demo_customers.build(db, settings.field_cipher())
            loaded = demo_holdings.build(db, settings, _demo_files_dir(settings), months)
            demo_households.build(db, settings)
            demo_groups.build(db, settings)
            parties = demo_parties.build(db, settings, _demo_files_dir(settings))
            demo_assignments.build(db, today_in(settings.timezone))
            demo_insight.build(db, settings)  # after managers are assigned: the snapshot names them
            demo_lifecycle.build(db, settings)  # over the snapshot's months
            demo_warnings.build(db, settings)  # after the lifecycle: lost customers get none
            demo_churn.build(db, settings)  # a champion trained on the snapshot, the newest month scored
            demo_tags.build(db, settings)
            demo_segments.build(db, settings)  # after the snapshot and tags its rules read
            demo_value.build(db, settings, months)
            demo_sales.build(db, settings)  # after the holdings: wins are proposed from them
            demo_leads.build(db, settings)  # referrals of Wangjing customers, prospects, rotas
            # Last, so the demo above stays what it was: more customers, from two sources, some of them twice.
            if customers:
                fed = _write_feed(settings, _feed_dir(settings), customers, DEFAULT_SEED, "utf-8", feed_day)
                if feed_files.loader_ready():
                    results = feed_files.load(db, settings, fed, feed_day)
    if built:
        console.print(
            f"Built the demo bank: 18 org units, 9 staff, {made} customers, "
            f"{loaded.files} core-banking files ({loaded.rows} rows, {months} months) loaded, "
            f"{loaded.rejected} bad rows rejected "
            f"(planted for the rejects pages), {loaded.outcomes} maturity follow-ups recorded, "
            f"{parties} joint holders and signatories."
        )
        if fed is not None and results is not None:
            console.print(f"Customers feed loaded: {_loaded(results)} (CORE, CREDIT).")
        elif fed is not None:
            _load_pending(fed, feed_day)
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
