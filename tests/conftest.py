"""Test harness: one migrated database per backend, every test inside a rolled-back transaction."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from bankcrm.app import create_app
from bankcrm.config import Settings, get_settings
from bankcrm.db import make_engine, session_scope
from bankcrm.demo import org as demo_org
from bankcrm.migrate import upgrade
from bankcrm.models.access import User
from bankcrm.models.org import OrgUnit
from tests.demo_build import DemoBuild, shared_demo

PG_URL = os.environ.get("BANKCRM_TEST_DATABASE_URL")
if os.environ.get("CI") and not PG_URL:
    raise pytest.UsageError("CI must set BANKCRM_TEST_DATABASE_URL: the PostgreSQL half of the suite may not skip")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
E2E = Path(__file__).resolve().parent / "e2e"
# Run on one xdist worker: the browser tests (one Chromium, one served app). The demo bank that tests/demo and
# tests/cli read is built once for all workers (tests/demo_build.py), so those spread like the rest.
ONE_WORKER = ("tests/e2e/",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests carry the e2e marker (``-m e2e`` / ``-m "not e2e"``)."""
    for item in items:
        if E2E in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):  # type: ignore[no-untyped-def]
    """``--dist loadgroup`` by path: xdist 3.8's own ``xdist_group`` grouping is lost on pytest 9.2
    (pytest-dev/pytest-xdist#1386), so tests under ``ONE_WORKER`` are grouped here; the rest go one by one."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class ByPath(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            group = next((prefix for prefix in ONE_WORKER if nodeid.startswith(prefix)), None)
            return group or super()._split_scope(nodeid)

    return ByPath(config, log)


def _fresh_postgres(url: str, suffix: str = "") -> str:
    """A new, empty database beside ``url``'s, named for this process, so runs side by side don't collide.

    Each pytest-xdist worker is a process of its own, so the process id also keeps workers apart.
    """
    base = make_url(url)
    name = f"{base.database}{suffix}_{os.getpid()}"
    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _drop_postgres(url: str) -> None:
    target = make_url(url)
    admin = make_engine(
        target.set(database="postgres").render_as_string(hide_password=False), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    admin.dispose()


def live_database(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    prepare: Callable[[Session], object] | None = None,
) -> Iterator[str]:
    """For a module-scoped fixture parametrised by backend: a migrated database of its own holding the demo org tree
    (and what ``prepare`` adds), whose writes really commit, for tests with real threads; dropped after."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp(name) / 'bankcrm.db'}"
    else:
        assert PG_URL is not None
        url = _fresh_postgres(PG_URL, f"_{name}")
    upgrade(url)
    engine = make_engine(url)
    with session_scope(sessionmaker(bind=engine)) as db:
        demo_org.build(db)
        if prepare is not None:
            prepare(db)
    engine.dispose()
    yield url
    if request.param == "postgresql":
        _drop_postgres(url)


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database holding the demo org tree and staff, committed once per backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'bankcrm.db'}"
    else:
        assert PG_URL is not None
        url = _fresh_postgres(PG_URL)
        request.addfinalizer(lambda: _drop_postgres(url))
    upgrade(url)
    engine = make_engine(url)
    with session_scope(sessionmaker(bind=engine)) as db:
        demo_org.build(db)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    """The engine for this backend."""
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """One connection with an outer transaction that is rolled back after the test."""
    conn = engine.connect()
    outer = conn.begin()
    yield conn
    outer.rollback()
    conn.close()


@pytest.fixture
def db(connection: Connection) -> Iterator[Session]:
    """A session for given/then steps; commits only release savepoints."""
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    yield session
    session.close()


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Test-mode settings for this backend."""
    return Settings(mode="test", database_url=database_url)


@pytest.fixture
def app(settings: Settings, engine: Engine, connection: Connection) -> FastAPI:
    """The real app, its request sessions joined to the test's transaction."""
    application = create_app(settings, engine)
    application.state.sessionmaker = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    return application


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    """An anonymous browser-like client."""
    return TestClient(app, raise_server_exceptions=True)


@pytest.fixture
def make_client(app: FastAPI):  # type: ignore[no-untyped-def]
    """A factory of independent clients (two browsers, say)."""
    return lambda: TestClient(app, raise_server_exceptions=True)


def csrf_from(html: str) -> str:
    """The CSRF token a page embeds in its forms."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def login(client: TestClient, username: str, password: str = "demo1234"):  # type: ignore[no-untyped-def]
    """Sign in through the login page; returns the POST response."""
    page = client.get("/login")
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_from(page.text), "next": "/"},
        follow_redirects=False,
    )


def signed_in(client: TestClient, username: str) -> TestClient:
    """Sign in and assert it worked."""
    response = login(client, username)
    assert response.status_code == 303, response.text
    return client


def token_for(client: TestClient, username: str, password: str = "demo1234") -> dict[str, str]:
    """Authorization header for a fresh bearer token."""
    response = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def user_id(db: Session, username: str) -> int:
    """A demo user's id."""
    user = db.query(User).filter_by(username=username).one()
    return user.id


def unit_id(db: Session, code: str) -> int:
    """A demo unit's id."""
    return db.query(OrgUnit).filter_by(code=code).one().id


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> DemoBuild:
    """The demo bank, built once per test session for every test that reads it (tests/demo_build.py)."""
    return shared_demo(tmp_path_factory)


@pytest.fixture
def db_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A SQLite file the CLI's settings point at (dev mode) for one test; settings re-read before and after."""
    path = tmp_path / "cli.db"
    monkeypatch.setenv("BANKCRM_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("BANKCRM_MODE", "dev")
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def live_engine(live_url: str) -> Iterator[Engine]:
    """The engine the app and the then-steps share (``live_url``: the module's committed database)."""
    engine = make_engine(live_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def live_client(live_url: str, live_engine: Engine) -> Callable[[], TestClient]:
    """A factory of clients of one app whose request sessions commit for real."""
    app = create_app(Settings(mode="test", database_url=live_url), live_engine)
    return lambda: TestClient(app, raise_server_exceptions=False)
