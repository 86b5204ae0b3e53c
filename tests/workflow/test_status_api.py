"""The API's status filters take exactly the workflows' states, and the OpenAPI lists them."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from bankcrm.workflow import catalogue
from tests.conftest import token_for

FILTERS = {
    "/api/v1/change-requests": ("change_request", "ChangeRequestStatus"),
    "/api/v1/assignment-requests": ("assignment_request", "AssignmentRequestStatus"),
    "/api/v1/tasks": ("task", "TaskStatus"),
}


def test_the_openapi_lists_each_filters_states_from_the_catalogue(client: TestClient) -> None:
    # Given the published OpenAPI and the shipped catalogue
    spec = client.app.openapi()  # type: ignore[attr-defined]
    shipped = catalogue.load()

    # Then each status filter names its workflow's enum, and the enum lists the workflow's states in order
    for path, (workflow, enum) in FILTERS.items():
        (status,) = [p for p in spec["paths"][path]["get"]["parameters"] if p["name"] == "status"]
        assert status["schema"]["anyOf"][0] == {"$ref": f"#/components/schemas/{enum}"}
        assert spec["components"]["schemas"][enum]["enum"] == list(shipped.codes(workflow))


@pytest.mark.parametrize(
    ("path", "username"),
    [("/api/v1/change-requests", "manager"), ("/api/v1/assignment-requests", "manager"), ("/api/v1/tasks", "am1")],
)
def test_a_status_outside_the_workflow_is_refused_naming_the_field(
    client: TestClient, path: str, username: str
) -> None:
    # When a status the workflow does not have is asked for
    response = client.get(f"{path}?status=closed", headers=token_for(client, username))

    # Then it is a 422 naming the status parameter
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["status"]
