"""Migration 0008 gives every customer with an account manager one primary assignment (100 %) from its creation date."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from bankcrm.db import make_engine
from bankcrm.migrate import upgrade
from tests.conftest import BACKENDS, PG_URL, _drop_postgres, _fresh_postgres


@pytest.fixture(params=BACKENDS)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'backfill.db'}"
    assert PG_URL is not None
    url = _fresh_postgres(PG_URL, "_backfill")  # not the session database of this process
    request.addfinalizer(lambda: _drop_postgres(url))
    return url


def test_customers_with_a_manager_get_one_open_primary_assignment(empty_url: str) -> None:
    upgrade(empty_url, revision="0007")
    engine = make_engine(empty_url)
    created = datetime(2025, 3, 4, 23, 30, tzinfo=UTC)
    with engine.begin() as conn:
        unit = conn.execute(text("SELECT id FROM org_unit")).scalar_one()
        conn.execute(
            text(
                "INSERT INTO app_user (id, username, display_name, org_unit_id, password_hash, active, failed_logins, "
                "password_changed_at, created_at) VALUES (7, 'am1', 'am1', :u, 'x', :t, 0, :c, :c)"
            ),
            {"u": unit, "c": created, "t": True},
        )
        for cif_no, manager in (("10000000001", 7), ("10000000002", None)):
            conn.execute(
                text(
                    "INSERT INTO customer (cif_no, kind, status, name, name_pinyin, name_initials, home_unit_id, "
                    "account_manager_id, created_at, updated_at) "
                    "VALUES (:n, 'individual', 'ACTIVE', '张三', 'zhangsan', 'zs', :u, :m, :c, :c)"
                ),
                {"n": cif_no, "u": unit, "m": manager, "c": created},
            )

    upgrade(empty_url)

    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT c.cif_no, a.manager_id, a.role, a.share_bp, a.valid_from, a.valid_to, a.request_id "
                "FROM manager_assignment a JOIN customer c ON c.id = a.customer_id"
            )
        ).all()
        granted = conn.execute(
            text(
                "SELECT r.code, p.permission_code FROM role_permission p JOIN role r ON r.id = p.role_id "
                "WHERE p.permission_code LIKE 'assignment.%' ORDER BY r.code, p.permission_code"
            )
        ).all()
    engine.dispose()
    assert [(r[0], r[1], r[2], r[3], str(r[4]), r[5], r[6]) for r in rows] == [
        ("10000000001", 7, "primary", 10000, str(date(2025, 3, 4)), None, None)
    ]
    assert [tuple(g) for g in granted] == [
        ("account_manager", "assignment.request"),
        ("management", "assignment.approve"),
        ("management", "assignment.request"),
    ]
