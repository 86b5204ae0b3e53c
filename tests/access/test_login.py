"""Sign-in, lockout, timeouts, session rotation, sign-out, disabled users, bearer tokens."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bankcrm.kit.time import utcnow
from bankcrm.kit.tokens import token_digest
from bankcrm.models.access import ApiToken, User, UserSession
from bankcrm.models.audit import AuditEvent
from tests.conftest import csrf_from, login, signed_in, token_for, user_id

REFUSED = "Wrong user name or password. After 5 failed attempts an account is locked for 15 minutes."


def _session_token(client) -> str:  # type: ignore[no-untyped-def]
    return client.cookies["bankcrm_session"]


def _events(db: Session, action: str, outcome: str | None = None) -> list[AuditEvent]:
    db.expire_all()
    stmt = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
    if outcome:
        stmt = stmt.where(AuditEvent.outcome == outcome)
    return list(db.scalars(stmt))


def test_login_with_right_password_opens_session_and_audits(client, db):
    # given the demo user am1, when they sign in
    before = len(_events(db, "auth.login", "success"))
    response = login(client, "am1")
    # then they are sent home with an HttpOnly, SameSite=Strict session cookie, and the sign-in is audited
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert "bankcrm_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert client.get("/").status_code == 200
    events = _events(db, "auth.login", "success")
    assert len(events) == before + 1
    assert events[-1].actor_username == "am1" and events[-1].ip == "testclient"


def test_wrong_password_is_refused_and_audited_without_saying_which_part_was_wrong(client, db):
    response = login(client, "am1", "wrong-password")
    assert response.status_code == 401
    assert REFUSED in response.text
    assert "bankcrm_session" not in client.cookies
    unknown = login(client, "nobody", "whatever")
    assert unknown.status_code == 401 and REFUSED in unknown.text
    failures = _events(db, "auth.login", "failure")
    assert [(e.actor_username, e.detail) for e in failures[-2:]] == [
        ("am1", "wrong password"),
        ("nobody", "unknown user"),
    ]


def test_five_failures_lock_the_account_for_fifteen_minutes(client, db):
    # given four failed attempts, the account is not locked yet
    for _ in range(4):
        assert login(client, "am2", "bad").status_code == 401
    db.expire_all()
    assert db.query(User).filter_by(username="am2").one().locked_until is None
    # when the fifth fails
    assert login(client, "am2", "bad").status_code == 401
    # then the account is locked for 15 minutes, and even the right password is refused
    db.expire_all()
    locked_until = db.query(User).filter_by(username="am2").one().locked_until
    assert locked_until is not None
    assert timedelta(minutes=14) < locked_until - utcnow() <= timedelta(minutes=15)
    refused = login(client, "am2")
    assert refused.status_code == 401
    assert REFUSED in refused.text
    assert client.post("/api/v1/auth/token", data={"username": "am2", "password": "demo1234"}).status_code == 401
    assert _events(db, "auth.login", "failure")[-1].detail == "account locked"


def test_a_locked_account_answers_exactly_as_a_wrong_password_and_an_unknown_name(client, db):
    # given am2 locked by five failures
    for _ in range(5):
        client.post("/api/v1/auth/token", data={"username": "am2", "password": "bad"})
    # when the right password, a wrong one for an unlocked user and an unknown name are tried
    answers = [
        client.post("/api/v1/auth/token", data={"username": name, "password": password})
        for name, password in (("am2", "demo1234"), ("am1", "bad"), ("nobody", "bad"))
    ]
    # then the three answers are the same, so none tells which names exist or are locked
    assert {(a.status_code, a.text, a.headers["content-type"]) for a in answers} == {
        (401, answers[0].text, "application/problem+json")
    }
    assert answers[0].json()["detail"] == REFUSED


def test_lock_ends_after_fifteen_minutes(client, db):
    # given a lock that ran out a second ago
    db.execute(update(User).where(User.username == "am2").values(locked_until=utcnow() - timedelta(seconds=1)))
    db.flush()
    # when the user signs in with the right password, then it works
    assert login(client, "am2").status_code == 303


def _replay(make_client, token: str):  # type: ignore[no-untyped-def]
    """A fresh browser presenting an old session cookie."""
    other = make_client()
    other.cookies.set("bankcrm_session", token)
    return other


def test_session_id_is_rotated_at_login(client, make_client, db):
    # given a signed-in browser
    signed_in(client, "am1")
    first = _session_token(client)
    # when it signs in again (as another user, say)
    signed_in(client, "lobby")
    second = _session_token(client)
    # then the old session id is ended as rotated and no longer works
    assert first != second
    db.expire_all()
    old = db.get(UserSession, token_digest(first))
    assert old is not None and old.end_reason == "rotated"
    assert _replay(make_client, first).get("/", follow_redirects=False).status_code == 303


def test_idle_timeout_ends_session_after_30_minutes(client, db):
    signed_in(client, "am1")
    digest = token_digest(_session_token(client))
    # given the session was last seen 29 minutes ago, it still works
    db.execute(
        update(UserSession).where(UserSession.id == digest).values(last_seen_at=utcnow() - timedelta(minutes=29))
    )
    db.flush()
    assert client.get("/", follow_redirects=False).status_code == 200
    # given it was last seen 31 minutes ago, the next request is sent to sign in
    db.execute(
        update(UserSession).where(UserSession.id == digest).values(last_seen_at=utcnow() - timedelta(minutes=31))
    )
    db.flush()
    response = client.get("/admin/users", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/admin/users"
    db.expire_all()
    assert db.get(UserSession, digest).end_reason == "idle_timeout"


def test_absolute_timeout_ends_an_active_session_after_10_hours(client, db):
    signed_in(client, "am1")
    digest = token_digest(_session_token(client))
    # given a session opened 10 h 1 min ago but used a moment ago
    db.execute(
        update(UserSession)
        .where(UserSession.id == digest)
        .values(created_at=utcnow() - timedelta(hours=10, minutes=1), last_seen_at=utcnow())
    )
    db.flush()
    # then it has expired
    assert client.get("/", follow_redirects=False).status_code == 303
    db.expire_all()
    assert db.get(UserSession, digest).end_reason == "absolute_timeout"


def test_sign_out_ends_the_session(client, make_client, db):
    signed_in(client, "am1")
    token = _session_token(client)
    page = client.get("/")
    response = client.post("/logout", data={"csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert _replay(make_client, token).get("/", follow_redirects=False).status_code == 303
    db.expire_all()
    assert db.get(UserSession, token_digest(token)).end_reason == "logout"


def test_disabling_a_user_ends_their_sessions_and_tokens(make_client, db):
    # given am1 signed in on the web and holding an API token
    am1 = signed_in(make_client(), "am1")
    headers = token_for(am1, "am1")
    assert am1.get("/api/v1/me", headers=headers).status_code == 200
    # when the administrator disables am1
    admin = signed_in(make_client(), "admin")
    page = admin.get(f"/admin/users/{user_id(db, 'am1')}")
    response = admin.post(
        f"/admin/users/{user_id(db, 'am1')}/disable", data={"csrf_token": csrf_from(page.text)}, follow_redirects=False
    )
    assert response.status_code == 303
    # then am1's page session and token stop working at once, and am1 cannot sign in again
    assert am1.get("/", follow_redirects=False).status_code == 303
    assert am1.get("/api/v1/me", headers=headers).status_code == 401
    assert login(make_client(), "am1").status_code == 401
    db.expire_all()
    open_sessions = db.scalar(
        select(func.count())
        .select_from(UserSession)
        .where(UserSession.user_id == user_id(db, "am1"), UserSession.ended_at.is_(None))
    )
    assert open_sessions == 0
    assert (
        db.scalar(
            select(func.count())
            .select_from(ApiToken)
            .where(ApiToken.user_id == user_id(db, "am1"), ApiToken.revoked_at.is_(None))
        )
        == 0
    )


def test_api_token_follows_the_oauth2_password_flow(client):
    response = client.post("/api/v1/auth/token", data={"username": "am1", "password": "demo1234"})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and len(body["access_token"]) >= 40 and body["expires_in"] == 3600
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"}).json()
    assert (me["username"], me["roles"], me["data_scope"]) == ("am1", ["account_manager"], "own")


def test_wrong_api_credentials_answer_problem_json(client):
    response = client.post("/api/v1/auth/token", data={"username": "am1", "password": "nope"})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == REFUSED


def test_expired_and_revoked_tokens_are_refused(client, db):
    headers = token_for(client, "am1")
    token = headers["Authorization"].split()[1]
    db.execute(update(ApiToken).where(ApiToken.id == token_digest(token)).values(expires_at=utcnow()))
    db.flush()
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    fresh = token_for(client, "am1")
    assert client.post("/api/v1/auth/revoke", headers=fresh).status_code == 204
    assert client.get("/api/v1/me", headers=fresh).status_code == 401


def test_no_token_answers_401_with_bearer_challenge(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["type"] == "urn:bankcrm:problem:authentication_required"
