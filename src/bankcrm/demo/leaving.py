"""The warning signs a demo customer shows in the months before leaving for another bank, so the churn model has
something real to learn that the recency rule cannot see (a leaver keeps transacting until the day it goes).

Over a path's fade (the days before ``drain_on``): the salary is paid into the other bank, money goes out to an
account at the other bank every week (what is above the fading level, and at least a growing share of the
balance), and a deposit or wealth product that
matures is not renewed. Nothing here draws from the generator's random stream (each draw would move every later
customer's data): the other bank and the days come from the customer's number.
"""

from __future__ import annotations

from datetime import date, timedelta

from bankcrm.demo.paths import Path

TRANSFER_DAYS = (3, 10, 17, 24)  # days of the month the leaver moves money out during the fade
FIRST_SHARE, LAST_SHARE = 50, 200  # per mille of the balance moved out at least, at the fade's start and its end


def fade_start(path: Path) -> date | None:
    """The first day of the path's fade (None: it does not fade before it leaves)."""
    if path.drain_on is None or not path.fade_days:
        return None
    return path.drain_on - timedelta(days=path.fade_days)


def fading(path: Path, day: date) -> bool:
    """Whether the day is in the path's fade (before the day it leaves)."""
    start = fade_start(path)
    return start is not None and path.drain_on is not None and start <= day < path.drain_on


def paid_elsewhere(path: Path, day: date) -> bool:
    """Whether the customer's pay goes to another bank on this day: after a trim, or from its fade on."""
    start = fade_start(path)
    return (path.trim_on is not None and day >= path.trim_on) or (start is not None and day >= start)


def transfer_shares(path: Path, lo: date, hi: date) -> list[tuple[date, int]]:
    """The fade's transfers out between lo and hi: (day, per mille of the balance), growing towards the drain."""
    start = fade_start(path)
    if start is None or path.drain_on is None:
        return []
    out = []
    for day in (lo.replace(day=d) for d in TRANSFER_DAYS if lo.day <= d <= hi.day):
        if start <= day < path.drain_on:
            done = (day - start).days / max(1, path.fade_days)
            out.append((day, round(FIRST_SHARE + (LAST_SHARE - FIRST_SHARE) * done)))
    return out


def not_renewed_on(path: Path, maturity: date | None) -> date | None:
    """The day a term product of a leaver closes at maturity instead of rolling over: a maturity in its fade."""
    start = fade_start(path)
    if start is None or maturity is None or path.drain_on is None:
        return None
    return maturity if start <= maturity < path.drain_on else None
