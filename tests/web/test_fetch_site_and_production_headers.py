"""State-changing requests a browser marks cross-site are refused (and audited); production adds HSTS and
Permissions-Policy."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bankcrm.app import create_app
from bankcrm.config import Settings
from bankcrm.kit.crypto import generate_key
from bankcrm.models.access import User
from bankcrm.models.audit import AuditEvent
from tests.conftest import csrf_from, signed_in, token_for, user_id

CROSS_SITE = {"Sec-Fetch-Site": "cross-site"}


def _active(db: Session, username: str) -> bool:
    db.expire_all()
    return db.query(User).filter_by(username=username).one().active


def _last_event(db: Session) -> AuditEvent:
    return db.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()


def test_a_cross_site_form_post_is_refused_even_with_the_token_and_audited(client: TestClient, db: Session) -> None:
    # Given a signed-in administrator whose page holds a valid CSRF token
    signed_in(client, "admin")
    token = csrf_from(client.get("/").text)
    path = f"/admin/users/{user_id(db, 'teller')}/disable"
    # When another site makes the browser post to disable the teller
    response = client.post(path, data={"csrf_token": token}, headers=CROSS_SITE, follow_redirects=False)
    # Then it is refused, the teller stays active, and the refusal is audited
    assert response.status_code == 403
    assert _active(db, "teller") is True
    last = _last_event(db)
    assert (last.action, last.outcome, last.actor_username, last.detail) == (
        "authz.csrf_failed",
        "denied",
        "admin",
        f"POST {path} (cross-site)",
    )


def test_same_origin_and_same_site_posts_and_cross_site_reads_still_work(client: TestClient, db: Session) -> None:
    # Given a signed-in administrator
    signed_in(client, "admin")
    token = csrf_from(client.get("/").text)
    # When a cross-site link is followed (GET), Then the page is shown
    assert client.get("/admin/users", headers=CROSS_SITE).status_code == 200
    # When the same site posts, Then the change is made
    path = f"/admin/users/{user_id(db, 'teller')}/disable"
    same = client.post(
        path, data={"csrf_token": token}, headers={"Sec-Fetch-Site": "same-origin"}, follow_redirects=False
    )
    assert same.status_code == 303
    assert _active(db, "teller") is False


def test_a_cross_site_sign_in_is_refused(client: TestClient) -> None:
    # Given the sign-in form's token
    token = csrf_from(client.get("/login").text)
    # When another site posts the sign-in form with the right password
    response = client.post(
        "/login",
        data={"username": "admin", "password": "demo1234", "csrf_token": token, "next": "/"},
        headers=CROSS_SITE,
        follow_redirects=False,
    )
    # Then no session is started
    assert response.status_code == 403
    assert "bankcrm_session" not in client.cookies


def test_api_calls_without_the_header_work_and_cross_site_ones_are_refused(client: TestClient, db: Session) -> None:
    # Given an administrator's bearer token
    admin = token_for(client, "admin")
    teller = user_id(db, "teller")
    # When a browser on another site sends a state-changing call, or asks for a token
    refused = client.post(f"/api/v1/users/{teller}/disable", headers=admin | CROSS_SITE)
    token = client.post("/api/v1/auth/token", data={"username": "admin", "password": "demo1234"}, headers=CROSS_SITE)
    # Then both are refused, the first audited, and the teller stays active
    assert (refused.status_code, refused.json()["type"]) == (403, "urn:bankcrm:problem:csrf_failed")
    assert token.status_code == 403
    assert _active(db, "teller") is True
    assert (_last_event(db).action, _last_event(db).detail) == (
        "authz.csrf_failed",
        f"POST /api/v1/users/{teller}/disable (cross-site)",
    )
    # When another bank system (no Sec-Fetch-Site) sends the same call, Then it is made
    assert client.post(f"/api/v1/users/{teller}/disable", headers=admin).status_code == 200
    assert _active(db, "teller") is False


def test_production_sends_hsts_and_permissions_policy(monkeypatch, database_url: str, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    # Given the app in production mode
    monkeypatch.setenv("BANKCRM_SECRET_KEY", "x" * 40)
    monkeypatch.setenv("BANKCRM_PII_KEYS", f"1:{generate_key()}")
    monkeypatch.setenv("BANKCRM_PII_INDEX_KEY", generate_key())
    production = TestClient(create_app(Settings(mode="production", database_url=database_url), engine))
    # When any page or API document is fetched
    for path in ("/login", "/api/v1/openapi.json", "/static/app.css"):
        headers = production.get(path).headers
        # Then browsers are told to use HTTPS only, and features the app never uses are switched off
        assert headers["strict-transport-security"] == "max-age=63072000; includeSubDomains", path
        assert headers["permissions-policy"] == (
            "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
            "payment=(), usb=()"
        ), path


def test_other_modes_send_no_hsts(client: TestClient) -> None:
    # Given the app in test mode (plain http on a developer's machine)
    headers = client.get("/login").headers
    # Then no HSTS pins the host to HTTPS, while the Permissions-Policy is sent all the same
    assert "strict-transport-security" not in headers
    assert headers["permissions-policy"].startswith("accelerometer=()")
