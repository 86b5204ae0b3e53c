"""Role home cards: each figure against a small hand-built bank, and exactly which roles see which cards."""

from __future__ import annotations

import inspect
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.access.service import auth as auth_service
from bankcrm.assignments.service.cards import waiting_card
from bankcrm.config import Settings
from bankcrm.holdings.service import cards
from bankcrm.holdings.service.figures import recompute
from bankcrm.home.service import visible_cards
from bankcrm.ingest.service import runs as ingest_runs
from bankcrm.jobs.service import runs as job_runs
from bankcrm.jobs.service.cards import latest_card
from bankcrm.kit.time import BankDay
from bankcrm.models.access import User
from bankcrm.models.group import CorporateGroup, CorporateGroupMember, GuaranteeCircle, GuaranteeCircleMember
from bankcrm.models.task import Task
from bankcrm.modules import home_cards, resolve
from bankcrm.relationships.service.cards import review_card
from tests.assignments.helpers import BJ_1, ask_change, given_customers, given_staff, slot
from tests.conftest import signed_in, user_id
from tests.factories import make_customer
from tests.holdings.helpers import DAY, account, load, loan, write_file

TODAY = date(2026, 10, 28)  # a Wednesday: the rest of the week runs to Sunday 1 November
ON_TODAY = BankDay.of(TODAY, "Asia/Shanghai")  # as the home page passes it to the dated cards
MONTH_END = date(2026, 9, 30)
A, B, C = "90000000011", "90000000022", "90000000033"


def _principal(db: Session, username: str) -> Principal:
    return auth_service.principal_for(db.query(User).filter_by(username=username).one())


def given_a_small_bank(db: Session, settings: Settings, tmp_path: Path) -> None:
    """am1's A and B in BJ, am2's C in SH; balances at 30 September and 30 October; five tasks; figures computed.

    A: demand 400.00 → 1,200.00, time deposit 50,000.00 both days (matures 2 Nov), loan 80,000.00 normal.
    B: demand 5,000.00 → 3,000.00, time deposit 20,000.00 both days (matures 20 Nov), loan 10,000.00 substandard.
    C (out of BJ): demand 1.00 → 9,999.00.
    """
    ids = {
        A: make_customer(db, A).id,
        B: make_customer(db, B, name="李四").id,
        C: make_customer(db, C, unit="SH", manager="am2").id,
    }
    td = {"product_code": "TD-1Y", "rate": "1.75", "auto_renew": "N"}
    accounts = [
        account("6222000000000001", A),
        account("6222000000000002", A, **td, open_date="2025-11-02", maturity_date="2026-11-02"),
        account("6222000000000003", B),
        account("6222000000000004", B, **td, open_date="2025-11-20", maturity_date="2026-11-20"),
        account("6222000000000005", C, branch_code="SH"),
    ]
    load(db, settings, write_file(tmp_path / "a.csv", "accounts", accounts), "accounts")
    loans = [
        loan("LN00000001", A),
        loan("LN00000002", B, outstanding="10000.00", classification="SUBSTANDARD", days_overdue="95"),
    ]
    load(db, settings, write_file(tmp_path / "l.csv", "loans", loans), "loans")
    for day, amounts in (
        (MONTH_END, ("400.00", "50000.00", "5000.00", "20000.00", "1.00")),
        (DAY, ("1200.00", "50000.00", "3000.00", "20000.00", "9999.00")),
    ):
        rows = [{"account_no": f"622200000000000{i + 1}", "balance": b} for i, b in enumerate(amounts)]
        load(db, settings, write_file(tmp_path / f"b{day}.csv", "balances", rows), "balances", day=day)
    am1, am2 = user_id(db, "am1"), user_id(db, "am2")
    for customer, assignee, due, status in (
        (A, am1, date(2026, 10, 30), "OPEN"),  # due this week
        (B, None, date(2026, 11, 1), "OPEN"),  # due this week, not yet assigned, in am1's scope
        (A, am1, date(2026, 10, 20), "OPEN"),  # past due
        (B, am1, date(2026, 10, 27), "OPEN"),  # past due
        (A, None, date(2026, 10, 1), "OPEN"),  # past due, not yet assigned
        (A, am1, date(2026, 10, 29), "DONE"),  # done: counts nowhere
        (C, am2, date(2026, 10, 29), "OPEN"),  # another manager's, out of BJ
    ):
        db.add(Task(kind="MATURITY", customer_id=ids[customer], assignee_id=assignee, due_date=due, status=status))
    db.flush()
    recompute(db, DAY, settings.timezone, full=True)


def test_the_account_managers_work_card_counts_their_week_and_the_money_maturing(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # given the small bank
    given_a_small_bank(db, settings, tmp_path)
    # when am1's work card is computed on Wednesday 28 October
    work = cards.work_card(db, _principal(db, "am1"), ON_TODAY)
    # then two open tasks fall due from today to Sunday (one theirs, one unassigned in scope), three are past due
    # (one of them on Tuesday), and A's 50,000.00 matures within 7 days, A's and B's 70,000.00 within 30
    # (C is out of scope)
    assert (work.week_start, work.week_end) == (TODAY, date(2026, 11, 1))
    assert (work.due_this_week, work.overdue) == (2, 3)
    assert (work.maturing_7, work.maturing_30) == ((1, 5_000_000), (2, 7_000_000))


def test_the_portfolio_card_sums_the_book_and_its_change_since_the_last_month_end(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # given the small bank
    given_a_small_bank(db, settings, tmp_path)
    for username in ("am1", "manager"):
        # when am1 (their book) and the BJ manager (the BJ subtree) read the portfolio card
        p = cards.portfolio_card(db, _principal(db, username), ON_TODAY)
        # then both see A and B: AUM = deposits = 1,200 + 50,000 + 3,000 + 20,000; loans 80,000 + 10,000;
        # against 30 September (400 + 50,000 + 5,000 + 20,000 = 75,400.00) AUM and deposits fell 1,200.00
        assert (p.customers, p.aum, p.deposits, p.loans) == (2, 7_420_000, 7_420_000, 9_000_000), username
        assert (p.month_end, p.aum_change, p.deposits_change) == (MONTH_END, -120_000, -120_000), username


def test_the_movers_card_ranks_customers_by_their_aum_change_this_month(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # given the small bank
    given_a_small_bank(db, settings, tmp_path)
    # when am1 reads the movers card
    movers = cards.movers_card(db, _principal(db, "am1"), ON_TODAY)
    # then A rose 800.00 (to 51,200.00), B fell 2,000.00 (to 23,000.00), named in full (am1 serves them:
    # customer.name.read); C is not theirs
    assert movers.month_end == MONTH_END
    assert [(m.cif_no, m.aum, m.change) for m in movers.up] == [(A, 5_120_000, 80_000)]
    assert [(m.cif_no, m.name, m.aum, m.change) for m in movers.down] == [(B, "李四", 2_300_000, -200_000)]
    # and the product manager, who sees every customer but not their names, reads B masked
    product = cards.movers_card(db, _principal(db, "product"), ON_TODAY)
    assert [(m.cif_no, m.name) for m in product.down] == [(B, "李*")]


def test_the_loan_class_card_counts_active_loans_per_class_in_scope(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # given the small bank
    given_a_small_bank(db, settings, tmp_path)
    # when the risk manager (head office: the whole bank) reads the loan-class card
    rows = cards.loan_class_card(db, _principal(db, "risk"))
    # then each of the five classes is listed in order, A's loan normal and B's substandard
    assert [(item.code, n, total) for item, n, total in rows] == [
        ("NORMAL", 1, 8_000_000),
        ("SPECIAL_MENTION", 0, 0),
        ("SUBSTANDARD", 1, 1_000_000),
        ("DOUBTFUL", 0, 0),
        ("LOSS", 0, 0),
    ]


def test_the_products_card_sums_accounts_and_loans_per_product_in_scope(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # given the small bank
    given_a_small_bank(db, settings, tmp_path)
    # when the product manager (head office: the whole bank) and the BJ manager read the products card
    bank = cards.products_card(db, _principal(db, "product"))
    bj = cards.products_card(db, _principal(db, "manager"))
    # then per product in the catalogue's order: demand deposits of A, B and C (1,200 + 3,000 + 9,999.00),
    # the time deposits of A and B (50,000 + 20,000.00) and the consumer loans of A and B (80,000 + 10,000.00)
    assert [(h.product.code, h.currency, h.holdings, h.customers, h.balance, h.is_loan) for h in bank] == [
        ("DD-CNY", "CNY", 3, 3, 1_419_900, False),
        ("TD-1Y", "CNY", 2, 2, 7_000_000, False),
        ("PL-CONS", "CNY", 2, 2, 9_000_000, True),
    ]
    # and the BJ manager's counts leave out C (SH)
    assert [(h.product.code, h.holdings, h.customers, h.balance) for h in bj] == [
        ("DD-CNY", 2, 2, 420_000),
        ("TD-1Y", 2, 2, 7_000_000),
        ("PL-CONS", 2, 2, 9_000_000),
    ]


def test_the_product_managers_home_page_shows_holdings_by_product(
    make_client,
    db: Session,
    settings: Settings,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    # given the small bank
    given_a_small_bank(db, settings, tmp_path)
    # when the product manager opens the home page in Chinese
    client = make_client()
    client.headers["Accept-Language"] = "zh-CN"
    page = signed_in(client, "product").get("/").text
    # then the card names each product in Chinese with its figures
    assert 'data-card="products"' in page and "人民币活期存款" in page and "个人消费贷款" in page
    assert 'data-figure="balance">14,199.00 <span class="text-secondary">CNY</span>' in page


def test_the_overdue_card_counts_past_due_tasks_per_account_manager_in_the_subtree(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # given the small bank
    given_a_small_bank(db, settings, tmp_path)
    # when the BJ manager reads the overdue card
    rows = cards.overdue_card(db, _principal(db, "manager"), ON_TODAY)
    # then am1 has two open tasks past due and one past-due task is not yet assigned (am2's C is out of BJ)
    assert rows == [("李明 Li Ming", 2), (None, 1)]


def test_the_ranking_card_orders_units_and_managers_by_the_aum_of_their_customers(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # given the small bank
    given_a_small_bank(db, settings, tmp_path)
    # when head office (the risk manager's whole-bank scope) and the BJ manager read the ranking
    bank = cards.ranking_card(db, _principal(db, "risk"))
    branch = cards.ranking_card(db, _principal(db, "manager"))
    # then head office sees BJ (A and B: 74,200.00) before SH (C: 9,999.00), am1 before am2; BJ sees only its own
    assert [(u.code, n, aum) for u, n, aum in bank.units] == [("BJ", 2, 7_420_000), ("SH", 1, 999_900)]
    assert bank.managers == [("李明 Li Ming", 2, 7_420_000), ("陈静 Chen Jing", 1, 999_900)]
    assert [(u.code, n, aum) for u, n, aum in branch.units] == [("BJ", 2, 7_420_000)]
    assert branch.managers == [("李明 Li Ming", 2, 7_420_000)]


def test_the_ingest_card_lists_the_newest_runs_that_rejected_rows(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # given a clean accounts file, then one whose second row names an unknown customer
    make_customer(db, A)
    clean = load(db, settings, write_file(tmp_path / "a.csv", "accounts", [account("6222000000000001", A)]), "accounts")
    rows = [account("6222000000000002", A), account("6222000000000003", "90000000099")]
    dirty = load(db, settings, write_file(tmp_path / "b.csv", "accounts", rows), "accounts")
    # when the operations manager's rejects card is computed
    listed = ingest_runs.rejects_card(db, _principal(db, "ops"))
    # then only the second run is listed, with its 1 rejected row of 2
    assert clean.rejects == [] and len(dirty.rejects) == 1
    assert [(r.file_type, r.business_date, r.rows_in, r.rows_rejected) for r in listed] == [("accounts", DAY, 2, 1)]


def test_the_groups_card_counts_proposed_groups_and_current_circles_in_scope(db: Session) -> None:
    # given two proposed groups and an accepted one, a current and an ended guarantee circle
    core = make_customer(db, "91000000301", name="核心有限公司", kind="corporate")
    for status in ("PROPOSED", "PROPOSED", "ACCEPTED"):
        group = CorporateGroup(
            core_customer_id=core.id,
            status=status,
            fingerprint=status.rjust(64, "0"),
            shape="s" * 64,
            member_count=1,
            controller_count=0,
            loan_balance=0,
            guarantees_given=0,
            deposit_balance=0,
        )
        db.add(group)
        db.flush()
        db.add(CorporateGroupMember(group_id=group.id, customer_id=core.id, role="CORE", depth=0))
    for status in ("CURRENT", "ENDED"):
        circle = GuaranteeCircle(status=status, fingerprint=status.rjust(64, "0"), member_count=1, total_amount=0)
        db.add(circle)
        db.flush()
        db.add(GuaranteeCircleMember(circle_id=circle.id, customer_id=core.id))
    db.flush()
    # when the risk manager's groups card is computed
    figures = review_card(db, _principal(db, "risk"))
    # then two groups wait for review and one circle is current
    assert figures == {"proposed": 2, "circles": 1}


def test_the_manager_changes_card_counts_requests_waiting_for_the_maker_and_the_checker(
    client: TestClient, db: Session
) -> None:
    # given am1 asked to share a Beijing customer with am3, and nothing is decided
    given_staff(db)
    given_customers(db)
    db.commit()
    filed = ask_change(client, "am1", BJ_1, [slot(db, "am1", "primary", 7000), slot(db, "am3", "co", 3000)])
    assert filed.status_code == 202, filed.text
    # when the maker, the BJ checker and the SH checker read the card
    waiting = {u: waiting_card(db, _principal(db, u))["waiting"] for u in ("am1", "manager", "shmgr", "am2")}
    # then it waits on am1 (their own) and the BJ manager (their unit), not on Shanghai or another maker
    assert waiting == {"am1": 1, "manager": 1, "shmgr": 0, "am2": 0}


def test_the_job_runs_card_lists_the_newest_runs_with_their_step_and_outcome(db: Session) -> None:
    # given the operations manager queued the figures step, then the groups step
    ops = _principal(db, "ops")
    first, second = job_runs.queue(db, ops, "figures"), job_runs.queue(db, ops, "groups")
    # when their job-runs card is computed
    lines = latest_card(db, ops)
    # then both runs are listed newest first, labelled, queued
    assert [(line.run.id, line.label_en, line.label_zh, line.outcome) for line in lines] == [
        (second.id, "Corporate groups and guarantee circles", "识别集团客户和担保圈", "Queued"),
        (first.id, "Customers' derived figures", "客户衍生指标", "Queued"),
    ]


def test_dated_cards_are_given_the_bank_day_and_the_others_only_db_and_principal() -> None:
    # when the registry's entries are read
    taking = {c.key: list(inspect.signature(resolve(c.entry)).parameters) for c in home_cards()}
    # then exactly the day-dependent cards take the bank's day the home page passes them (no settings read inside)
    assert sorted(k for k, params in taking.items() if params == ["db", "principal", "today"]) == sorted(
        c.key for c in home_cards() if c.dated
    )
    assert sorted(c.key for c in home_cards() if c.dated) == [
        "aum-trend",
        "movers",
        "overdue",
        "portfolio",
        "retention",
        "served-today",
        "work",
    ]
    assert all(params == ["db", "principal"] for k, params in taking.items() if k not in {"aum-trend", "movers",
        "overdue", "portfolio", "retention", "served-today", "work"})  # fmt: skip


def test_the_warnings_card_counts_open_warnings_assigned_and_escalated(db: Session) -> None:
    # Given no warning in the bank
    from bankcrm.earlywarning.service.cards import warnings_card

    # Then am1 and the branch manager each have none waiting and none escalated
    assert warnings_card(db, _principal(db, "am1")) == {"mine": 0, "escalated": 0}
    assert warnings_card(db, _principal(db, "manager")) == {"mine": 0, "escalated": 0}


def test_each_role_sees_exactly_its_cards(db: Session) -> None:
    # when each demo login's visible cards are listed
    seen = {u: [c.key for c in visible_cards(_principal(db, u), home_cards())] for u in DEMO_CARDS}
    # then each role has its own set, in the registry's order
    assert seen == DEMO_CARDS


DEMO_CARDS = {
    "admin": ["job-runs", "units", "colleagues", "users", "audit"],
    "manager": [
        "portfolio",
        "aum-trend",
        "movers",
        "retention",
        "warnings",
        "overdue",
        "ranking",
        "loan-classes",
        "customers",
        "approvals",
        "manager-changes",
        "units",
        "colleagues",
        "users",
    ],
    "am1": [
        "work",
        "portfolio",
        "movers",
        "retention",
        "warnings",
        "customers",
        "approvals",
        "manager-changes",
        "units",
        "colleagues",
    ],
    "lobby": ["search", "served-today", "customers", "approvals", "units", "colleagues"],
    "teller": ["search", "served-today", "customers", "approvals", "units", "colleagues"],
    "product": ["products", "customers", "approvals", "units", "colleagues"],
    "risk": ["loan-classes", "groups", "customers", "approvals", "units", "colleagues"],
    "ops": ["ingest-rejects", "data-quality", "job-runs", "customers", "approvals", "units", "colleagues", "users"],
}


def test_the_account_managers_home_page_shows_the_cards_figures(
    make_client,
    db: Session,
    settings: Settings,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    # given the small bank
    given_a_small_bank(db, settings, tmp_path)
    # when am1 opens the home page
    page = signed_in(make_client(), "am1").get("/").text
    # then the portfolio figures are shown as money, linking to the lists behind them
    assert 'data-figure="aum">74,200.00<' in page and 'data-figure="loans">90,000.00<' in page
    assert 'href="/customers/90000000022/360"' in page and "-2,000.00" in page
    # and the work card links to the lists behind it (the page's today is after every maturity of this bank)
    assert 'data-figure="maturing-week"><a href="/maturities">0.00</a>' in page and '<a href="/tasks">' in page


def test_a_teller_gets_a_search_box_onto_the_search_page(make_client) -> None:  # type: ignore[no-untyped-def]
    # when the teller opens the home page
    page = signed_in(make_client(), "teller").get("/").text
    # then the quick-search card comes first, its form sending q to /search
    assert 'data-card="search"' in page and 'action="/search"' in page and 'name="q"' in page
    assert page.index('data-card="search"') < page.index('data-figure="customers"')
