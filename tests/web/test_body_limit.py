"""Request bodies over the limit are a 413 before the body is read, declared or streamed, and change nothing."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from bankcrm.app import create_app
from bankcrm.config import Settings
from bankcrm.models.org import OrgUnit
from tests.conftest import csrf_from, signed_in, token_for

TOO_LARGE = "The request is too large."
DEFAULT_LIMIT = 10 * 1024 * 1024
SMALL_LIMIT = 64 * 1024


def _units(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(OrgUnit)) or 0


def test_the_default_limit_is_10_mib(settings: Settings) -> None:
    assert settings.max_body_bytes == DEFAULT_LIMIT


def test_an_api_body_over_the_limit_is_a_413_problem_and_nothing_is_saved(client: TestClient, db: Session) -> None:
    # Given an API caller and the number of org units
    headers = token_for(client, "admin") | {"Content-Type": "application/json"}
    before = _units(db)
    # When a JSON body one byte over 10 MiB is posted
    body = b'{"code": "BIG", "name_en": "' + b"x" * (DEFAULT_LIMIT + 1 - 30) + b'"}'
    assert len(body) == DEFAULT_LIMIT + 1
    response = client.post("/api/v1/org-units", content=body, headers=headers)
    # Then it is a 413 in problem+json, and no unit is added
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert (response.json()["status"], response.json()["detail"]) == (413, TOO_LARGE)
    assert _units(db) == before


def test_a_body_at_the_limit_is_read(client: TestClient) -> None:
    # Given an API caller
    headers = token_for(client, "admin") | {"Content-Type": "application/json"}
    # When a body of exactly 10 MiB is posted (JSON padded with spaces, missing its required fields)
    body = b"{}" + b" " * (DEFAULT_LIMIT - 2)
    response = client.post("/api/v1/org-units", content=body, headers=headers)
    # Then it is parsed and validated as usual
    assert response.status_code == 422


def test_a_page_post_over_the_limit_is_a_413_page(client: TestClient, db: Session) -> None:
    # Given a signed-in administrator on the new-unit form
    signed_in(client, "admin")
    token = csrf_from(client.get("/admin/units/new").text)
    before = _units(db)
    # When the form is posted with a name of 11 MiB
    data = {"csrf_token": token, "code": "BIG", "name_en": "x" * (11 * 1024 * 1024), "name_zh": "大"}
    response = client.post("/admin/units/new", data=data | {"kind_code": "outlet"}, follow_redirects=False)
    # Then an HTML page says the request is too large, and nothing is saved
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    assert TOO_LARGE in response.text
    assert _units(db) == before


@pytest.fixture
def small_limit_server(database_url: str, engine: Engine, connection: Connection) -> Iterator[int]:
    """The app with a 64 KiB body limit served by uvicorn on a free port, over the test's transaction."""
    app: FastAPI = create_app(Settings(mode="test", database_url=database_url, max_body_bytes=SMALL_LIMIT), engine)
    app.state.sessionmaker = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield port
    server.should_exit = True
    thread.join(timeout=10)


def _response_head(sock: socket.socket) -> str:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data.decode("latin-1")


def test_a_declared_length_over_the_limit_is_answered_before_any_body_is_sent(small_limit_server: int) -> None:
    # Given a server with a 64 KiB limit
    with socket.create_connection(("127.0.0.1", small_limit_server), timeout=10) as sock:
        # When only the headers of a 200 MB upload are sent
        sock.sendall(
            b"POST /api/v1/org-units HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
            b"Content-Length: 209715200\r\n\r\n"
        )
        # Then the answer is a 413 problem without waiting for the body
        head = _response_head(sock)
    assert head.startswith("HTTP/1.1 413 ")
    assert "content-type: application/problem+json" in head.lower()


def test_a_chunked_body_over_the_limit_is_cut_off(small_limit_server: int, db: Session) -> None:
    # Given a server with a 64 KiB limit, and the number of org units
    before = _units(db)
    block = b"x" * 16384
    with socket.create_connection(("127.0.0.1", small_limit_server), timeout=10) as sock:
        # When a chunked upload (no declared length) without a token starts, and stops after 256 KiB,
        # its end never sent: a server that waited for the whole body would never answer
        sock.sendall(
            b"POST /api/v1/org-units HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        for _ in range(16):
            sock.sendall(f"{len(block):x}\r\n".encode() + block + b"\r\n")
        head = _response_head(sock)
    # Then the answer is a 413 problem (not the 401 of the missing token), and no unit was added
    assert head.startswith("HTTP/1.1 413 "), head
    assert "content-type: application/problem+json" in head.lower()
    assert _units(db) == before
