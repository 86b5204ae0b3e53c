"""The whole demo bank, built once per test session through ``bankcrm demo`` on a SQLite file (tests/demo_build.py)."""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.db import make_engine
from bankcrm.models.ingest import IngestBatch
from tests.demo_build import DemoBuild


@dataclass(frozen=True)
class DemoBank:
    """A built demo bank: its database, the core-banking files it loaded, what the command printed."""

    url: str
    files: Path
    output: str


@pytest.fixture(scope="session")
def demo_bank(demo_build: DemoBuild, tmp_path_factory: pytest.TempPathFactory) -> DemoBank:
    """The demo bank built as a user would (``bankcrm demo --no-serve`` in dev mode), this worker's copy of it."""
    path = demo_build.copy_to(tmp_path_factory.mktemp("demo") / "demo.db")
    return DemoBank(f"sqlite:///{path}", demo_build.files, " ".join(demo_build.output.split()))


@pytest.fixture(scope="session")
def demo_db(demo_bank: DemoBank) -> Iterator[Session]:
    """A session on the built demo bank, for reading."""
    engine = make_engine(demo_bank.url)
    with Session(engine) as session:
        yield session
    engine.dispose()


@pytest.fixture(scope="session")
def demo_today(demo_db: Session) -> date:
    """The day the demo was built for: the files end yesterday (read from the data, not the clock)."""
    last = demo_db.scalar(select(func.max(IngestBatch.business_date)))
    assert last is not None
    return last + timedelta(days=1)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it has no such day (31 Jan + 1 = 28/29 Feb)."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
