"""``bankcrm keys``: encryption keys for personal data."""

from __future__ import annotations

import typer

from bankcrm.cli.common import console, err_console, load_settings

keys_app = typer.Typer(no_args_is_help=True, help="Encryption keys for personal data.")


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

    settings = load_settings()
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
