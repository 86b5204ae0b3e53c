"""The database away (restarted, backend terminated, unreachable): 503 with Retry-After, and the next request works.

The PostgreSQL cases run on a database of their own and terminate only this test's backends, by pid, from
another connection: the moment is chosen by a listener on the app's real engine, the failure is real.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, make_url, text

from bankcrm.app import create_app
from bankcrm.config import Settings
from bankcrm.db import make_engine
from tests.conftest import PG_URL, signed_in, token_for
from tests.fresh_db import fresh_database

EN = "The database is unavailable; try again shortly."
ZH = "数据库暂时不可用，请稍后再试。"
needs_postgres = pytest.mark.skipif(not PG_URL, reason="needs BANKCRM_TEST_DATABASE_URL (PostgreSQL)")


def _unreachable(backend: str, tmp_path: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'no-such-folder' / 'bankcrm.db'}"
    assert PG_URL is not None
    return make_url(PG_URL).set(port=1).render_as_string(hide_password=False)


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=needs_postgres)])
def test_an_unreachable_database_answers_503_in_both_languages(backend: str, tmp_path: Path) -> None:
    # Given the app pointed at a database it cannot open (nothing listening, or no such folder)
    settings = Settings(mode="test", database_url=_unreachable(backend, tmp_path))
    client = TestClient(create_app(settings), raise_server_exceptions=True)
    # When an API client calls with a token, the API answers 503 problem+json with Retry-After
    api = client.get("/api/v1/me", headers={"Authorization": "Bearer some-token"})
    assert (api.status_code, api.headers["content-type"], api.headers["retry-after"]) == (
        503,
        "application/problem+json",
        "5",
    )
    assert api.json() == {
        "type": "urn:bankcrm:problem:database_unavailable",
        "title": EN,
        "status": 503,
        "detail": EN,
        "instance": "/api/v1/me",
    }
    # And a signed-in browser gets the error page, in Chinese when it asks for it
    cookie = {"Cookie": f"{settings.session_cookie_name}=some-session"}
    page = client.get("/", headers=cookie | {"Accept-Language": "zh-CN"})
    assert (page.status_code, page.headers["retry-after"]) == (503, "5")
    assert page.headers["content-type"].startswith("text/html")
    assert ZH in page.text
    assert EN in client.get("/", headers=cookie | {"Accept-Language": "en"}).text


@pytest.fixture
def pg_url(tmp_path: Path) -> Iterator[str]:
    """A PostgreSQL database of this test's own, migrated, with the demo org and staff."""
    if not PG_URL:
        pytest.skip("needs BANKCRM_TEST_DATABASE_URL (PostgreSQL)")
    with fresh_database(PG_URL, "bankcrm_faults", tmp_path) as url:
        yield url


def _terminate(admin: Engine, pids: list[int]) -> None:
    """pg_terminate_backend each pid, waiting until the backend has gone."""
    with admin.connect() as conn:
        for pid in pids:
            assert conn.execute(text("SELECT pg_terminate_backend(:pid, 10000)"), {"pid": pid}).scalar_one()


def _terminate_at(engine: Engine, admin: Engine, when: Callable[[str], bool]) -> list[int]:
    """Once, when a statement matching ``when`` is about to run, terminate the backend it runs on."""
    killed: list[int] = []

    def before(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not killed and when(statement):
            killed.append(conn.connection.dbapi_connection.info.backend_pid)
            _terminate(admin, killed)

    event.listen(engine, "before_cursor_execute", before)
    return killed


def _count(admin: Engine, sql: str) -> int:
    with admin.connect() as conn:
        return int(conn.execute(text(sql)).scalar_one())


@pytest.fixture
def served(pg_url: str) -> Iterator[tuple[TestClient, Engine, Engine]]:
    """The real app on its own engine and pool, a client, and a separate engine for terminating and checking."""
    app = create_app(Settings(mode="test", database_url=pg_url))
    admin = make_engine(pg_url, isolation_level="AUTOCOMMIT")
    yield TestClient(app, raise_server_exceptions=True), app.state.engine, admin
    app.state.engine.dispose()
    admin.dispose()


def test_a_write_whose_backend_is_terminated_mid_request_answers_503_and_leaves_nothing(
    served: tuple[TestClient, Engine, Engine],
) -> None:
    client, engine, admin = served
    headers = token_for(client, "admin")
    head_office = _count(admin, "SELECT id FROM org_unit WHERE code = 'HO'")
    body = {"code": "FX1", "name_en": "Fault branch", "name_zh": "故障分行", "kind_code": "branch"}
    events = _count(admin, "SELECT count(*) FROM audit_event")
    # When the backend is terminated after the unit's INSERT, as the request writes its audit event
    killed = _terminate_at(engine, admin, lambda sql: sql.startswith("INSERT INTO audit_event"))
    response = client.post("/api/v1/org-units", json=body | {"parent_id": head_office}, headers=headers)
    # Then the caller is told to retry shortly, in problem+json
    assert len(killed) == 1
    assert (response.status_code, response.headers["retry-after"]) == (503, "5")
    assert response.json()["type"] == "urn:bankcrm:problem:database_unavailable"
    assert response.json()["detail"] == EN
    # And nothing of the request was written
    assert _count(admin, "SELECT count(*) FROM org_unit WHERE code = 'FX1'") == 0
    assert _count(admin, "SELECT count(*) FROM audit_event") == events
    # And the same request again succeeds, once
    again = client.post("/api/v1/org-units", json=body | {"parent_id": head_office}, headers=headers)
    assert again.status_code == 201, again.text
    assert _count(admin, "SELECT count(*) FROM org_unit WHERE code = 'FX1'") == 1
    assert _count(admin, "SELECT count(*) FROM audit_event") == events + 1


def test_a_page_whose_backend_is_terminated_mid_request_shows_the_error_page_and_the_next_works(
    served: tuple[TestClient, Engine, Engine],
) -> None:
    client, engine, admin = served
    signed_in(client, "admin")
    # When the backend is terminated as the page's first statement runs
    killed = _terminate_at(engine, admin, lambda sql: True)
    page = client.get("/admin/units", headers={"Accept-Language": "zh-CN"})
    # Then the browser gets the error page in its language, with Retry-After
    assert len(killed) == 1
    assert (page.status_code, page.headers["retry-after"]) == (503, "5")
    assert ZH in page.text
    # And the next page works, still signed in
    again = client.get("/admin/units")
    assert again.status_code == 200
    assert re.search(r"\bHO\b", again.text)


def test_connections_dropped_between_requests_are_replaced_unseen(served: tuple[TestClient, Engine, Engine]) -> None:
    client, _engine, admin = served
    signed_in(client, "admin")
    assert client.get("/admin/units").status_code == 200
    # When every backend of the app's pool is terminated while idle (as a PostgreSQL restart does)
    with admin.connect() as conn:
        pids = list(
            conn.execute(
                text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
            ).scalars()
        )
    assert pids
    _terminate(admin, pids)
    # Then the next request checks its connection first, takes a fresh one, and works
    assert client.get("/admin/units").status_code == 200
