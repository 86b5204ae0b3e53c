"""Each warning signal on a hand-built history (snapshot rows written straight into customer_month; holdings rows
straight into their tables), and the warnings the nightly step raises from them."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from bankcrm.earlywarning.service import raising, signals
from bankcrm.models.assignment import ManagerAssignment
from tests.conftest import user_id
from tests.factories import make_customer
from tests.lifecycle.helpers import given_a_customer_over, held
from tests.value.helpers import batch, deposit, loan

TODAY = date(2026, 12, 3)  # July..November 2026 are the five completed months (November the newest)
STEADY = held(3, 10_000_000, salary_count=1, salary_amount=1_500_000, days_since_txn=3)


def hits_of(db: Session, customer_id: int) -> dict[str, dict[str, object]]:
    """The signals fired for one customer, by code, with their figures."""
    found = signals.evaluate(db, TODAY, date(2026, 11, 1))
    return {h.signal: h.figures for h in found.hits.get(customer_id, [])}


def test_aum_down_30_percent_over_3_months_fires_and_29_does_not(db: Session) -> None:
    # Given one customer whose AUM fell 62% from August to November and one whose fell 29%
    falling = given_a_customer_over(db, "92000000001", [STEADY, STEADY, STEADY, STEADY, held(3, 3_800_000)])
    slight = given_a_customer_over(db, "92000000002", [STEADY, STEADY, STEADY, STEADY, held(3, 7_100_000)])
    # Then the first has AUM_DROP with its figures, the second none
    assert hits_of(db, falling.id)["AUM_DROP"] == {"pct": 62, "months": 3, "before": 10_000_000, "now": 3_800_000}
    assert "AUM_DROP" not in hits_of(db, slight.id)


def test_transfers_out_products_down_dormancy_and_salary_stopped(db: Session) -> None:
    # Given a customer who in the last 3 months sent 3 transfers (¥480,000) to other banks, closed 2 products,
    # has not transacted for 95 days and whose salary, paid every month before, stopped in November
    months = [
        STEADY,
        STEADY,
        held(
            3,
            10_000_000,
            salary_count=1,
            salary_amount=1_500_000,
            transfer_out_other_count=1,
            transfer_out_other_amount=8_000_000,
        ),
        held(
            2,
            10_000_000,
            salary_count=1,
            salary_amount=1_600_000,
            transfer_out_other_count=2,
            transfer_out_other_amount=40_000_000,
        ),
        held(1, 10_000_000, salary_count=0, days_since_txn=95),
    ]
    c = given_a_customer_over(db, "92000000003", months)
    # When the signals are evaluated
    hits = hits_of(db, c.id)
    # Then each fires with the figures its reason shows
    assert hits["TRANSFER_OUT"] == {"count": 3, "amount": 48_000_000, "months": 3}
    assert hits["PRODUCTS_DOWN"] == {"before": 3, "now": 1, "months": 3}
    assert hits["DORMANT"] == {"days": 95}
    assert hits["SALARY_STOPPED"] == {"paid": 3, "months": 3, "amount": 1_600_000}


def test_maturity_not_renewed_and_early_withdrawal_read_the_accounts(db: Session) -> None:
    # Given a customer with a 1-year deposit closed at maturity on 20 November and a 6-month one closed early
    c = given_a_customer_over(db, "92000000004", [STEADY] * 5)
    b = batch(db)
    matured = deposit(db, c, b, "TD-1Y", 150, {date(2026, 11, 10): 20_000_000, date(2026, 11, 20): 0})
    matured.status, matured.maturity_date, matured.close_date = "CLOSED", date(2026, 11, 20), date(2026, 11, 20)
    early = deposit(db, c, b, "TD-6M", 130, {date(2026, 11, 1): 10_000_000})
    early.status, early.maturity_date, early.close_date = "CLOSED", date(2027, 3, 1), date(2026, 11, 25)
    db.flush()
    # Then both signals fire with the amounts the accounts held
    hits = hits_of(db, c.id)
    assert hits["MATURED_NOT_RENEWED"] == {"count": 1, "amount": 20_000_000, "days": 90}
    assert hits["EARLY_WITHDRAWAL"] == {"count": 1, "amount": 10_000_000, "days": 90}


def test_loan_trouble_manager_change_and_a_guarantee_circle_member_in_trouble(db: Session) -> None:
    # Given a customer with a loan classified substandard, 45 days overdue
    troubled = given_a_customer_over(db, "92000000005", [STEADY] * 5)
    bad = loan(db, troubled, batch(db), "SUBSTANDARD", 50_000_000, date(2026, 3, 1))
    bad.days_overdue = 45
    # And a customer in a guarantee circle with it, whose manager changed from am1 to am2 on 1 November
    from bankcrm.models.group import GuaranteeCircle, GuaranteeCircleMember

    partner = given_a_customer_over(db, "92000000006", [STEADY] * 5)
    circle = GuaranteeCircle(status="CURRENT", fingerprint="f" * 64, member_count=2, total_amount=1)
    db.add(circle)
    db.flush()
    db.add_all([GuaranteeCircleMember(circle_id=circle.id, customer_id=x.id) for x in (troubled, partner)])
    am1, am2 = user_id(db, "am1"), user_id(db, "am2")
    db.add_all(
        [
            ManagerAssignment(
                customer_id=partner.id,
                manager_id=am1,
                role="primary",
                share_bp=10000,
                valid_from=date(2026, 1, 1),
                valid_to=date(2026, 11, 1),
            ),
            ManagerAssignment(
                customer_id=partner.id, manager_id=am2, role="primary", share_bp=10000, valid_from=date(2026, 11, 1)
            ),
        ]
    )
    db.flush()
    # Then the first has LOAN_TROUBLE; the second RELATED_TROUBLE and MANAGER_CHANGED
    assert hits_of(db, troubled.id) == {"LOAN_TROUBLE": {"days": 45, "classification": "SUBSTANDARD"}}
    assert hits_of(db, partner.id) == {"RELATED_TROUBLE": {"members": 1}, "MANAGER_CHANGED": {"on": "2026-11-01"}}


def test_complaints_are_defined_but_not_evaluated(db: Session) -> None:
    # Given the shipped catalogue
    from bankcrm.earlywarning import catalogue

    # Then COMPLAINTS is listed, inactive, and no evaluation reads it
    assert catalogue.signal("COMPLAINTS") is not None
    assert "COMPLAINTS" not in catalogue.active()


def test_the_step_raises_one_warning_with_reasons_for_am1_and_not_again(db: Session) -> None:
    # Given a customer whose AUM fell 62% and who sent 3 transfers to other banks (score 30 + 25 = 55)
    pay = {"salary_count": 1, "salary_amount": 1_500_000}
    out = {"transfer_out_other_count": 3, "transfer_out_other_amount": 48_000_000}
    months = [STEADY, STEADY, STEADY, held(3, 9_000_000, **pay, **out), held(3, 3_800_000, **pay)]
    c = given_a_customer_over(db, "92000000007", months)
    quiet = make_customer(db, "92000000008")
    # When the step runs twice
    first = raising.raise_from_signals(db, TODAY)
    second = raising.raise_from_signals(db, TODAY)
    # Then one warning was raised, medium, for am1, due in 3 working days, and the rerun raised none
    assert (first.raised, second.raised, second.already_open) == (1, 0, 1)
    from bankcrm.models.earlywarning import EarlyWarning

    w = db.query(EarlyWarning).filter_by(customer_id=c.id).one()
    assert (w.severity, w.score, w.leading_factor, w.assignee_id) == ("MEDIUM", 55, "AUM_DROP", user_id(db, "am1"))
    assert w.due_on == date(2026, 12, 8)  # Thursday 3 December + 3 working days (the weekend skipped)
    assert db.query(EarlyWarning).filter_by(customer_id=quiet.id).count() == 0
