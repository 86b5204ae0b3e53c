"""``bankcrm users``: staff accounts."""

from __future__ import annotations

import typer

from bankcrm.cli.common import console, err_console, fail

users_app = typer.Typer(no_args_is_help=True, help="Staff accounts.")


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
            raise fail(exc) from exc
    console.print(f"Created user {user.username} (id {user.id}) in {unit.upper()} with roles {', '.join(role)}.")
