"""``bankcrm backup``: an online backup of the database."""

from __future__ import annotations

from pathlib import Path

import typer

from bankcrm.cli.common import console, err_console, load_settings


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

    settings = load_settings()
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
