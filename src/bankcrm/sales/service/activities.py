"""Activities and visit plans: calls, visits, meetings and WeChat messages with a customer, planned or done;
the week's plan against what was done; a personal ICS feed behind a secret, revocable token."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from bankcrm.access.principal import Actor, Principal
from bankcrm.access.service.scope_audit import out_of_scope
from bankcrm.audit import service as audit_service
from bankcrm.catalogue import service as catalogue_service
from bankcrm.customers.service import reads as customer_reads
from bankcrm.errors import FieldError, NotFound, ValidationFailed
from bankcrm.kit.i18n import N_
from bankcrm.kit.pagination import PageRequest
from bankcrm.kit.time import as_utc, utcnow
from bankcrm.models.sales import Activity, CalendarFeed
from bankcrm.sales import repository
from bankcrm.sales.schemas import ActivityCreate, ActivityPage, ActivityRead
from bankcrm.sales.service.reads import in_scope

NO_CUSTOMER = N_("No customer in your scope has this CIF number.")
NO_CODE = N_("Choose one of the listed values.")
NOT_THIS_CUSTOMER = N_("This opportunity is not the customer's.")
NO_ACTIVITY = N_("Activity not found.")
DONE, PLANNED, CANCELLED = "DONE", "PLANNED", "CANCELLED"
VISIT = "VISIT"
TABLES = {"kind": "activity_kind", "status": "activity_status", "outcome": "activity_outcome"}


def create(db: Session, principal: Principal, body: ActivityCreate, locale: str) -> ActivityRead:
    """Record an activity with a customer in scope, owned by the caller; bad codes or links are 422 naming them."""
    errors: list[FieldError] = []
    try:
        customer = customer_reads.get_customer(db, principal, "".join(body.cif_no.split()))
    except NotFound:
        customer = None
        errors.append(FieldError("cif_no", NO_CUSTOMER))
    for field, table in TABLES.items():
        value = getattr(body, field)
        if value is not None and value not in catalogue_service.labels_of(db, table, "en"):
            errors.append(FieldError(field, NO_CODE))
    if body.opportunity_id is not None:
        try:
            opp = in_scope(db, principal, body.opportunity_id)
            if customer is not None and opp.customer_id != customer.id:
                errors.append(FieldError("opportunity_id", NOT_THIS_CUSTOMER))
        except NotFound:
            errors.append(FieldError("opportunity_id", NO_CODE))
    if errors or customer is None or principal.user_id is None:
        raise ValidationFailed(errors=errors)
    row = Activity(
        customer_id=customer.id,
        kind=body.kind,
        status=body.status,
        starts_at=as_utc(body.starts_at),
        duration_min=body.duration_min,
        participants=body.participants,
        outcome=body.outcome,
        notes=body.notes,
        owner_id=principal.user_id,
        unit_id=customer.home_unit_id,
        lead_id=body.lead_id,
        opportunity_id=body.opportunity_id,
        task_id=body.task_id,
        warning_id=body.warning_id,
        created_at=utcnow(),
    )
    repository.add(db, row)
    audit_service.record(
        db,
        Actor.of(principal),
        "activity.create",
        entity_type="activity",
        entity_id=row.id,
        changes={"cif_no": [None, customer.cif_no], "kind": [None, row.kind], "status": [None, row.status]},
    )
    return to_read(db, principal, [row], locale)[0]


def mark(db: Session, principal: Principal, activity_id: int, status: str, outcome: str | None) -> None:
    """Mark a planned activity of the caller's scope done or cancelled, with its outcome."""
    row = repository.activity(db, activity_id)
    if row is None or not repository.activity_readable(db, principal, activity_id):
        raise NotFound(NO_ACTIVITY, audit=out_of_scope(principal, "activity", activity_id, row is not None))
    errors = [
        FieldError(f, NO_CODE)
        for f, v in (("status", status), ("outcome", outcome))
        if v is not None and v not in catalogue_service.labels_of(db, TABLES[f], "en")
    ]
    if errors:
        raise ValidationFailed(errors=errors)
    before = row.status
    row.status, row.outcome = status, outcome or row.outcome
    db.flush()
    audit_service.record(
        db,
        Actor.of(principal),
        "activity.update",
        entity_type="activity",
        entity_id=row.id,
        changes={"status": [before, status]},
    )


def to_read(db: Session, principal: Principal, rows: list[Activity], locale: str) -> list[ActivityRead]:
    """The rows as their reader may see them."""
    customers = repository.customers(db, {r.customer_id for r in rows})
    shown = customer_reads.summaries(db, principal, [customers[r.customer_id] for r in rows])
    names = repository.user_names(db, {r.owner_id for r in rows})
    labels = catalogue_service.code_labels(db, TABLES.values(), locale)
    return [
        ActivityRead(
            id=r.id,
            cif_no=c.cif_no,
            customer_name=c.name,
            kind=r.kind,
            kind_label=labels["activity_kind"].get(r.kind, r.kind),
            status=r.status,
            status_label=labels["activity_status"].get(r.status, r.status),
            starts_at=r.starts_at,
            duration_min=r.duration_min,
            participants=r.participants,
            outcome=r.outcome,
            outcome_label=labels["activity_outcome"].get(r.outcome) if r.outcome else None,
            notes=r.notes,
            owner=names.get(r.owner_id, ("", ""))[1],
            owner_id=r.owner_id,
            lead_id=r.lead_id,
            opportunity_id=r.opportunity_id,
            task_id=r.task_id,
            warning_id=r.warning_id,
        )
        for r, c in zip(rows, shown, strict=True)
    ]


def listing(
    db: Session,
    principal: Principal,
    page: PageRequest,
    locale: str,
    *,
    cif_no: str | None = None,
    opportunity_id: int | None = None,
    mine: bool = False,
) -> ActivityPage:
    """One page of activities in scope, newest first, optionally of one customer (in scope) or opportunity."""
    customer_id = customer_reads.get_customer(db, principal, cif_no).id if cif_no else None
    rows, total = repository.activities(
        db,
        principal,
        customer_id=customer_id,
        opportunity_id=opportunity_id,
        owner_id=principal.user_id if mine else None,
        page=page,
    )
    return ActivityPage(items=to_read(db, principal, rows, locale), total=total, page=page.page, size=page.size)


def monday_of(day: date) -> date:
    """The Monday of the week holding ``day``."""
    return day - timedelta(days=day.weekday())


def week(db: Session, principal: Principal, monday: date, locale: str, *, owner_id: int | None) -> list[ActivityRead]:
    """The week's activities in scope (one owner's when given), in time order."""
    start = datetime.combine(monday, datetime.min.time()).replace(tzinfo=utcnow().tzinfo) - timedelta(hours=8)
    rows, _ = repository.activities(db, principal, owner_id=owner_id, start=start, end=start + timedelta(days=7))
    return sorted(to_read(db, principal, rows, locale), key=lambda a: (a.starts_at, a.id))


@dataclass(frozen=True)
class PlanRow:
    """One manager's visits of a week: planned (including those done or cancelled since) against done."""

    owner_id: int
    owner: str
    planned: int
    done: int
    cancelled: int


def planned_vs_done(items: list[ActivityRead]) -> list[PlanRow]:
    """Per owner, the week's visits planned against done, by name."""
    rows: dict[int, list[int]] = {}
    names: dict[int, str] = {}
    for a in items:
        if a.kind != VISIT:
            continue
        names[a.owner_id] = a.owner
        r = rows.setdefault(a.owner_id, [0, 0, 0])
        r[0] += 1
        r[1] += a.status == DONE
        r[2] += a.status == CANCELLED
    return sorted((PlanRow(o, names[o], *v) for o, v in rows.items()), key=lambda p: (p.owner, p.owner_id))


# --- the personal ICS feed -------------------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_feed(db: Session, principal: Principal) -> str:
    """A new secret token for the caller's feed (shown once; earlier feeds are revoked)."""
    if principal.user_id is None:
        raise NotFound(None)
    revoke_feeds(db, principal, audit=False)
    token = secrets.token_urlsafe(32)
    repository.add(db, CalendarFeed(user_id=principal.user_id, token_hash=_hash(token), created_at=utcnow()))
    audit_service.record(db, Actor.of(principal), "calendar_feed.create")
    return token


def has_feed(db: Session, principal: Principal) -> bool:
    """Whether the caller has a live feed."""
    return principal.user_id is not None and bool(repository.feeds_of(db, principal.user_id))


def revoke_feeds(db: Session, principal: Principal, *, audit: bool = True) -> int:
    """Revoke the caller's live feeds; how many."""
    feeds = repository.feeds_of(db, principal.user_id) if principal.user_id is not None else []
    for f in feeds:
        f.revoked_at = utcnow()
    db.flush()
    if feeds and audit:
        audit_service.record(db, Actor.of(principal), "calendar_feed.revoke")
    return len(feeds)


def feed_events(db: Session, token: str, *, days_back: int = 30) -> list[Activity] | None:
    """The feed owner's planned and done activities from ``days_back`` days ago on, or None for an unknown or
    revoked token."""
    feed = repository.feed_by_hash(db, _hash(token))
    if feed is None:
        return None
    rows, _ = repository.activities(
        db, _owner(feed.user_id), owner_id=feed.user_id, start=utcnow() - timedelta(days=days_back)
    )
    return [r for r in rows if r.status != CANCELLED]


def _owner(user_id: int) -> Principal:
    """A principal that reads exactly the feed owner's own rows."""
    return Principal(user_id, "", "", 0, "/", (), frozenset(), "own")


def ics(rows: list[Activity], labels: dict[str, str], names: dict[int, str], host: str) -> str:
    """The activities as an iCalendar (RFC 5545) text."""
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bankcrm//sales//EN", "CALSCALE:GREGORIAN"]
    for r in rows:
        start = as_utc(r.starts_at)
        end = start + timedelta(minutes=max(r.duration_min, 15))
        summary = f"{labels.get(r.kind, r.kind)} {names.get(r.customer_id, '')}".strip()
        lines += [
            "BEGIN:VEVENT",
            f"UID:activity-{r.id}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{start:%Y%m%dT%H%M%SZ}",
            f"DTEND:{end:%Y%m%dT%H%M%SZ}",
            f"SUMMARY:{_escape(summary)}",
            f"STATUS:{'CONFIRMED' if r.status == DONE else 'TENTATIVE'}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def feed_text(db: Session, token: str, host: str) -> str | None:
    """The feed of a live token as iCalendar text (customers by CIF number only), or None."""
    rows = feed_events(db, token)
    if rows is None:
        return None
    labels = catalogue_service.labels_of(db, "activity_kind", "zh_CN")
    cifs = {c.id: c.cif_no for c in repository.customers(db, {r.customer_id for r in rows}).values()}
    return ics(rows, labels, cifs, host)
