"""Alembic environment: uses a connection handed in by bankcrm, or the configured URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from bankcrm.config import get_settings
from bankcrm.db import make_engine
from bankcrm.models.base import Base

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Migrate over a given connection or a fresh engine."""
    given = context.config.attributes.get("connection")
    if given is not None:
        _run(given)
        return
    url = context.config.get_main_option("sqlalchemy.url") or get_settings().database_url
    engine = make_engine(url)
    with engine.connect() as connection:
        _run(connection)
        connection.commit()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported; run 'bankcrm db upgrade'.")
run_online()
