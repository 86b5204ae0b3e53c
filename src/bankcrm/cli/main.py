"""``bankcrm``: demo, serve, db, users, audit, keys, ingest, batch, backup, currencies."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from bankcrm.ingest.formats import FILE_TYPES

if TYPE_CHECKING:
    from bankcrm.config import Settings
    from bankcrm.errors import DomainError
    from bankcrm.ingest.service.run import IngestRequest

# Every command imports what it needs inside its body: SQLAlchemy, Alembic, Polars, SciPy and Faker
# together take seconds to import, and `bankcrm --help` or `bankcrm ingest` must not pay for all of them.

app = typer.Typer(no_args_is_help=True, help="bankcrm: customer relationship management for commercial banks.")
db_app = typer.Typer(no_args_is_help=True, help="Database schema.")
users_app = typer.Typer(no_args_is_help=True, help="Staff accounts.")
audit_app = typer.Typer(no_args_is_help=True, help="The audit log.")
keys_app = typer.Typer(no_args_is_help=True, help="Encryption keys for personal data.")
batch_app = typer.Typer(no_args_is_help=True, help="Batch jobs.")
currencies_app = typer.Typer(no_args_is_help=True, help="The currencies the bank uses (ISO 4217).")
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")
app.add_typer(keys_app, name="keys")
app.add_typer(batch_app, name="batch")
app.add_typer(currencies_app, name="currencies")
console = Console()
err_console = Console(stderr=True)


def _settings(mode: str | None = None) -> Settings:
    from pydantic import ValidationError

    from bankcrm.config import get_settings

    try:
        base = get_settings()
        return base.model_copy(update={"mode": mode}) if mode else base
    except ValidationError as exc:
        err_console.print(f"[red]Configuration error:[/red] {exc.errors()[0]['msg']}")
        raise typer.Exit(2) from exc


def _fail(exc: DomainError) -> typer.Exit:
    from bankcrm.kit.i18n import gettext_for

    err_console.print(f"[red]{gettext_for('en', exc.message, exc.params)}[/red]")
    for e in exc.errors:
        err_console.print(f"  {e.field}: {gettext_for('en', e.message, e.params)}")
    return typer.Exit(1)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade the database schema to the latest version."""
    from bankcrm.cli.context import prepare_sqlite_dir
    from bankcrm.migrate import upgrade

    settings = _settings()
    prepare_sqlite_dir(settings)
    upgrade(settings.database_url)
    console.print("Database is at the latest schema version.")


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the web UI and API."""
    import uvicorn

    from bankcrm.app import create_app

    uvicorn.run(create_app(_settings()), host=host, port=port, proxy_headers=True)


def _demo_files_dir(settings: Settings) -> Path:
    """Where the demo's core-banking files go: beside the SQLite file, or ./var."""
    path = settings.sqlite_path()
    return (path.parent if path is not None else Path("var")) / "core-banking"


@app.command()
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

    settings = _settings("demo")
    prepare_sqlite_dir(settings)
    upgrade(settings.database_url)
    with transaction(settings) as db:
        built = not demo_org.already_built(db)
        if built:
            demo_org.build(db)
            customers = demo_customers.build(db, settings.field_cipher())
            files, rows = demo_holdings.build(db, settings, _demo_files_dir(settings))
            demo_households.build(db, settings)
            demo_groups.build(db, settings)
            demo_assignments.build(db, today_in(settings.timezone))
    if built:
        console.print(
            f"Built the demo bank: 18 org units, 9 staff, {customers} customers, "
            f"{files} core-banking files ({rows} rows) loaded."
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


@app.command()
def ingest(
    file: Path = typer.Argument(..., help="The CSV file delivered by the source system."),
    file_type: str = typer.Option(..., "--type", help=f"One of: {', '.join(FILE_TYPES)}."),
    business_date: str = typer.Option(..., help="The business date the file is for, YYYY-MM-DD."),
    source: str = typer.Option(..., help="The source system, e.g. CORE."),
    encoding: str = typer.Option("utf-8", help="utf-8 or gbk."),
    rerun: bool = typer.Option(
        False,
        "--rerun",
        help="Re-run the rejected rows of this delivery, loaded from this same file, once their cause is fixed.",
    ),
) -> None:
    """Load a core-banking file: good rows loaded, bad rows to FILE.rejects.csv, counts to FILE.summary.json."""
    from rich.progress import Progress

    from bankcrm.errors import DomainError
    from bankcrm.ingest import jobs as ingest_jobs
    from bankcrm.ingest.service.outputs import summary_path
    from bankcrm.ingest.service.run import IngestRequest, Refused
    from bankcrm.kit.i18n import gettext_for

    settings = _settings()
    try:
        day = date.fromisoformat(business_date)
    except ValueError:
        err_console.print(f"[red]--business-date: not a date in the form YYYY-MM-DD: {business_date}[/red]")
        raise typer.Exit(2) from None
    req = IngestRequest(path=file, file_type=file_type, business_date=day, source=source, encoding=encoding.lower())
    if rerun:
        _rerun(settings, req)
        return
    size = file.stat().st_size if file.is_file() else 0
    try:
        with Progress(*Progress.get_default_columns(), console=err_console, disable=not err_console.is_terminal) as bar:
            task = bar.add_task(f"{file_type} {file.name}", total=size)
            result, summary = ingest_jobs.run_ingest(settings, req, lambda n: bar.advance(task, n))
            bar.update(task, completed=size)
    except Refused as exc:
        err_console.print(f"[red]Refused, nothing loaded: {gettext_for('en', exc.message, exc.params)}[/red]")
        err_console.print(f"Summary: {summary_path(file)}", soft_wrap=True)
        raise typer.Exit(1) from exc
    except DomainError as exc:
        raise _fail(exc) from exc
    run = result.run
    if result.unchanged:
        console.print(f"Already loaded as run {run.id} (same file); nothing changed. Summary: {summary}")
        return
    verb = "Replaced the earlier delivery" if run.replaced else "Loaded"
    console.print(
        f"{verb}: run {run.id}, {run.rows_in} rows in, {run.rows_loaded} loaded, {run.rows_rejected} rejected. "
        f"Summary: {summary}"
    )
    if result.ignored_columns:
        console.print(f"Ignored columns: {', '.join(result.ignored_columns)}")


def _rerun(settings: Settings, req: IngestRequest) -> None:
    from bankcrm.errors import DomainError
    from bankcrm.ingest import jobs as ingest_jobs

    try:
        result, summary = ingest_jobs.rerun_ingest(settings, req)
    except DomainError as exc:
        raise _fail(exc) from exc
    run = result.run
    if result.unchanged and run.rows_rejected == 0:
        console.print(f"Nothing to re-run: run {run.id} has no rejected rows. Summary: {summary}")
    elif result.unchanged:
        console.print(f"Already re-run as run {run.id}; nothing changed. Summary: {summary}")
    else:
        console.print(
            f"Re-ran the rejected rows of run {run.rerun_of}: run {run.id}, {run.rows_in} rows in, "
            f"{run.rows_loaded} loaded, {run.rows_rejected} rejected. Summary: {summary}"
        )


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

    settings = _settings()
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

    settings = _settings()
    with transaction(settings) as db:
        homes = households_jobs.derive_households(db, settings)
    console.print(
        f"Households: {homes.households} with {homes.members} members "
        f"({homes.created} created, {homes.dissolved} dissolved)."
    )


@currencies_app.command("list")
def currencies_list(
    every: bool = typer.Option(False, "--all", help="Every ISO 4217 currency, not only the active ones."),
) -> None:
    """List the currencies files may use (with --all, every known one and whether it is active)."""
    from rich.table import Table

    from bankcrm.cli.context import transaction
    from bankcrm.holdings.service import currencies as currency_service

    with transaction(_settings()) as db:
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

    with transaction(_settings()) as db:
        try:
            changed = currency_service.set_active(db, SYSTEM, codes, active=active)
        except DomainError as exc:
            raise _fail(exc) from exc
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


@users_app.command("create")
def users_create(
    username: str = typer.Option(..., help="Sign-in name: lower case, starts with a letter."),
    display_name: str = typer.Option(..., help="Name shown in the UI."),
    unit: str = typer.Option("HO", help="Org unit code."),
    role: list[str] = typer.Option(..., help="Role code; repeat for several."),
    password: str = typer.Option(
        ...,
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        help="Initial password (prompted when omitted); weak passwords are refused.",
    ),
) -> None:
    """Create a staff account (the first administrator of a new installation, for instance)."""
    from pydantic import ValidationError

    from bankcrm.access.principal import SYSTEM_PRINCIPAL
    from bankcrm.access.schemas import UserCreate
    from bankcrm.access.service import units as unit_service
    from bankcrm.access.service import users as user_service
    from bankcrm.cli.context import transaction
    from bankcrm.errors import DomainError

    with transaction() as db:
        try:
            units = {u.code: u for u in unit_service.list_units(db, SYSTEM_PRINCIPAL)}
            if unit.upper() not in units:
                err_console.print(f"[red]Unknown org unit code: {unit}[/red]")
                raise typer.Exit(1)
            data = UserCreate(
                username=username,
                display_name=display_name,
                org_unit_id=units[unit.upper()].id,
                password=password,
                roles=role,
            )
            user = user_service.create_user(db, SYSTEM_PRINCIPAL, data)
        except ValidationError as exc:
            for e in exc.errors():
                err_console.print(f"[red]{'.'.join(map(str, e['loc']))}: {e['msg']}[/red]")
            raise typer.Exit(1) from exc
        except DomainError as exc:
            raise _fail(exc) from exc
    console.print(f"Created user {user.username} (id {user.id}) in {unit.upper()} with roles {', '.join(role)}.")


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the audit log's hash chain; exit 1 and name the first broken row if it was tampered with."""
    from bankcrm.audit import service as audit_service
    from bankcrm.cli.context import transaction

    with transaction() as db:
        report = audit_service.verify(db)
    if report.ok:
        console.print(f"Audit chain intact: {report.checked} events verified.")
        return
    err_console.print(
        f"[red]Audit chain broken at row {report.broken_seq}: {report.reason}[/red] "
        f"({report.checked} events verified before it)"
    )
    raise typer.Exit(1)


@app.command("backup")
def backup_command(
    dest: Path = typer.Argument(..., help="The file to write: /backups/bankcrm-2026-12-01.db (.dump on PostgreSQL)."),
    force: bool = typer.Option(False, "--force", help="Replace DEST if it exists."),
) -> None:
    """Back up the database while the app serves (SQLite: online backup API; PostgreSQL: pg_dump -Fc); audited."""
    from rich.table import Table

    from bankcrm.access.principal import SYSTEM
    from bankcrm.audit import service as audit_service
    from bankcrm.backup import BackupError, backup
    from bankcrm.cli.context import transaction

    settings = _settings()
    try:
        report = backup(settings.database_url, dest, force=force)
    except BackupError as exc:
        err_console.print(f"[red]{exc}[/red]", soft_wrap=True)
        raise typer.Exit(1) from exc
    summary = (
        f"{report.method} to {report.path}: {report.total_rows} rows in {len(report.rows)} tables, {report.size} bytes"
    )
    with transaction(settings) as db:
        audit_service.record(db, SYSTEM, "db.backup", entity_type="database", detail=summary)
    table = Table("table", "rows", title="Rows in the backup")
    for name, rows in report.rows.items():
        table.add_row(name, str(rows))
    console.print(table)
    console.print(f"Backed up with {summary} ({report.size / 2**20:.1f} MB).", soft_wrap=True)


@keys_app.command("generate")
def keys_generate() -> None:
    """Print a new random key, for BANKCRM_PII_KEYS ("version:key,...") or BANKCRM_PII_INDEX_KEY."""
    from bankcrm.kit.crypto import generate_key

    console.print(generate_key(), soft_wrap=True)


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Re-encrypt every stored personal-data value under the current key (BANKCRM_PII_KEY_VERSION)."""
    from bankcrm.access.principal import SYSTEM
    from bankcrm.cli.context import transaction
    from bankcrm.customers.service import pii as pii_service
    from bankcrm.ingest.service import keys as ingest_keys

    settings = _settings()
    try:
        cipher = settings.field_cipher()
    except ValueError as exc:
        err_console.print(f"[red]Key configuration error:[/red] {exc}")
        raise typer.Exit(2) from exc
    with transaction(settings) as db:
        count = pii_service.rotate_keys(db, cipher, SYSTEM)
        numbers = ingest_keys.rotate_numbers(db, cipher, SYSTEM)
        rejects = ingest_keys.rotate_rejects(db, cipher, SYSTEM)
    console.print(
        f"Re-encrypted {count} customer values and {numbers} account and contract numbers "
        f"under key version {cipher.current_version}."
    )
    console.print(f"Re-encrypted {rejects} rejected ingest rows.")


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
