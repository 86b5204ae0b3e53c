"""The module registry against the code: every route, code table and checked permission has exactly one owner."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts

from bankcrm import modules
from bankcrm.kit.module import Module

SRC = Path(modules.__file__).parent
CAN = re.compile(r"""\.can\(\s*["']([a-z_.]+)["']""")


def _routes(module: Module) -> Iterator[tuple[str, str]]:
    """(method, path) of every route the module's routers declare, mounted as the app mounts them."""
    alone = FastAPI()
    for name in module.api_routers:
        alone.include_router(modules.resolve(name), prefix="/api/v1")
    for name in module.view_routers:
        alone.include_router(modules.resolve(name))
    for route in _api_routes(alone):
        for method in sorted(route.methods or ()):
            yield method, str(route.path)


def _api_routes(app: FastAPI) -> list[RouteContext]:
    """The app's routes as mounted (with their routers' prefixes and dependencies), static files aside."""
    return [r for r in iter_route_contexts(app.routes) if isinstance(r.original_route, APIRoute)]


def _required(call: Callable[..., Any]) -> str | None:
    """The permission a require_web/require_api dependency checks, read from its closure."""
    if getattr(call, "__qualname__", None) not in ("require_web.<locals>.check", "require_api.<locals>.check"):
        return None
    cells = dict(zip(call.__code__.co_freevars, call.__closure__ or (), strict=True))
    return str(cells["permission"].cell_contents)


def _checked(route: RouteContext) -> set[str]:
    """Every permission a route's dependencies (its router's and its own, nested) check."""
    found: set[str] = set()
    stack = [route.dependant]
    while stack:
        dependant = stack.pop()
        if dependant.call is not None and (code := _required(dependant.call)):
            found.add(code)
        stack.extend(dependant.dependencies)
    return found


def test_every_route_belongs_to_exactly_one_module(app: FastAPI) -> None:
    # given every module's routers
    owners: dict[tuple[str, str], list[str]] = {}
    for m in modules.MODULES:
        for method, path in set(_routes(m)):
            owners.setdefault((method, path), []).append(m.name)
    # then no (method, path) is declared by two modules (and there are routes to compare)
    assert len(owners) > 100
    assert {k: v for k, v in owners.items() if len(v) > 1} == {}
    # and every route the app serves (but its OpenAPI document) comes from a registered module
    served = {(m, str(r.path)) for r in _api_routes(app) for m in r.methods or () if r.path != "/api/v1/openapi.json"}
    assert served - set(owners) == set()
    assert set(owners) - served == set()


def test_every_code_table_csv_is_owned_by_exactly_one_module() -> None:
    # given the code tables shipped as reference_data/*.csv
    shipped = sorted(p.stem for p in (SRC / "reference_data").glob("*.csv"))
    # when the registry says who owns each (it raises if two modules claim one)
    owners = modules.reference_data_owner()
    # then each CSV has one owner and no module claims a table that is not shipped
    assert sorted(owners) == shipped
    claims = Counter(c for m in modules.MODULES for c in m.reference_data)
    assert [c for c, n in claims.items() if n != 1] == []


def test_every_permission_a_route_checks_is_declared(app: FastAPI) -> None:
    # given the permissions the registry declares (and syncs into the permission table)
    declared = {p.code for p in modules.permissions()}
    # when every route's dependencies are inspected
    checked = {code for r in _api_routes(app) for code in _checked(r)}
    # then each checked permission is declared, and the inspection really found the route checks
    assert checked - declared == set()
    assert {"customer.read", "assignment.request", "audit.read", "ingest.rejects.unmask"} <= checked


def test_every_permission_the_code_or_templates_ask_for_is_declared() -> None:
    # given every principal.can("...") in Python and templates
    files = [*SRC.rglob("*.py"), *(SRC / "web" / "templates").rglob("*.html")]
    asked = {code for f in files for code in CAN.findall(f.read_text(encoding="utf-8"))}
    # and every permission the registry's navigation, tabs and cards are shown for
    shown = {e.permission for e in modules.navigation() if e.permission}
    shown |= {t.permission for kind in ("individual", "corporate") for t in modules.customer_tabs(kind)}
    shown |= {c.permission for c in modules.home_cards() if c.permission}
    # then all are declared
    declared = {p.code for p in modules.permissions()}
    assert asked - declared == set()
    assert shown - declared == set()
    assert "customer.approve" in asked  # the pattern really matches


def test_tab_and_card_keys_are_unique_and_their_entries_resolve() -> None:
    # given every customer tab and home card in the registry
    tabs = [t for m in modules.MODULES for t in m.customer_tabs]
    cards = modules.home_cards()
    # then keys are unique (they name DOM ids), tab paths name the customer, and card entries are callables
    assert len({t.key for t in tabs}) == len(tabs)
    assert len({c.key for c in cards}) == len(cards)
    assert all("{cif_no}" in t.path for t in tabs)
    assert all(callable(modules.resolve(c.entry)) for c in cards)
    assert all((SRC / "web" / "templates" / c.template).is_file() for c in cards)


def test_navigation_and_customer_tabs_name_routes_that_check_their_permission(app: FastAPI) -> None:
    # given what each GET route checks
    checks = {r.path: _checked(r) for r in _api_routes(app) if "GET" in (r.methods or ())}
    # then a link shown for a permission leads to a route that checks exactly that permission
    nav = {e.path: checks.get(e.path) for e in modules.navigation()}
    assert nav == {e.path: ({e.permission} if e.permission else set()) for e in modules.navigation()}
    tabs = [t for m in modules.MODULES for t in m.customer_tabs]
    assert {t.path: checks.get(t.path) for t in tabs} == {t.path: {t.permission} for t in tabs}
