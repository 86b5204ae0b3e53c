"""The board's running totals per (unit, owner, stage) equal a recount of the opportunities after every kind of
write — open, move, probability change, lost, won, a confirmed proposed win, a lead's conversion — and after many
writers at once (real threads, committed data)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.access.service.auth import principal_for
from bankcrm.models.access import User
from bankcrm.sales import repository
from bankcrm.sales.service import opportunities, wins
from tests.conftest import PG_URL, live_database, token_for
from tests.factories import make_customer
from tests.sales.helpers import given_an_account

BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]
CIFS = [f"9100000040{i}" for i in range(4)]


def _open(client: TestClient, headers: dict[str, str], cif_no: str, amount: int) -> int:
    body = {"cif_no": cif_no, "product_code": "TD-3M", "amount": amount, "expected_close": "2027-01-31"}
    r = client.post("/api/v1/opportunities", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()["id"]  # type: ignore[no-any-return]


def _move(client: TestClient, headers: dict[str, str], oid: int, **body: object) -> None:
    r = client.patch(f"/api/v1/opportunities/{oid}", json=body, headers=headers)
    assert r.status_code == 200, r.text


def test_the_totals_equal_a_recount_after_a_mix_of_writes(client: TestClient, db: Session) -> None:
    # Given Beijing customers of am1 and a Shanghai customer of am2
    for cif in CIFS[:3]:
        make_customer(db, cif)
    make_customer(db, CIFS[3], unit="SH", manager="am2")
    db.commit()
    am1, am2 = token_for(client, "am1"), token_for(client, "am2")
    # When they open, move, re-weight, lose, win opportunities, a holding proposes a win that am1 confirms,
    # and a lead converts into one
    a = _open(client, am1, CIFS[0], 10_000_000)
    b = _open(client, am1, CIFS[1], 20_000_000)
    c = _open(client, am1, CIFS[2], 30_000_003)
    d = _open(client, am2, CIFS[3], 40_000_000)
    _move(client, am1, a, stage="PROPOSAL")
    _move(client, am1, a, stage="PROPOSAL", probability_pct=55)
    _move(client, am1, b, stage="LOST", lost_reason="PRICE", competitor="CMB")
    _move(client, am1, c, stage="SIGNING")
    _move(client, am1, c, stage="WON", won_amount=29_000_000)
    _move(client, am2, d, stage="CONTACT", probability_pct=33)
    customer = make_customer(db, "91000000499")
    e = _open(client, am1, "91000000499", 5_000_000)
    given_an_account(db, customer, "TD-3M", 6_000_000, date(2099, 1, 2))
    wins.propose(db, today=date(2099, 1, 2))
    user = db.scalars(select(User).where(User.username == "am1")).one()
    opportunities.confirm_win(db, principal_for(user), e, today=date(2099, 1, 3), locale="en")
    opportunities.open_for_lead(db, user, customer.id, "TD-6M", 7_000_000, lead_id=1)
    db.flush()
    # Then the running totals are the recount, and the board's columns add them up (am1's own, the branch's)
    assert repository.running_totals(db) == repository.counted_totals(db)
    manager = principal_for(db.scalars(select(User).where(User.username == "manager")).one())
    board = opportunities.board(db, manager, None, "en")
    got = {c.stage: (c.count, c.amount) for c in board.columns if c.count}
    assert got == {
        "IDENTIFY": (1, 7_000_000),
        "PROPOSAL": (1, 10_000_000),
        "LOST": (1, 20_000_000),
        "WON": (2, 35_000_003),
    }
    assert board.weighted_pipeline == (7_000_000 * 10 + 50) // 100 + (10_000_000 * 55 + 50) // 100


@pytest.fixture(scope="module", params=BACKENDS)
def live_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of its own whose writes really commit, with four Beijing customers of am1."""

    def prepare(db: Session) -> None:
        for cif in CIFS:
            make_customer(db, cif)

    yield from live_database(request, tmp_path_factory, "totals", prepare)


def test_the_totals_equal_a_recount_after_writers_at_once(live_client, live_engine) -> None:  # type: ignore[no-untyped-def]
    # Given twelve open opportunities of am1 on four customers
    client = live_client()
    am1 = token_for(client, "am1")
    ids = [_open(client, am1, CIFS[i % 4], 1_000_000 * (i + 1)) for i in range(12)]
    stages = ["CONTACT", "PROPOSAL", "SIGNING", "PROPOSAL", "CONTACT"]

    # When four threads each move three of them through the same stages at once, one thread opening more
    def work(t: int) -> list[int]:
        mine, headers = live_client(), token_for(live_client(), "am1")
        codes = []
        for step in stages:
            for oid in ids[t::4]:
                r = mine.patch(f"/api/v1/opportunities/{oid}", json={"stage": step}, headers=headers)
                codes.append(r.status_code)
        if t == 0:
            codes.append(201 if _open(mine, headers, CIFS[0], 999) else 0)
        return codes

    with ThreadPoolExecutor(max_workers=4) as pool:
        codes = [c for cs in pool.map(work, range(4)) for c in cs]
    # Then every write succeeded and the running totals are the recount: the twelve in CONTACT, the new one first
    assert sorted(set(codes)) == [200, 201]
    with Session(live_engine) as db:
        running, counted = repository.running_totals(db), repository.counted_totals(db)
    assert running == counted
    assert {k[2]: v[0] for k, v in running.items()} == {"CONTACT": 12, "IDENTIFY": 1}
