"""Many staff at once: real threads against a real engine with committed data (no rolled-back test transaction)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import sessionmaker

from bankcrm.models.access import User
from bankcrm.models.audit import AuditEvent
from tests.conftest import PG_URL, live_database, login, token_for
from tests.factories import approved, individual, resident_id

BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]


@pytest.fixture(scope="module", params=BACKENDS)
def live_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of its own whose writes really commit (threads share it as a branch's staff would)."""
    yield from live_database(request, tmp_path_factory, "live")


def _count(engine: Engine, *where: Any) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(AuditEvent).where(*where)).scalar_one()


def _in_threads(n: int, work: Callable[[int], Any]) -> list[Any]:
    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(work, range(n)))


def test_account_managers_editing_their_own_customers_at_once_all_succeed(live_client, live_engine):
    # given four customers of am1's, created through maker-checker
    client = live_client()
    with live_engine.connect() as conn, sessionmaker(bind=conn)() as db:
        data = [
            individual(db, name=f"并发客户{i}", id_no=resident_id(seq=f"{2 * i + 301:03d}"), phones=[])
            for i in range(4)
        ]
    cifs = [approved(client, None, d) for d in data]  # type: ignore[arg-type]
    headers = [token_for(live_client(), "am1") for _ in range(4)]

    # when four threads each change their own customer ten times
    def edit(i: int) -> list[int]:
        mine = live_client()
        return [
            mine.patch(
                f"/api/v1/customers/{cifs[i]}", json={"employer": f"单位{i}-{n}"}, headers=headers[i]
            ).status_code
            for n in range(10)
        ]

    codes = _in_threads(4, edit)

    # then all forty edits succeed and each customer holds its last value
    assert codes == [[200] * 10] * 4
    for i, cif in enumerate(cifs):
        read = client.get(f"/api/v1/customers/{cif}", headers=headers[i])
        assert read.json()["profile"]["employer"] == f"单位{i}-9"


def test_out_of_scope_reads_at_once_all_answer_404_and_every_denial_is_audited(live_client, live_engine):
    # given a customer of am1's in Beijing, and am2 in Shanghai who may not see it
    client = live_client()
    with live_engine.connect() as conn, sessionmaker(bind=conn)() as db:
        data = individual(db, name="北京客户", id_no=resident_id(seq="777"), phones=[])
    cif = approved(client, None, data)  # type: ignore[arg-type]
    headers = token_for(live_client(), "am2")
    before = _count(live_engine, AuditEvent.action == "authz.out_of_scope")

    # when eight threads read it twenty times each
    def read(_: int) -> list[int]:
        mine = live_client()
        return [mine.get(f"/api/v1/customers/{cif}", headers=headers).status_code for _ in range(20)]

    codes = _in_threads(8, read)

    # then every one of the 160 answers is 404, and 160 denials are on the audit chain
    assert codes == [[404] * 20] * 8
    assert _count(live_engine, AuditEvent.action == "authz.out_of_scope") == before + 160


def test_parallel_wrong_passwords_each_count_and_lock_at_the_fifth(live_client, live_engine):
    # given teller, who has not failed to sign in
    before = _count(live_engine, AuditEvent.action == "auth.login", AuditEvent.actor_username == "teller")

    # when twelve wrong passwords arrive at once
    codes = _in_threads(12, lambda _: login(live_client(), "teller", "wrong-password").status_code)

    # then all are refused alike; five counted and locked the account, seven met the lock; all twelve audited
    assert codes == [401] * 12
    details = _failure_details(live_engine, "teller")[-12:]
    assert sorted(details) == sorted(
        ["wrong password"] * 4 + ["wrong password; locked for 15 min"] + ["account locked"] * 7
    )
    assert _count(live_engine, AuditEvent.action == "auth.login", AuditEvent.actor_username == "teller") == before + 12
    with live_engine.connect() as conn:
        locked_until, failures = conn.execute(
            select(User.locked_until, User.failed_logins).where(User.username == "teller")
        ).one()
    assert locked_until is not None and failures == 0

    # and the right password does not sign in while the account is locked
    assert login(live_client(), "teller").status_code == 401


def test_right_password_racing_wrong_ones_never_signs_in_after_the_lock(live_client, live_engine):
    # given product, who has not failed to sign in; when 9 wrong passwords and then the right one race in 10 threads
    def attempt(i: int) -> int:
        return login(live_client(), "product", "demo1234" if i == 9 else "wrong-password").status_code

    codes = _in_threads(10, attempt)

    # then the right one either came before the fifth failure (303) or was refused; never a sign-in after the lock
    signed = [e for e in _login_events(live_engine, "product") if e[0] == "success"]
    locked_at = next(i for i, e in enumerate(_login_events(live_engine, "product")) if "locked for" in (e[1] or ""))
    assert codes.count(303) == len(signed) <= 1
    assert all(i < locked_at for i, e in enumerate(_login_events(live_engine, "product")) if e[0] == "success")


def _login_events(engine: Engine, username: str) -> list[tuple[str, str | None]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(AuditEvent.outcome, AuditEvent.detail)
            .where(AuditEvent.action == "auth.login", AuditEvent.actor_username == username)
            .order_by(AuditEvent.seq)
        )
        return [(r.outcome, r.detail) for r in rows]


def _failure_details(engine: Engine, username: str) -> list[str]:
    return [d or "" for o, d in _login_events(engine, username) if o == "failure"]
