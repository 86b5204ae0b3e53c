"""The calendar every module counts working days in: the package's, with the bank's entries loaded over it.

Load it once per request or job with ``current(db)``. Each process keeps the last calendar it built per database,
keyed by a cheap stamp (how many entries, the latest change), so an edit made in one process is seen by the
others at their next load, for one small query instead of reading every entry each time.
"""

from __future__ import annotations

import threading
from datetime import datetime

from sqlalchemy.orm import Session

from bankcrm.kit.workdays import BANK, Calendar, CalendarDay
from bankcrm.workcalendar import repository

_LOCK = threading.Lock()
_BUILT: dict[str, tuple[tuple[int, datetime | None], Calendar]] = {}  # database → (stamp, calendar)


def current(db: Session) -> Calendar:
    """The bank's calendar as the database has it now (from this process's cache when nothing changed)."""
    where = db.get_bind().engine.url.render_as_string(hide_password=True)
    now = repository.stamp(db)
    with _LOCK:
        built = _BUILT.get(where)
    if built is not None and built[0] == now:
        return built[1]
    calendar = Calendar(
        {r.day: CalendarDay(r.day, r.kind, r.label_en, r.label_zh, BANK) for r in repository.entries(db)}
    )
    with _LOCK:
        _BUILT[where] = (now, calendar)
    return calendar
