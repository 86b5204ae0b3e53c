"""schemathesis over /api/v1 with every one of its checks, on each backend, seeded so that a run repeats."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from bankcrm.app import create_app
from bankcrm.config import Settings
from tests.conftest import token_for

SPEC = "/api/v1/openapi.json"
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20240611,
        # All phases (examples, coverage, fuzzing; stateful in test_api_workflows_conform), all checks,
        # positive and negative data.
        "generation": {"max-examples": 10, "deterministic": True, "mode": "all"},
        "checks": {
            # Business rules (an unknown unit, a role outside the catalogue, the password policy) rightly answer
            # 422 to data the schema alone allows; the agrees_with_the_validator check keeps the schema honest.
            "positive_data_acceptance": {"expected-statuses": ["2xx", "401", "403", "404", "409", "422"]},
        },
    }
)
# The schema and its operations are read once, from an app that never touches its database.
schema = schemathesis.openapi.from_asgi(
    SPEC, create_app(Settings(mode="test", database_url="sqlite://")), config=CONFIG
)


def caller(label: str) -> str:
    """The widest caller for the operation, so fuzzing reaches the rules behind the permission checks."""
    # The operations manager enters, approves and unmasks customers; the administrator does the rest.
    return "ops" if "/customers" in label or "/change-requests" in label else "admin"


@pytest.fixture
def schema_rejections(app: FastAPI) -> list[str]:
    """Paths whose request failed FastAPI's own validation against the published schema."""
    rejected: list[str] = []
    handler = app.exception_handlers[RequestValidationError]

    def recording(request: Request, exc: Exception) -> Any:
        rejected.append(request.url.path)
        return handler(request, exc)

    app.exception_handlers[RequestValidationError] = recording
    return rejected


def agrees_with_the_validator(rejected: list[str]) -> Callable[..., None]:
    """A check: data schemathesis generated as schema-valid is never refused by request validation."""

    def schema_valid_data_passes_request_validation(ctx: Any, response: Any, case: Any) -> None:
        if case.meta is not None and case.meta.generation.mode.is_positive and rejected:
            path = rejected[-1]
            rejected.clear()
            raise AssertionError(f"schema-valid request refused by request validation at {path}: {response.text}")
        rejected.clear()

    return schema_valid_data_passes_request_validation


def test_every_api_operation_is_fuzzed():
    # given every JSON route the registry mounts under /api/v1 (the schema's own route aside)
    app = create_app(Settings(mode="test", database_url="sqlite://"))
    mounted = {
        (method, context.path)
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute)
        and context.path.startswith("/api/v1")
        and context.original_route.include_in_schema
        for method in context.methods
    }
    # then the fuzzer's operations are exactly those
    fuzzed = {(op.ok().method.upper(), op.ok().path) for op in schema.get_all_operations()}
    assert fuzzed == mounted
    assert len(fuzzed) == 128


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_api_operation_conforms_to_its_schema(case, app, client: TestClient, schema_rejections, tokens):
    # given the widest caller; when schemathesis sends examples, boundary (coverage) and fuzzed, valid and
    # invalid requests; then every check holds: no 5xx, documented statuses, content types, headers and bodies,
    # invalid data refused, valid data never refused by the schema, Allow on 405, 401 without credentials, ...
    case.call_and_validate(
        app=app,
        headers=tokens(caller(case.operation.label)),
        additional_checks=[agrees_with_the_validator(schema_rejections)],
    )


def test_api_workflows_conform(app, tokens):
    # given the links schemathesis infers (a created or listed id fed to the operations on it); when it chains
    # calls; then every check holds, with the stateful ones: a deleted resource stays gone (use_after_free),
    # a created one can be read (ensure_resource_availability)
    reached: set[str] = set()

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            reached.add(case.operation.label)
            return {"app": app, "headers": tokens(caller(case.operation.label))}

    run_state_machine_as_test(
        Workflow,
        settings=settings(
            max_examples=25,
            stateful_step_count=6,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        ),
    )
    # and the chains really ran, across operations (not one call that ended every scenario)
    assert len(reached) > 5


@pytest.fixture
def tokens(client: TestClient) -> Callable[[str], dict[str, str]]:
    """One bearer token per user for the test (signing in costs a password hash)."""
    cache: dict[str, dict[str, str]] = {}

    def token(username: str) -> dict[str, str]:
        if username not in cache:
            cache[username] = token_for(client, username)
        return cache[username]

    return token
