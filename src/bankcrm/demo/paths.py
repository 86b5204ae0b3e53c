"""How a demo customer's wealth moves over the window: steady, growing, drained late, or lifted by a windfall.

Each individual gets a path; the generator posts the vouchers it implies (early withdrawals and a transfer out
on the drain day, a large credit on the windfall day) and keeps the demand balance near the path's level, so
the tier watch lists, the tier migration, the RFM groups and the AUM trend have something to show.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

# Chinese New Year (the first day of the first lunar month): the year-end bonus comes two weeks before it.
SPRING_FESTIVAL = {
    2023: date(2023, 1, 22),
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
    2029: date(2029, 2, 13),
    2030: date(2030, 2, 3),
    2031: date(2031, 1, 23),
    2032: date(2032, 2, 11),
}
BONUS_DAYS_BEFORE = 14
# Every PLANT_EVERY-th individual is planted in the newest month, so every month's watch lists are not left to
# chance: one in the cycle gets a windfall on its first day (a tier up), one drains then (a tier down), and one
# moves its salary and all but 6 % above the 贵宾 floor to another bank (within 10 % of dropping the tier).
PLANT_EVERY = 12
WINDFALL_SLOT, TRIM_SLOT, DRAIN_SLOT = 3, 6, 9
# Between the late drains (0.25..0.33) and CHURN_SHARE: customers who leave for another bank in a month spread over
# the window, so the churn model has outcomes in many months to learn from and be measured on.
CHURN_SHARE = 0.40
# Up to LEAVE_LATE_SHARE: more rate shoppers, in the last year, so the churn model's held-back month (three months
# before the newest) has a few dozen leavers' rows to be measured on beside the recency rule.
LEAVE_LATE_SHARE = 0.50
TRIM_TO = 5_300_000  # fen: the 贵宾 floor of catalogue/value_tier.csv (CNY 50,000) and 6 %, room for the spending


@dataclass(frozen=True)
class Path:
    """A customer's wealth path; the default is steady (the demand balance stays near its usual level)."""

    growth: float = 0.0  # the usual demand balance grows by this share of itself over the window
    drain_on: date | None = None  # wealth products withdrawn early and a share of the money moved out
    drain_share: float = 0.0
    windfall_on: date | None = None  # a large credit (a flat sold, an inheritance) kept in the account
    windfall: int = 0  # fen
    trim_on: date | None = None  # withdraws its products, keeps TRIM_TO in all and is paid elsewhere from then
    fade_days: int = 0  # before drain_on, the money is moved out bit by bit over these days (rate shopping)

    @property
    def leaves_on(self) -> date | None:
        """The day the customer withdraws its deposits, wealth products and funds."""
        return self.drain_on or self.trim_on

    def level(self, base: int, day: date, first: date, end: date) -> int:
        """The demand balance the customer keeps on day (the sweep moves money in or out towards it)."""
        level = base * (1 + self.growth * (day - first).days / max(1, (end - first).days))
        if self.drain_on and day >= self.drain_on:
            level *= 1 - self.drain_share
        elif self.drain_on and self.fade_days and day >= self.drain_on - timedelta(days=self.fade_days):
            done = (day - (self.drain_on - timedelta(days=self.fade_days))).days / self.fade_days
            level *= 1 - self.drain_share * 0.6 * done  # most of it moved in the last step
        if self.windfall_on and day >= self.windfall_on:
            level += self.windfall
        return int(level)


def choose(r: random.Random, nth: int, first: date, end: date) -> Path:
    """The path of the nth individual: planted in the newest month by slot, else a quarter grow and 8 % drain."""
    newest = end.replace(day=1)
    slot = nth % PLANT_EVERY
    if slot == WINDFALL_SLOT:
        return Path(windfall_on=newest, windfall=round(r.uniform(600_000, 2_000_000)) * 100)
    if slot == TRIM_SLOT:
        return Path(trim_on=newest)
    if slot == DRAIN_SLOT:
        return Path(drain_on=newest, drain_share=r.uniform(0.5, 0.9))
    roll = r.random()
    if roll < 0.25:
        return Path(growth=r.uniform(0.5, 2.5))
    if roll < 0.33:  # drained in the last three months: to another bank, a flat, a child's studies abroad
        lo = max(first, end - timedelta(days=85))
        day = lo + timedelta(days=r.randint(0, max(0, (end - lo).days - 3)))
        # The signs show first (salary moved, money moved out, deposits not renewed); the days from the day.
        return Path(drain_on=day, drain_share=r.uniform(0.3, 0.9), fade_days=90 + day.toordinal() % 31)
    if roll < CHURN_SHARE:  # rate shopping: almost everything moved to another bank, any month of the window
        day = first + timedelta(days=r.randint(60, max(60, (end - first).days - 10)))
        # The fade comes from the day, not the generator: one more draw would move every later customer's data.
        return Path(drain_on=day, drain_share=r.uniform(0.9, 0.99), fade_days=100 + day.toordinal() % 41)
    if roll < LEAVE_LATE_SHARE:  # rate shopping in the last year; day and share from the roll (no more draws)
        day = end - timedelta(days=10 + int((roll - CHURN_SHARE) / (LEAVE_LATE_SHARE - CHURN_SHARE) * 330))
        return Path(drain_on=day, drain_share=0.9 + roll * 1000 % 1 * 0.09, fade_days=100 + day.toordinal() % 41)
    return Path()


def spring_festival(lo: date, hi: date) -> date | None:
    """Chinese New Year's day if it falls between lo and hi."""
    day = SPRING_FESTIVAL.get(lo.year)
    return day if day and lo <= day <= hi else None


def year_end_bonus(lo: date, hi: date) -> date | None:
    """The year-end bonus day (two weeks before Chinese New Year) if it falls between lo and hi."""
    for year in (lo.year, lo.year + 1):
        day = SPRING_FESTIVAL.get(year)
        if day and lo <= (bonus := day - timedelta(days=BONUS_DAYS_BEFORE)) <= hi:
            return bonus
    return None
