"""Sign-in with lockout, server-side sessions with timeouts, and bearer tokens."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from bankcrm.access import repository
from bankcrm.access.principal import Actor, Principal, widest_scope
from bankcrm.access.service.errors import LoginFailed
from bankcrm.audit import service as audit_service
from bankcrm.config import Settings
from bankcrm.kit.passwords import hash_password, needs_rehash, verify_password
from bankcrm.kit.time import utcnow
from bankcrm.kit.tokens import new_token, token_digest
from bankcrm.models.access import ApiToken, User, UserSession

# Verified against when the user does not exist, so timing does not reveal valid names.
_DUMMY_HASH = hash_password("not-a-real-password-0")
# Refresh last_seen_at at most this often, so reading pages is not a write per request.
_TOUCH_EVERY = timedelta(seconds=60)


def principal_for(user: User, *, ip: str | None = None, session: UserSession | None = None) -> Principal:
    """Resolve roles, permissions and the widest data scope of a user."""
    return Principal(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        unit_id=user.org_unit_id,
        unit_path=user.org_unit.path,
        roles=tuple(r.code for r in user.roles),
        permissions=frozenset(p.code for r in user.roles for p in r.permissions),
        data_scope=widest_scope([r.data_scope for r in user.roles]),
        ip=ip,
        session_id=session.id if session else None,
        csrf_token=session.csrf_token if session else None,
    )


def authenticate(db: Session, settings: Settings, username: str, password: str, ip: str | None) -> User:
    """Check credentials, counting every failure and locking the account at the configured count.

    Every refusal (unknown name, wrong password, locked or disabled account) answers the same
    message after the same password check, so neither the answer nor its time tells which user
    names exist or are locked. Failures raise with ``keep_changes`` so the boundary commits the
    counter and the audit row.
    """
    name = username.strip().lower()[:40]
    user = repository.user_by_username(db, name)
    now = utcnow()
    refused = LoginFailed(
        params={"max": settings.login_max_failures, "minutes": settings.lockout_minutes}, keep_changes=True
    )
    if user is None:
        verify_password(_DUMMY_HASH, password)
        audit_service.record(db, Actor(None, name, ip), "auth.login", outcome="failure", detail="unknown user")
        raise refused
    actor = Actor(user.id, user.username, ip)
    password_ok = verify_password(user.password_hash, password)
    if password_ok and user.active and repository.clear_failed_logins(db, user.id, now):
        db.refresh(user)
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        audit_service.record(db, actor, "auth.login", entity_type="user", entity_id=user.id)
        return user
    if password_ok and user.active:
        outcome = "already_locked"  # locked before, or by a failure that raced this attempt
    else:
        lock_until = now + timedelta(minutes=settings.lockout_minutes)
        outcome = repository.count_failed_login(db, user.id, settings.login_max_failures, now, lock_until)
    detail = {
        "counted": "wrong password" if user.active else "user disabled",
        "locked": ("wrong password" if user.active else "user disabled")
        + f"; locked for {settings.lockout_minutes} min",
        "already_locked": "account locked",
    }[outcome]
    audit_service.record(
        db, actor, "auth.login", outcome="failure", entity_type="user", entity_id=user.id, detail=detail
    )
    raise refused


def start_session(
    db: Session, user: User, *, ip: str | None, user_agent: str | None, previous_token: str | None
) -> str:
    """Open a fresh session (ending any previous one: the id is rotated at sign-in)."""
    if previous_token:
        old = repository.session_row(db, token_digest(previous_token))
        if old is not None and old.ended_at is None:
            old.ended_at, old.end_reason = utcnow(), "rotated"
    token = new_token()
    db.add(
        UserSession(
            id=token_digest(token),
            user_id=user.id,
            csrf_token=new_token(),
            ip=ip,
            user_agent=(user_agent or "")[:255] or None,
        )
    )
    db.flush()
    return token


def resolve_session(db: Session, settings: Settings, token: str, ip: str | None) -> Principal | None:
    """The principal behind a session cookie, or None when it is unknown, ended or timed out."""
    row = repository.session_row(db, token_digest(token))
    if row is None or row.ended_at is not None:
        return None
    now = utcnow()
    reason = None
    if now - row.created_at > timedelta(hours=settings.session_absolute_hours):
        reason = "absolute_timeout"
    elif now - row.last_seen_at > timedelta(minutes=settings.session_idle_minutes):
        reason = "idle_timeout"
    user = repository.user_by_id(db, row.user_id)
    if reason is None and (user is None or not user.active):
        reason = "user_disabled"
    if reason is not None or user is None:
        row.ended_at, row.end_reason = now, reason
        return None
    if now - row.last_seen_at > _TOUCH_EVERY:
        row.last_seen_at = now
    return principal_for(user, ip=ip, session=row)


def end_session(db: Session, token: str, principal: Principal) -> None:
    """Sign out: end this session."""
    row = repository.session_row(db, token_digest(token))
    if row is not None and row.ended_at is None:
        row.ended_at, row.end_reason = utcnow(), "logout"
        audit_service.record(db, Actor.of(principal), "auth.logout", entity_type="user", entity_id=principal.user_id)


def issue_token(db: Session, settings: Settings, user: User, ip: str | None) -> tuple[str, int]:
    """A new bearer token for a signed-in user, and its lifetime in seconds."""
    token = new_token()
    lifetime = settings.api_token_minutes * 60
    db.add(ApiToken(id=token_digest(token), user_id=user.id, ip=ip, expires_at=utcnow() + timedelta(seconds=lifetime)))
    audit_service.record(
        db, Actor(user.id, user.username, ip), "auth.token_issued", entity_type="user", entity_id=user.id
    )
    return token, lifetime


def resolve_token(db: Session, token: str, ip: str | None) -> Principal | None:
    """The principal behind a bearer token, or None when unknown, revoked, expired or disabled."""
    row = repository.token_row(db, token_digest(token))
    now = utcnow()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    user = repository.user_by_id(db, row.user_id)
    if user is None or not user.active:
        return None
    if row.last_used_at is None or now - row.last_used_at > _TOUCH_EVERY:
        row.last_used_at = now
    return principal_for(user, ip=ip)


def revoke_token(db: Session, token: str, principal: Principal) -> None:
    """Revoke the caller's own token."""
    row = repository.token_row(db, token_digest(token))
    if row is not None and row.revoked_at is None and row.user_id == principal.user_id:
        row.revoked_at = utcnow()
        audit_service.record(
            db, Actor.of(principal), "auth.token_revoked", entity_type="user", entity_id=principal.user_id
        )
