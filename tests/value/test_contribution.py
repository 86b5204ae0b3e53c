"""Contribution lines against hand calculation (exact fen), effective dating, maker-checker, roll-ups, scope."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.errors import Forbidden, NotFound, ValidationFailed
from bankcrm.holdings.jobs import figures_job
from bankcrm.models.audit import AuditEvent
from bankcrm.models.customer import Customer
from bankcrm.models.holding import Account, BalanceSnapshot, FigureDirty
from bankcrm.models.value import CustomerContribution, FtpRate
from bankcrm.value.schemas import Decision, PricingProposal
from bankcrm.value.service import changes, compute, rollup
from bankcrm.value.service.pricing import in_force
from tests.factories import make_customer
from tests.value.helpers import AS_OF, NOV, OCT, batch, deposit, given_customer_a, principal, share

TZ = "Asia/Shanghai"
CNY_CURVE = {"DEMAND": 160, "M3": 175, "M6": 185, "Y1": 250, "Y2": 220, "Y3": 240, "Y5": 270, "Y5PLUS": 300}


def _lines(db: Session, customer_id: int, month: date) -> list[tuple[object, ...]]:
    rows = db.scalars(
        select(CustomerContribution)
        .where(CustomerContribution.customer_id == customer_id, CustomerContribution.month == month)
        .order_by(CustomerContribution.id)
    ).all()
    return [(r.kind, r.days, r.count, r.avg_balance, r.customer_rate_bp, r.ftp_rate_bp, r.amount) for r in rows]


def test_a_closed_month_is_priced_line_by_line_as_computed_by_hand(db: Session) -> None:
    # Given customer A's October: a 1-year deposit at 1.50 % averaging 1,500,000.00 over 4 snapshot days,
    # five loans of 1,000,000.00 at 4 % (one per class), fees 50.00 + 20.00 − 10.00 refunded, 3 counter vouchers
    customer, _ = given_customer_a(db)
    # When October is computed as of 30 November (a closed month: 31 days)
    report = compute.compute_month(db, OCT, AS_OF, TZ)
    # Then each line is average × spread × 31/365, rounded half away from zero to the fen:
    # deposit 150,000,000 × (200 − 150) bp; loans 100,000,000 × (400 − 200) bp; losses at 1/2/25/50/100 % a year
    margin = ("loan_margin", 31, 0, 100_000_000, 400, 200, 169_863)
    assert _lines(db, customer.id, OCT) == [
        ("deposit_margin", 31, 0, 150_000_000, 150, 200, 63_699),
        margin,
        margin,
        margin,
        margin,
        margin,
        ("expected_loss", 31, 0, 100_000_000, None, 100, -84_932),
        ("expected_loss", 31, 0, 100_000_000, None, 200, -169_863),
        ("expected_loss", 31, 0, 100_000_000, None, 2_500, -2_123_288),
        ("expected_loss", 31, 0, 100_000_000, None, 5_000, -4_246_575),
        ("expected_loss", 31, 0, 100_000_000, None, 10_000, -8_493_151),
        ("fee_income", 31, 3, None, None, None, 6_000),
        ("service_product", 31, 5, None, None, None, -10_000),
        ("service_product", 31, 1, None, None, None, -200),
        ("service_txn", 31, 3, None, None, None, -4_500),
    ]
    total = 63_699 + 5 * 169_863 - (2_123_288 + 4_246_575 + 8_493_151 + 84_932 + 169_863) + 6_000 - 10_200 - 4_500
    assert (report.customers, report.lines, report.total) == (1, 15, total)


def test_the_running_month_is_priced_to_the_business_date_and_recomputing_replaces_it(db: Session) -> None:
    # Given customer A, whose November has one snapshot of 1,000,000.00 so far
    customer, _ = given_customer_a(db)
    # When November is computed as of the 6th, twice
    compute.compute_month(db, NOV, date(2026, 11, 6), TZ)
    compute.compute_month(db, NOV, date(2026, 11, 6), TZ)
    # Then the deposit line covers 6 days (100,000,000 × 50 bp × 6/365) and is there once
    deposit_lines = [line for line in _lines(db, customer.id, NOV) if line[0] == "deposit_margin"]
    assert deposit_lines == [("deposit_margin", 6, 0, 100_000_000, 150, 200, 8_219)]


def test_a_new_curve_needs_a_second_person_and_takes_effect_from_its_month(db: Session) -> None:
    # Given the product manager proposes a 1-year CNY rate of 2.50 % from 1 November (today 15 October)
    customer, _ = given_customer_a(db)
    maker, checker, am1 = principal(db, "product"), principal(db, "risk"), principal(db, "am1")
    body = PricingProposal(effective_from=NOV, reason="PBoC cut", ftp={"CNY": CNY_CURVE})
    change = changes.submit(db, maker, body, today=date(2026, 10, 15))
    # When the maker approves it herself, and an account manager tries
    with pytest.raises(Forbidden):
        changes.decide(db, maker, change.id, Decision(approve=True), today=date(2026, 10, 15))
    with pytest.raises(Forbidden):
        changes.decide(db, am1, change.id, Decision(approve=True), today=date(2026, 10, 15))
    # Then nothing changed: the curve in force on 1 November still has 2.00 %
    assert in_force(db, NOV).rates()["CNY"]["Y1"] == 200
    # When the risk manager approves it
    changes.decide(db, checker, change.id, Decision(approve=True), today=date(2026, 10, 15))
    # Then October is priced at 2.00 % and November at 2.50 % (a month uses the rates in force on its first day)
    compute.compute_month(db, OCT, AS_OF, TZ)
    compute.compute_month(db, NOV, AS_OF, TZ)
    oct_dep = [line for line in _lines(db, customer.id, OCT) if line[0] == "deposit_margin"]
    nov_dep = [line for line in _lines(db, customer.id, NOV) if line[0] == "deposit_margin"]
    assert oct_dep == [("deposit_margin", 31, 0, 150_000_000, 150, 200, 63_699)]
    assert nov_dep == [("deposit_margin", 30, 0, 100_000_000, 150, 250, 82_192)]
    rows = db.scalars(select(FtpRate).where(FtpRate.change_id == change.id, FtpRate.currency == "CNY")).all()
    assert sorted((r.term_code, r.max_term_months, r.rate_bp) for r in rows)[:2] == [("DEMAND", 0, 160), ("M3", 3, 175)]
    events = db.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_type == "pricing_change").order_by(AuditEvent.seq)
    ).all()
    assert list(events) == ["pricing_change.submit", "pricing_change.approve"]


def test_a_proposal_names_each_bad_part(db: Session) -> None:
    # Given a proposal mid-month, with an incomplete curve, an unknown currency and an unknown loan class
    body = PricingProposal(
        effective_from=date(2026, 11, 15),
        reason="",
        ftp={"CNY": {"Y1": 250}, "XXX": CNY_CURVE},
        provision={"BAD": 100},
    )
    # When it is submitted
    with pytest.raises(ValidationFailed) as caught:
        changes.submit(db, principal(db, "product"), body, today=date(2026, 10, 15))
    # Then every part is named and nothing was filed
    assert sorted(e.field for e in caught.value.errors) == [
        "effective_from",
        "ftp.CNY",
        "ftp.XXX",
        "provision.BAD",
        "reason",
    ]


def test_the_manager_roll_up_splits_a_customer_by_the_performance_shares(db: Session) -> None:
    # Given customer A (am1 70 %, am2 30 %) and customer B of am2 alone, both in Beijing, October computed
    a, _ = given_customer_a(db)
    b = make_customer(db, "90000000502", unit="BJ", manager="am2")
    deposit(db, b, batch(db), "DD-CNY", 0, {date(2026, 10, 10): 36_500_000})
    share(db, b, "am2", "primary", 10_000)
    compute.compute_month(db, OCT, AS_OF, TZ)
    total_a = sum(r[-1] for r in _lines(db, a.id, OCT))  # type: ignore[misc]
    total_b = sum(r[-1] for r in _lines(db, b.id, OCT))  # type: ignore[misc]
    # When the head office rolls October up by manager
    read = rollup.rollup(db, principal(db, "product"), "BJ", OCT, "manager", "en")
    # Then A's −142,134.95 splits −99,494.47 / −42,640.49 (halves away from zero), and am2 also has B's 493.00:
    # B's demand deposit 365,000.00 × (1.60 − 0) % × 31/365 = 496.00, less 3.00 for the account
    assert (total_a, total_b) == (-14_213_495, 49_300)
    amounts = {r.label: (r.customers, r.amount) for r in read.rows}
    assert amounts == {"李明 Li Ming": (1, -9_949_447), "陈静 Chen Jing": (2, -4_264_049 + 49_300)}
    assert (read.customers, read.total) == (2, total_a + total_b)


def test_a_unit_outside_the_scope_is_404_and_audited_and_other_branches_do_not_count(db: Session) -> None:
    # Given a Beijing customer and a Shanghai customer, October computed
    given_customer_a(db)
    sh = make_customer(db, "90000000503", unit="SH", manager="am2")
    deposit(db, sh, batch(db), "DD-CNY", 0, {date(2026, 10, 10): 36_500_000})
    compute.compute_month(db, OCT, AS_OF, TZ)
    manager = principal(db, "manager")  # management in Beijing
    # When the Beijing manager asks for Shanghai
    with pytest.raises(NotFound) as caught:
        rollup.rollup(db, manager, "SH", OCT, "branch", "en")
    # Then it is 404 with an out-of-scope audit record; their own roll-up counts only Beijing's customer
    assert caught.value.audit is not None and caught.value.audit["action"] == "authz.out_of_scope"
    own = rollup.rollup(db, manager, None, OCT, "branch", "en")
    assert (own.unit, own.customers) == ("BJ", 1)
    bank = rollup.rollup(db, principal(db, "product"), None, OCT, "branch", "en")
    assert bank.customers == 2
    # A loses money (its loss-class loan), so the Shanghai customer brings all the value created
    assert (bank.loss_making, bank.loss_amount) == (1, -14_213_495)
    assert [(p.top_pct, p.customers, p.share_pct) for p in bank.pareto][:1] == [(1, 1, 100.0)]
    assert (bank.pareto[-1].customers, bank.pareto[-1].share_pct) == (2, 100.0)


def test_the_pareto_points_give_the_share_of_the_top_customers() -> None:
    # Given ten customers' totals (fen), the first two bringing 80 % of the value created, one losing money
    amounts = [500, 300, 50, 50, 40, 30, 20, 10, 0, -400]
    # When the Pareto points are taken
    points = {p.top_pct: (p.customers, p.share_pct) for p in rollup.pareto(amounts)}
    # Then the top 10 % (1 customer) brings 50 %, the top 20 % 80 %, everyone 100 %; 1 % rounds up to a customer
    assert points[1] == (1, 50.0)
    assert points[10] == (1, 50.0)
    assert points[20] == (2, 80.0)
    assert points[50] == (5, 94.0)
    assert points[100] == (10, 100.0)


def test_the_nightly_step_backfills_closed_months_once_and_recomputes_the_running_one(db: Session) -> None:
    # Given customer A with balances from October, nothing computed yet
    given_customer_a(db)
    # When the months due are asked as of 6 November, then after October was computed as of 31 October
    first = compute.months_due(db, date(2026, 11, 6))
    compute.compute_month(db, OCT, date(2026, 10, 31), TZ)
    later = compute.months_due(db, date(2026, 11, 6))
    compute.compute_month(db, OCT, date(2026, 10, 20), TZ)
    stale = compute.months_due(db, date(2026, 11, 6))
    # Then the first run backfills October (the first month with balances) and the running November; a closed
    # month computed to its end is not done again; one computed before it closed is
    assert first == [OCT, NOV]
    assert later == [NOV]
    assert stale == [OCT, NOV]


def _all_lines(db: Session, month: date) -> list[tuple[object, ...]]:
    rows = db.scalars(
        select(CustomerContribution)
        .where(CustomerContribution.month == month)
        .order_by(CustomerContribution.customer_id, CustomerContribution.id)
    ).all()
    names = ("customer_id", "kind", "ref", "product_code", "days", "count", "avg_balance", "customer_rate_bp")
    names += ("ftp_rate_bp", "amount", "as_of")
    return [tuple(getattr(r, n) for n in names) for r in rows]


def _given_two_customers(db: Session) -> tuple[Customer, Account, Customer]:
    """Customer A (deposit, five loans, fees) and B (a demand deposit with balances in November)."""
    a, td = given_customer_a(db)
    b = make_customer(db, "90000000502", unit="BJ-CY", manager="am1")
    deposit(db, b, batch(db), "DD-CNY", 30, {date(2026, 11, 2): 50_000_000, date(2026, 11, 5): 70_000_000})
    return a, td, b


def test_the_usual_night_recomputes_only_changed_customers_and_gives_the_full_computation(
    db: Session, settings: Settings
) -> None:
    # Given November computed by the nightly as of 6 November for customers A and B
    a, _td, b = _given_two_customers(db)
    compute.compute_month(db, NOV, date(2026, 11, 6), TZ, full=False)
    # When B's balance of 5 November is corrected (queued for the figures step) and the nightly runs as of 9 November
    db.execute(
        update(BalanceSnapshot)
        .where(BalanceSnapshot.customer_id == b.id, BalanceSnapshot.balance_date == date(2026, 11, 5))
        .values(balance=90_000_000)
    )
    db.add(FigureDirty(customer_id=b.id))
    db.flush()
    figures_job(db, settings)
    report = compute.compute_month(db, NOV, date(2026, 11, 9), TZ, full=False)
    usual = _all_lines(db, NOV)
    compute.compute_month(db, NOV, date(2026, 11, 9), TZ)
    # Then only B was recomputed; A's deposit, loan, loss, fee and service lines moved on to 9 November in place;
    # every line equals a full run's
    assert report.customers == 1
    assert usual == _all_lines(db, NOV)
    assert {line[10] for line in usual} == {date(2026, 11, 9)}
    assert {r[1] for r in usual if r[0] == a.id} >= {"deposit_margin", "loan_margin", "expected_loss"}
    assert next((r[1], r[4], r[6]) for r in usual if r[0] == b.id) == ("deposit_margin", 9, 70_000_000)


def test_an_approved_curve_change_makes_the_usual_night_recompute_everyone(db: Session) -> None:
    # Given November computed as of 6 November for A and B
    a, _td, b = _given_two_customers(db)
    compute.compute_month(db, NOV, date(2026, 11, 6), TZ, full=False)
    # When a new curve from 1 November is approved, and the nightly runs again the same day
    maker, checker = principal(db, "product"), principal(db, "risk")
    body = PricingProposal(effective_from=NOV, reason="PBoC cut", ftp={"CNY": {**CNY_CURVE, "DEMAND": 100}})
    change = changes.submit(db, maker, body, today=date(2026, 10, 15))
    changes.decide(db, checker, change.id, Decision(approve=True), today=date(2026, 10, 15))
    report = compute.compute_month(db, NOV, date(2026, 11, 6), TZ, full=False)
    usual = _all_lines(db, NOV)
    compute.compute_month(db, NOV, date(2026, 11, 6), TZ)
    # Then both customers were recomputed at the new rates: the lines equal a full run's
    assert report.customers == 2
    assert usual == _all_lines(db, NOV)
    assert {(r[0], r[8]) for r in usual if r[1] == "deposit_margin"} == {(a.id, 250), (b.id, 100)}
