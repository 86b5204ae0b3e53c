"""What every command needs: settings, an engine, a session scope."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from bankcrm.config import Settings, get_settings
from bankcrm.db import make_engine, make_sessionmaker, session_scope


def prepare_sqlite_dir(settings: Settings) -> None:
    """Create the folder of a SQLite file (./var by default)."""
    path = settings.sqlite_path()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)


@contextmanager
def transaction(settings: Settings | None = None) -> Iterator[Session]:
    """One committed-or-rolled-back transaction for a command."""
    settings = settings or get_settings()
    engine = make_engine(settings.database_url)
    try:
        with session_scope(make_sessionmaker(engine)) as db:
            yield db
    finally:
        engine.dispose()
