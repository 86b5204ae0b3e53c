"""Maturities in the demo: every term ends exactly one product term after it starts; past weeks have outcomes."""

from __future__ import annotations

import csv
import re
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM_PRINCIPAL
from bankcrm.demo.core_banking import SOON
from bankcrm.holdings.service.tasks import weekly_maturities
from bankcrm.models.access import User
from bankcrm.models.audit import AuditEvent
from bankcrm.models.customer import CodeItem
from bankcrm.models.holding import Account, LoanContract
from bankcrm.models.ingest import IngestReject, IngestRun
from bankcrm.models.task import Task
from tests.demo.conftest import DemoBank, add_months

CATALOGUE = Path(__file__).resolve().parents[2] / "src/bankcrm/reference_data/catalogue/product.csv"


def _terms() -> dict[str, int]:
    with CATALOGUE.open(encoding="utf-8") as f:
        return {row["code"]: int(row["term_months"]) for row in csv.DictReader(f) if row["term_months"]}


def _rejected(db: Session) -> set[tuple[str, int]]:
    rows = db.execute(select(IngestRun.file_name, IngestReject.line_no).join(IngestRun))
    return {(name, line) for name, line in rows}


def test_every_row_of_every_file_matures_one_term_after_it_starts(demo_bank: DemoBank, demo_db: Session):
    # given the product catalogue's terms and the rows the ingest loaded
    terms, rejected = _terms(), _rejected(demo_db)
    wrong, checked = [], Counter[str]()
    # when every accounts and loans row of every file is read
    for path in sorted(demo_bank.files.glob("accounts-*.csv")) + sorted(demo_bank.files.glob("loans-*.csv")):
        with path.open(encoding="utf-8") as f:
            for line, row in enumerate(csv.DictReader(f), start=2):
                if (path.name, line) in rejected:
                    continue
                if path.name.startswith("loans"):
                    start, term = row["start_date"], int(row["term_months"])
                elif row["product_code"] in terms:
                    start, term = row["open_date"], terms[row["product_code"]]
                else:
                    assert row["maturity_date"] == "", (path.name, line)  # no term, no maturity
                    continue
                checked[path.name.split("-")[0]] += 1
                if row["maturity_date"] != add_months(date.fromisoformat(start), term).isoformat():
                    wrong.append((path.name, line, row["maturity_date"], start, term))
    # then each maturity is the start plus the term, to the day
    assert wrong == []
    assert checked["accounts"] > 1000 and checked["loans"] > 300


def test_every_account_and_loan_in_the_database_matures_one_term_after_it_starts(demo_db: Session, demo_today: date):
    # given the catalogue's terms; when every account with a term and every loan is read back
    terms = _terms()
    accounts = demo_db.execute(select(Account.product_code, Account.open_date, Account.maturity_date)).all()
    termed = [a for a in accounts if a.product_code in terms]
    loans = demo_db.execute(select(LoanContract.start_date, LoanContract.term_months, LoanContract.maturity_date)).all()
    # then the maturity is the open (start) date plus the product's (contract's) term, and nothing else has one
    assert [a for a in termed if a.maturity_date != add_months(a.open_date, terms[a.product_code])] == []
    assert [a for a in accounts if a.product_code not in terms and a.maturity_date is not None] == []
    assert [ln for ln in loans if ln.maturity_date != add_months(ln.start_date, ln.term_months)] == []
    # and the near maturities staged for the coming month are among them
    soon = [a for a in termed if demo_today < a.maturity_date <= demo_today + timedelta(days=30)]
    assert len(soon) >= len(SOON)


def test_past_maturities_were_followed_up_by_their_account_managers_with_outcomes(
    demo_bank: DemoBank, demo_db: Session, demo_today: date
):
    # given the outcome code table, the auto-renewed accounts and the account managers
    codes = set(demo_db.scalars(select(CodeItem.code).where(CodeItem.category == "maturity_outcome")))
    renewing = set(demo_db.scalars(select(Account.id).where(Account.auto_renew.is_(True))))
    managers = dict(demo_db.execute(select(User.id, User.username).where(User.username.in_(("am1", "am2")))).all())
    # when the maturity follow-ups of maturities before today are read
    past = list(demo_db.scalars(select(Task).where(Task.kind == "MATURITY", Task.maturity_date < demo_today)))
    done = [t for t in past if t.status == "DONE"]
    # then each one with an account manager was done by that manager, with an outcome from the code table
    assert sorted(t.id for t in done) == sorted(t.id for t in past if t.assignee_id is not None)
    assert all(t.completed_by == t.assignee_id and t.completed_by in managers for t in done)
    assert {t.outcome for t in done} <= codes and len({t.outcome for t in done}) >= 3
    for t in done:
        due, kept = t.amount_due or 0, t.amount_kept
        if t.holding_kind == "account" and t.holding_id in renewing:
            assert (t.outcome, kept) == ("RENEWED", due), t.id
        assert kept == 0 if t.outcome in ("WITHDRAWN", "OTHER_BANK") else 0 < kept <= due, t.id
    # and each was recorded through the service: one audited completion per task, by its manager
    events = demo_db.execute(
        select(AuditEvent.entity_id, AuditEvent.actor_username).where(AuditEvent.action == "task.completed")
    ).all()
    assert sorted(events) == sorted((str(t.id), managers[t.assignee_id]) for t in done)
    match = re.search(r"(\d+) maturity follow-ups recorded", demo_bank.output)
    assert match and int(match.group(1)) == len(done) > 0


def test_each_of_the_maturities_pages_past_weeks_has_outcomes(demo_db: Session, demo_today: date):
    # given the demo bank, when the weekly maturity figures are computed as the maturities page does
    weeks = weekly_maturities(demo_db, SYSTEM_PRINCIPAL, demo_today)
    monday = demo_today - timedelta(days=demo_today.weekday())
    # then each of the 8 weeks before this one has follow-ups done, with a share kept to show
    past = [w for w in weeks if w.week_start < monday]
    assert len(past) == 8
    assert [(w.week_start, w.done > 0, w.retained_share is not None) for w in past] == [
        (monday - timedelta(weeks=8 - i), True, True) for i in range(8)
    ]
