"""The demo delivers joint accounts of couples and signatories of companies through the account_parties file."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.holdings import repository
from bankcrm.models.customer import Customer
from bankcrm.models.holding import Account, AccountParty
from bankcrm.models.ingest import IngestRun
from bankcrm.models.relationship import CustomerLink
from tests.demo.conftest import DemoBank


def test_couples_hold_joint_accounts_and_companies_have_signatories(
    demo_bank: DemoBank, demo_db: Session, demo_today: date
) -> None:
    # given the built demo bank
    kind = {c.id: c.kind for c in demo_db.scalars(select(Customer))}
    owner = {a.id: a.customer_id for a in demo_db.scalars(select(Account))}
    rows = list(demo_db.scalars(select(AccountParty)))
    # then the file loaded every row it delivered, as many as the build said
    match = re.search(r"(\d+) joint holders and signatories", demo_bank.output)
    assert match is not None and int(match.group(1)) == len(rows) > 0
    runs = demo_db.scalars(select(IngestRun).where(IngestRun.file_name.like("account_parties-%"))).all()
    assert [(r.rows_loaded, r.rows_rejected) for r in runs] == [(len(rows), 0)]
    # and each joint holder is the spouse of the account's owner; each signatory or attorney an individual
    # on a company's account
    spouses = {
        frozenset((lk.from_customer_id, lk.to_customer_id))
        for lk in demo_db.scalars(select(CustomerLink).where(CustomerLink.link_type == "SPOUSE"))
    }
    joint = [r for r in rows if r.role == "JOINT"]
    signing = [r for r in rows if r.role in ("AUTHORISED", "POA")]
    assert 0 < len(joint) <= len(spouses) and len(signing) > 0 and len(joint) + len(signing) == len(rows)
    assert all(frozenset((owner[r.account_id], r.customer_id)) in spouses for r in joint)
    assert all(kind[owner[r.account_id]] == "corporate" and kind[r.customer_id] == "individual" for r in signing)
    # and a joint holder's 360° view lists the account as theirs to see
    listed = repository.party_accounts(demo_db, joint[0].customer_id, demo_today)
    assert [(p.role, a.id) for p, a, _ in listed] == [("JOINT", joint[0].account_id)]
