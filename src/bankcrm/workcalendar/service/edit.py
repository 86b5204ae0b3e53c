"""The bank's own entries: set or remove one day (page, API), or import a file of them (CLI), audited."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from bankcrm.access.principal import Actor, Principal
from bankcrm.access.service.scope_audit import denied
from bankcrm.audit import service as audit_service
from bankcrm.catalogue import service as catalogue
from bankcrm.errors import FieldError, Forbidden, NotFound, ValidationFailed
from bankcrm.kit.i18n import N_
from bankcrm.kit.time import utcnow
from bankcrm.models.workcalendar import CalendarDay
from bankcrm.workcalendar import repository
from bankcrm.workcalendar.schemas import FIRST_YEAR, LAST_YEAR, CalendarDayWrite

PERMISSION = "calendar.manage"
KIND_TABLE = "calendar_day_kind"
COLUMNS = ("day", "kind", "label_en", "label_zh")
UNKNOWN_KIND = N_("Choose one of: %(codes)s.")
OUT_OF_RANGE = N_("The day must be in the years %(first)s to %(last)s.")
NOT_A_DATE = N_("Enter a date as YYYY-MM-DD.")
TWICE = N_("This day is named twice in the file (first on line %(line)s).")
BAD_HEADER = N_("The first line must be: %(columns)s.")
EMPTY_FILE = N_("The file names no days.")
LABEL_NEEDED = N_("Enter 1 to 100 characters.")
NO_ENTRY = N_("The bank has no entry for this day.")


def require(principal: Principal, what: str) -> None:
    """Forbidden (audited) unless the principal may manage the calendar."""
    if not principal.can(PERMISSION):
        raise Forbidden(audit=denied(principal, what, PERMISSION))


def _problems(db: Session, day: date, body: CalendarDayWrite, prefix: str = "") -> list[FieldError]:
    """What is wrong with one entry beyond its shape: a day outside the package's years, a kind not in the table."""
    errors = []
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        errors.append(FieldError(f"{prefix}day", OUT_OF_RANGE, {"first": FIRST_YEAR, "last": LAST_YEAR}))
    codes = [c.code for c in catalogue.code_table(db, KIND_TABLE)]
    if body.kind not in codes:
        errors.append(FieldError(f"{prefix}kind", UNKNOWN_KIND, {"codes": ", ".join(codes)}))
    return errors


def _write(db: Session, day: date, body: CalendarDayWrite, by: str) -> tuple[CalendarDay, dict[str, Any]]:
    """Insert or change the entry; the changes as the audit log keeps them."""
    row = repository.entry(db, day)
    after = {"kind": body.kind, "label_en": body.label_en, "label_zh": body.label_zh}
    if row is None:
        row = CalendarDay(day=day, **after, changed_by=by, changed_at=utcnow())
        db.add(row)
        changes = {k: [None, v] for k, v in after.items()}
    else:
        changes = {k: [getattr(row, k), v] for k, v in after.items() if getattr(row, k) != v}
        for k, v in after.items():
            setattr(row, k, v)
        row.changed_by, row.changed_at = by, utcnow()
    return row, changes


def put(db: Session, principal: Principal, day: date, body: CalendarDayWrite) -> CalendarDay:
    """Make ``day`` the bank's HOLIDAY or WORKDAY with its labels (needs calendar.manage); audited."""
    require(principal, f"set calendar day {day.isoformat()}")
    errors = _problems(db, day, body)
    if errors:
        raise ValidationFailed(errors=errors)
    row, changes = _write(db, day, body, principal.username)
    db.flush()
    audit_service.record(
        db, Actor.of(principal), "calendar_day.set", entity_type="calendar_day", entity_id=day, changes=changes
    )
    return row


def remove(db: Session, principal: Principal, day: date) -> None:
    """Remove the bank's entry for ``day``: the package answers for it again (404 when there is none); audited."""
    require(principal, f"remove calendar day {day.isoformat()}")
    row = repository.entry(db, day)
    if row is None:
        raise NotFound(NO_ENTRY)
    before = {"kind": [row.kind, None], "label_en": [row.label_en, None], "label_zh": [row.label_zh, None]}
    db.delete(row)
    db.flush()
    audit_service.record(
        db, Actor.of(principal), "calendar_day.removed", entity_type="calendar_day", entity_id=day, changes=before
    )


def _parse(db: Session, text: str) -> list[tuple[date, CalendarDayWrite]]:
    """Every row of a day,kind,label_en,label_zh file, or ValidationFailed naming each bad line and field."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise ValidationFailed(errors=[FieldError("line 1", BAD_HEADER, {"columns": ",".join(COLUMNS)})])
    kinds = [c.code for c in catalogue.code_table(db, KIND_TABLE)]
    errors: list[FieldError] = []
    rows: list[tuple[date, CalendarDayWrite]] = []
    seen: dict[date, int] = {}
    for n, raw in enumerate(reader, start=2):
        prefix = f"line {n}."
        try:
            day = date.fromisoformat((raw.get("day") or "").strip())
        except ValueError:
            errors.append(FieldError(f"{prefix}day", NOT_A_DATE))
            continue
        try:
            body = CalendarDayWrite.model_validate({k: raw.get(k) or "" for k in COLUMNS[1:]})
        except ValidationError as exc:
            for e in exc.errors():
                field = str(e["loc"][0])
                wrong = (LABEL_NEEDED, {}) if field.startswith("label") else (UNKNOWN_KIND, {"codes": ", ".join(kinds)})
                errors.append(FieldError(f"{prefix}{field}", *wrong))
            continue
        errors += _problems(db, day, body, prefix)
        if day in seen:
            errors.append(FieldError(f"{prefix}day", TWICE, {"line": seen[day]}))
        seen.setdefault(day, n)
        rows.append((day, body))
    if errors:
        raise ValidationFailed(errors=errors)
    if not rows:
        raise ValidationFailed(errors=[FieldError("line 2", EMPTY_FILE)])
    return rows


def import_file(db: Session, actor: Actor, text: str) -> int:
    """Set every day of a CSV file (day,kind,label_en,label_zh): all of them, or none when any line is bad."""
    rows = _parse(db, text)
    for day, body in rows:
        _, changes = _write(db, day, body, actor.username or "system")
        audit_service.record(
            db, actor, "calendar_day.set", entity_type="calendar_day", entity_id=day, changes=changes, detail="import"
        )
    db.flush()
    return len(rows)
