"""The API's error responses, documented once for every operation, with their schemas as components."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from bankcrm.web.errors import Problem

COMPONENTS = "#/components/schemas/{model}"
PROBLEM_CONTENT = {"application/problem+json": {"schema": {"$ref": COMPONENTS.format(model="Problem")}}}
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _problem(description: str, **extra: Any) -> dict[str, Any]:
    return {"description": description, "content": PROBLEM_CONTENT, **extra}


# Every API operation can answer these (app.py passes them to each API router).
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _problem(
        "No valid bearer token, or wrong credentials",
        headers={"WWW-Authenticate": {"description": "`Bearer`", "schema": {"type": "string"}}},
    ),
    403: _problem("The caller lacks the permission"),
    404: _problem("Not found, or outside the caller's data scope"),
    409: _problem("Conflicts with existing data"),
    422: _problem("Invalid input; `errors` names each field"),
    503: _problem(
        "The database is unavailable (restart, failover); retry after Retry-After seconds",
        headers={"Retry-After": {"description": "Seconds to wait", "schema": {"type": "string"}}},
    ),
}
# Only an operation that reads a request body can answer these.
BODY_PROBLEM_RESPONSES: dict[str, dict[str, Any]] = {
    "400": _problem("The body could not be parsed (not JSON, not UTF-8, a broken form)"),
    "413": _problem("The body is larger than the server accepts"),
}


def problem_components() -> dict[str, Any]:
    """Problem and the models it refers to, as OpenAPI component schemas."""
    schema = Problem.model_json_schema(ref_template=COMPONENTS)
    nested: dict[str, Any] = schema.pop("$defs", {})
    return {"Problem": schema, **nested}


def complete(document: dict[str, Any]) -> dict[str, Any]:
    """Add the problem components and the body errors to a generated document (in place)."""
    document.setdefault("components", {}).setdefault("schemas", {}).update(problem_components())
    for item in document.get("paths", {}).values():
        for method, operation in item.items():
            if method in METHODS and "requestBody" in operation:
                for status, response in BODY_PROBLEM_RESPONSES.items():
                    operation["responses"].setdefault(status, response)
    return document


def install(app: FastAPI) -> None:
    """Make the app's OpenAPI document carry the problem schemas and body errors."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
