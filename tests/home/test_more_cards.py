"""Issue 13's further home cards: maturity retention (account managers, management) and customers served today."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from bankcrm.access.principal import Actor
from bankcrm.audit import service as audit_service
from bankcrm.config import Settings
from bankcrm.holdings.service import cards
from bankcrm.kit.time import BankDay
from bankcrm.models.customer import Customer
from bankcrm.models.task import Task
from tests.conftest import signed_in
from tests.home.test_role_cards import ON_TODAY, TODAY, A, B, C, _principal, given_a_small_bank


def _done(db: Session, cif_no: str, due: date, amount_due: int, kept: int) -> None:
    customer = db.query(Customer).filter_by(cif_no=cif_no).one()
    db.add(
        Task(
            kind="MATURITY",
            customer_id=customer.id,
            due_date=due,
            status="DONE",
            amount_due=amount_due,
            amount_kept=kept,
        )
    )
    db.flush()


def test_the_retention_card_counts_follow_ups_due_and_done_and_the_share_of_money_kept(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # given the small bank: A's and B's open follow-ups due 1, 20 and 27 October fall in the four weeks to
    # Wednesday 28 October (29 October onwards and C's are outside)
    given_a_small_bank(db, settings, tmp_path)
    # when nothing in the window is done, there is no rate
    before = cards.retention_card(db, _principal(db, "am1"), ON_TODAY)
    assert (before.start, before.end) == (date(2026, 10, 1), TODAY)
    assert (before.due, before.done, before.amount_due, before.amount_kept, before.rate) == (3, 0, 0, 0, None)
    # and then A's follow-up due 15 October kept 30,000.00 of 50,000.00 and B's due 22 October kept all 20,000.00;
    # A's due 30 September (before the window) and C's (out of BJ) were done too
    _done(db, A, date(2026, 10, 15), 5_000_000, 3_000_000)
    _done(db, B, date(2026, 10, 22), 2_000_000, 2_000_000)
    _done(db, A, date(2026, 9, 30), 9_000_000, 0)
    _done(db, C, date(2026, 10, 20), 1_000_000, 0)
    for username in ("am1", "manager"):
        r = cards.retention_card(db, _principal(db, username), ON_TODAY)
        # then five were due, two done, 50,000.00 kept of 70,000.00: 71.4%
        assert (r.due, r.done, r.amount_due, r.amount_kept, r.rate) == (
            5,
            2,
            7_000_000,
            5_000_000,
            Decimal("71.4"),
        ), username


def test_the_served_today_card_counts_distinct_customers_the_user_touched_since_midnight(
    db: Session, settings: Settings
) -> None:
    # given the teller revealed A twice and changed B, the lobby manager revealed C, and the teller signed in
    teller, lobby = _principal(db, "teller"), _principal(db, "lobby")
    for who, action, cif_no in (
        (teller, "pii.unmask", A),
        (teller, "pii.unmask", A),
        (teller, "customer.update", B),
        (lobby, "pii.unmask", C),
    ):
        audit_service.record(db, Actor.of(who), action, entity_type="customer", entity_id=cif_no)
    audit_service.record(db, Actor.of(teller), "auth.login", entity_type="user", entity_id=teller.user_id)
    # when each reads the card today, as the home page passes the bank's day
    today = BankDay.now(settings.timezone)
    # then the teller served two customers today and the lobby manager one
    assert audit_service.served_today_card(db, teller, today) == {"served": 2}
    assert audit_service.served_today_card(db, lobby, today) == {"served": 1}
    # and tomorrow (from the bank's next midnight) the teller has served no one yet
    tomorrow = BankDay.of(today.day + timedelta(days=1), settings.timezone)
    assert audit_service.served_today_card(db, teller, tomorrow) == {"served": 0}


def test_the_teller_home_page_shows_customers_served_today(client: TestClient, make_client) -> None:  # type: ignore[no-untyped-def]
    # when the teller opens the home page (nothing served yet today)
    page = signed_in(make_client(), "teller").get("/").text
    # then the served card comes after the search box with its figure
    assert 'data-figure="served">0<' in page
    assert page.index('data-card="search"') < page.index('data-card="served-today"')
