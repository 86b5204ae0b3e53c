"""A database of its own for tests that break connections or copy whole databases (never the shared one)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import make_url, text
from sqlalchemy.orm import sessionmaker

from bankcrm.db import make_engine, session_scope
from bankcrm.demo import org as demo_org
from bankcrm.migrate import upgrade


def database_beside(base_url: str, name: str, tmp_path: Path) -> str:
    """The URL of an empty database named ``name`` (+ this process's id on PostgreSQL) on ``base_url``'s server."""
    if base_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / (name + '.db')}"
    name = f"{name}_{os.getpid()}"
    admin = make_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


def drop(url: str) -> None:
    """Drop a PostgreSQL database made by ``database_beside`` (a SQLite file goes with tmp_path)."""
    if url.startswith("sqlite"):
        return
    admin = make_engine(
        make_url(url).set(database="postgres").render_as_string(hide_password=False), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


@contextmanager
def fresh_database(base_url: str, name: str, tmp_path: Path) -> Iterator[str]:
    """A migrated database with the demo org and staff committed, dropped afterwards."""
    url = database_beside(base_url, name, tmp_path)
    try:
        upgrade(url)
        engine = make_engine(url)
        with session_scope(sessionmaker(bind=engine)) as db:
            demo_org.build(db)
        engine.dispose()
        yield url
    finally:
        drop(url)


def pg_restore(dump: Path, base_url: str, name: str, tmp_path: Path) -> str:
    """Restore a ``pg_dump -Fc`` file into a new, empty database beside ``base_url``'s; its URL."""
    url = database_beside(base_url, name, tmp_path)
    target = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    done = subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", "--dbname", target, str(dump)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return url
