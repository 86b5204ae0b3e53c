"""``bankcrm audit``: the audit log."""

from __future__ import annotations

import typer

from bankcrm.cli.common import console, err_console

audit_app = typer.Typer(no_args_is_help=True, help="The audit log.")


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
