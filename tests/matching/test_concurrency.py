"""Two checkers approving one merge at once, with real threads and committed data: one merge, one refusal."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from bankcrm.app import create_app
from bankcrm.config import Settings
from bankcrm.db import make_engine, session_scope
from bankcrm.models.matching import CustomerAlias, CustomerMerge
from tests.conftest import PG_URL, live_database, token_for
from tests.factories import make_user
from tests.matching.plant import plant_pair

BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]


@pytest.fixture(scope="module", params=BACKENDS)
def live_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of its own whose writes really commit, with a second manager to approve."""
    yield from live_database(
        request, tmp_path_factory, "merge", lambda db: make_user(db, "manager2", "BJ", "management")
    )


def test_two_checkers_approving_one_merge_at_once_merge_it_once(live_url: str) -> None:
    # given a pair proposed for merging by ops
    engine = make_engine(live_url)
    with session_scope(sessionmaker(bind=engine)) as db:
        review_id = plant_pair(db, "7720010").review.id
    app = create_app(Settings(mode="test", database_url=live_url), engine)
    client = TestClient(app, raise_server_exceptions=False)
    proposed = client.post(
        f"/api/v1/match-reviews/{review_id}/decision",
        json={"decision": "merge", "survivor": "77200100001"},
        headers=token_for(client, "ops"),
    )
    assert proposed.status_code == 200, proposed.text
    headers = [token_for(client, "manager"), token_for(client, "manager2")]

    def approve(i: int) -> int:
        response = TestClient(app, raise_server_exceptions=False).post(
            f"/api/v1/match-reviews/{review_id}/decision", json={"decision": "approve"}, headers=headers[i]
        )
        return response.status_code

    # when both managers approve at the same moment
    with ThreadPoolExecutor(max_workers=2) as pool:
        codes = sorted(pool.map(approve, range(2)))
    # then one merge happened and the other was told it is decided
    assert codes[0] == 200
    assert codes[1] in (409, 503)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(CustomerMerge)).scalar_one() == 1
        assert conn.execute(select(func.count()).select_from(CustomerAlias)).scalar_one() == 1
    engine.dispose()
