"""Migration 0013: the workflow tables appear and are filled at upgrade; group statuses leave the code tables."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, text

from bankcrm.db import make_engine
from bankcrm.migrate import alembic_config, upgrade
from tests.conftest import BACKENDS, PG_URL, _drop_postgres, _fresh_postgres


@pytest.fixture(params=BACKENDS)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'workflow.db'}"
    assert PG_URL is not None
    url = _fresh_postgres(PG_URL, "_wf")
    request.addfinalizer(lambda: _drop_postgres(url))
    return url


def test_upgrade_moves_group_statuses_to_the_workflow_tables_and_downgrade_drops_them(empty_url: str) -> None:
    # Given a database at 0012 holding the old group_status code rows beside another code table's row
    upgrade(empty_url, revision="0012")
    engine = make_engine(empty_url)
    with engine.begin() as conn:
        for category, code in (("group_status", "PROPOSED"), ("group_status", "ACCEPTED"), ("bank_own", "KEPT")):
            conn.execute(
                text(
                    "INSERT INTO code_item (category, code, parent_code, label_en, label_zh, sort_order) "
                    "VALUES (:c, :k, NULL, 'x', 'x', 10)"
                ),
                {"c": category, "k": code},
            )

    # When it is upgraded to head
    upgrade(empty_url)

    # Then the group statuses are gone from code_item, the other row stays, and the workflow tables are filled
    with engine.connect() as conn:
        codes = conn.execute(
            text("SELECT category, code FROM code_item WHERE category IN ('group_status', 'bank_own')")
        )
        assert sorted(codes) == [("bank_own", "KEPT")]
        per_workflow = conn.execute(
            text("SELECT workflow, COUNT(*) FROM workflow_state GROUP BY workflow ORDER BY workflow")
        ).all()
        assert per_workflow == [
            ("assignment_request", 3),
            ("change_request", 3),
            ("corporate_group", 5),
            ("lead", 6),
            ("match_review", 6),
            ("pricing_change", 3),
            ("task", 2),
        ]
        assert conn.execute(text("SELECT COUNT(*) FROM workflow_transition")).scalar_one() == 28
        assert conn.execute(text("SELECT COUNT(*) FROM status_history")).scalar_one() == 0

    # When it is downgraded to 0012
    command.downgrade(alembic_config(empty_url), "0012")

    # Then the three tables are gone
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert tables & {"workflow_state", "workflow_transition", "status_history"} == set()
