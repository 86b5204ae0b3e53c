"""CSRF refusal on every state-changing browser request; security headers on every response."""

from __future__ import annotations

from sqlalchemy import func, select

from bankcrm.models.access import User
from bankcrm.models.audit import AuditEvent
from tests.conftest import csrf_from, signed_in, user_id


def _teller_active(db) -> bool:  # type: ignore[no-untyped-def]
    db.expire_all()
    return db.query(User).filter_by(username="teller").one().active


def test_post_without_csrf_token_is_refused_and_changes_nothing(client, db):
    signed_in(client, "admin")
    path = f"/admin/users/{user_id(db, 'teller')}/disable"
    response = client.post(path, follow_redirects=False)
    assert response.status_code == 403
    assert "did not come from this site" in response.text
    assert _teller_active(db) is True


def test_post_with_wrong_csrf_token_is_refused_and_audited(client, db):
    signed_in(client, "admin")
    path = f"/admin/users/{user_id(db, 'teller')}/disable"
    response = client.post(path, data={"csrf_token": "forged"}, follow_redirects=False)
    assert response.status_code == 403
    assert _teller_active(db) is True
    last = db.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
    assert (last.action, last.outcome, last.actor_username) == ("authz.csrf_failed", "denied", "admin")


def test_csrf_token_of_another_session_is_refused(make_client, db):
    other = signed_in(make_client(), "manager")
    stolen = csrf_from(other.get("/").text)
    admin = signed_in(make_client(), "admin")
    response = admin.post(
        f"/admin/users/{user_id(db, 'teller')}/disable", data={"csrf_token": stolen}, follow_redirects=False
    )
    assert response.status_code == 403
    assert _teller_active(db) is True


def test_htmx_sends_the_token_as_a_header(client, db):
    signed_in(client, "admin")
    token = csrf_from(client.get("/").text)
    response = client.post(
        f"/admin/users/{user_id(db, 'teller')}/disable", headers={"X-CSRF-Token": token}, follow_redirects=False
    )
    assert response.status_code == 303
    assert _teller_active(db) is False


def test_login_form_needs_its_own_token(client, db):
    before = db.scalar(select(func.count()).select_from(AuditEvent))
    response = client.post("/login", data={"username": "admin", "password": "demo1234", "csrf_token": "x"})
    assert response.status_code == 403
    assert "bankcrm_session" not in client.cookies
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == before


def test_security_headers_on_pages_and_api(client):
    signed_in(client, "admin")
    for path in ("/", "/admin/users", "/login", "/api/v1/openapi.json"):
        headers = client.get(path).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"], path
        assert "script-src 'self'" in headers["content-security-policy"], path
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["x-frame-options"] == "DENY", path
        assert headers["cache-control"] == "no-store", path


def test_static_assets_may_be_cached(client):
    headers = client.get("/static/app.css").headers
    assert "cache-control" not in headers
    assert headers["x-content-type-options"] == "nosniff"


def test_open_redirect_after_login_is_refused(client):
    page = client.get("/login?next=//evil.example/")
    token = csrf_from(page.text)
    response = client.post(
        "/login",
        data={"username": "am1", "password": "demo1234", "csrf_token": token, "next": "//evil.example/"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"
