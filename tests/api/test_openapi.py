"""The published OpenAPI document: complete, self-contained, and honest about errors, methods and codes."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bankcrm.app import create_app
from bankcrm.config import Settings
from tests.conftest import signed_in, token_for

SPEC = "/api/v1/openapi.json"
REFERENCE = Path(__file__).resolve().parents[2] / "src" / "bankcrm" / "reference_data"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    """The document as an offline app serves it (no database is touched)."""
    app = create_app(Settings(mode="test", database_url="sqlite://"))
    response = TestClient(app).get(SPEC)
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def refs(node: object) -> Iterator[str]:
    """Every $ref value anywhere below node."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs(item)


def operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(method, path, operation) for every operation of the document."""
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method, path, operation


def codes(category: str) -> list[str]:
    """The codes of a shipped code table, in file order."""
    with (REFERENCE / f"{category}.csv").open(encoding="utf-8", newline="") as fh:
        return [row["code"] for row in csv.DictReader(fh)]


def test_every_ref_points_at_a_defined_component(spec):
    # given the document; when every $ref is followed
    schemas = spec["components"]["schemas"]
    dangling = sorted({ref for ref in refs(spec) if ref.removeprefix("#/components/schemas/") not in schemas})
    # then none is dangling, and all are local component references
    assert dangling == []
    assert {ref for ref in refs(spec) if not ref.startswith("#/components/schemas/")} == set()


def test_problem_and_problem_field_are_components(spec):
    schemas = spec["components"]["schemas"]
    assert schemas["ProblemField"]["required"] == ["field", "message"]
    assert schemas["Problem"]["required"] == ["type", "title", "status", "detail", "instance"]
    assert schemas["Problem"]["properties"]["errors"]["items"] == {"$ref": "#/components/schemas/ProblemField"}
    # nothing is inlined: no component carries its own $defs
    assert [name for name, schema in schemas.items() if "$defs" in schema] == []


def test_every_api_operation_documents_its_errors_as_problems(spec):
    # given each operation; then its errors (and 503, the database away) are problem+json, 400/413 where a body is read
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for method, path, operation in operations(spec):
        expected = {"401", "403", "404", "409", "422", "503"} | (
            {"400", "413"} if "requestBody" in operation else set()
        )
        errors = {status for status in operation["responses"] if status[0] in "45"}
        assert errors == expected, (method, path)
        for status in errors:
            assert operation["responses"][status]["content"] == problem, (method, path, status)
        assert operation["responses"]["401"]["headers"]["WWW-Authenticate"]["schema"] == {"type": "string"}


def test_fixed_code_tables_are_enums_and_extensible_ones_are_patterns(spec):
    schemas = spec["components"]["schemas"]
    individual = schemas["IndividualCreate"]["properties"]
    # fixed by a national standard or by the application's rules: the shipped codes, exactly
    assert individual["ethnicity"]["anyOf"][0]["enum"] == codes("ethnicity")
    assert individual["id_type"]["enum"] == codes("id_type")
    assert individual["occupation"]["anyOf"][0]["enum"] == codes("occupation")
    assert individual["marital_status"]["anyOf"][0]["enum"] == codes("marital_status")
    assert individual["education"]["anyOf"][0]["enum"] == codes("education")
    assert individual["industry"]["anyOf"][0]["enum"] == codes("industry")
    # ... but a status only a merge sets: readable, never given
    assert individual["status"]["enum"] == [c for c in codes("customer_status") if c != "MERGED"]
    assert schemas["CorporateCreate"]["properties"]["enterprise_size"]["anyOf"][0]["enum"] == codes("enterprise_size")
    assert schemas["LinkCreate"]["properties"]["link_type"]["enum"] == codes("link_type")
    outcomes = codes("maturity_outcome") + codes("followup_outcome")
    assert schemas["TaskOutcome"]["properties"]["outcome"]["enum"] == outcomes
    assert schemas["CustomerSummary"]["properties"]["status"]["enum"] == codes("customer_status")
    # a bank may add its own codes as data: a documented pattern, no enum
    channel = individual["source_channel"]["anyOf"][0]
    assert channel == {
        "type": "string",
        "pattern": "^[A-Z0-9_]{1,40}$",
        "description": "A code of the `source_channel` code table (a bank may add its own codes)",
    }


def test_api_405_names_every_method_of_the_path(client):
    # given a path with GET and POST; when it is asked with DELETE
    response = client.delete("/api/v1/users")
    # then 405 as a problem, with Allow listing both routes' methods (FastAPI routes take no HEAD)
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["allow"] == "GET, POST"
    assert response.json()["status"] == 405


def test_api_405_on_a_single_method_path(client):
    response = client.put("/api/v1/me", headers=token_for(client, "admin"))
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"


def test_html_405_carries_allow_too(client):
    # given a signed-in browser; when a page is asked with a method it does not take
    signed_in(client, "admin")
    response = client.put("/admin/users")
    # then the error page says 405 and names the methods the page takes
    assert response.status_code == 405
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["allow"] == "GET"


def test_a_concrete_path_is_not_taken_for_a_template(client):
    # given /customers/individual (POST) beside /customers/{cif_no} (GET, PATCH); when PATCH hits the concrete path
    response = client.patch("/api/v1/customers/individual", headers=token_for(client, "ops"), json={})
    # then 405 naming the concrete path's method, as the document reads, not a 422 about a CIF number
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    # and a real template match still validates as before
    bad = client.patch("/api/v1/customers/abc", headers=token_for(client, "ops"), json={})
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["cif_no"]
