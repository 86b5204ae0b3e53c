"""Every route the registry mounts × every demo role: the status follows from the route's permission.

The routes are read from the app (each module's routers), the permission from the route's
``require_web``/``require_api`` dependency, the grants from the modules' ``default_roles``. A GET needs
a sample in ``GET_SAMPLES`` (path values and what a holder of the permission gets); a new GET route
without one fails ``test_every_get_route_has_a_sample`` saying what to add.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.app import create_app
from bankcrm.config import Settings
from bankcrm.models.access import Role
from bankcrm.models.churn import ChurnModel
from bankcrm.models.earlywarning import EarlyWarning
from bankcrm.models.group import CorporateGroup, GuaranteeCircle
from bankcrm.models.household import Household, HouseholdMember
from bankcrm.models.ingest import IngestRun
from bankcrm.models.lead import Lead
from bankcrm.models.matching import MatchReview
from bankcrm.models.relationship import CustomerLink
from bankcrm.models.segment import Segment, SegmentMember
from bankcrm.modules import permissions
from bankcrm.relationships import jobs as relationship_jobs
from tests.conftest import csrf_from, signed_in, token_for, unit_id, user_id
from tests.factories import individual, make_customer, make_user
from tests.holdings.helpers import account, load, write_file

# The demo's user of each role.
ROLE_USERS = {
    "admin": "admin",
    "management": "manager",
    "account_manager": "am1",
    "lobby_manager": "lobby",
    "teller": "teller",
    "product_manager": "product",
    "risk_manager": "risk",
    "operations_manager": "ops",
}
GRANTS = {role: {p.code for p in permissions() if role in p.default_roles} for role in ROLE_USERS}
CHECKS = {"require_web.<locals>.check", "require_api.<locals>.check"}
CIF = "93000000001"  # a customer of am1 homed at the teller's outlet: inside every role's data scope
SPOUSE = "93000000002"  # the other member of CIF's household
FIRM = "93000000101"  # a company holding 80 % of SUBSIDIARY; the two guarantee each other
SUBSIDIARY = "93000000102"
ABSENT = "999999"  # an id no row has: a refused write names it (the refusal comes before any lookup)


@dataclass(frozen=True)
class Sample:
    """How to fill a GET route's path, and what a holder of its permission gets (others get 403)."""

    params: dict[str, str]
    ok: int = 200
    why: str = ""  # why ``ok`` is not 200, or why ``roles`` answer otherwise
    roles: dict[str, int] | None = None  # holders that get another status, by role


def _s(ok: int = 200, why: str = "", roles: dict[str, int] | None = None, **params: str) -> Sample:
    return Sample(params, ok, why, roles)


def _pending(maker: str, decider: str, **params: str) -> Sample:
    """A pending request: a holder of the read permission sees it only as its maker or one who may decide it."""
    hidden = {role: 404 for role in ROLE_USERS if role != maker and decider not in GRANTS[role]}
    return Sample(params, 200, f"a pending request is shown to its maker and to holders of {decider}", hidden)


# The gaps list checks "quality.read or quality.gaps.own" itself (no single-permission alias to read).
GAP_READERS = {p.code for p in permissions() if p.code in ("quality.read", "quality.gaps.own")}


def _gaps(**params: str) -> Sample:
    """A gaps list: open to holders of quality.read or quality.gaps.own, refused to everyone else."""
    refused = {role: 403 for role in ROLE_USERS if not GRANTS[role] & GAP_READERS}
    return Sample(params, 200, "quality.read or quality.gaps.own", refused)


OUTSIDE_AM1 = "am1 works at BJ, above the lobby manager's and the teller's units: outside their scope"


GET_SAMPLES: dict[str, Sample] = {
    "/api/v1/me": _s(),
    "/api/v1/org-units": _s(),
    "/api/v1/org-units/{unit_id}": _s(unit_id="unit"),
    "/api/v1/users": _s(),
    "/api/v1/users/{user_id}": _s(user_id="user"),
    "/api/v1/roles": _s(),
    "/api/v1/permissions": _s(),
    "/api/v1/customers/{cif_no}/managers": _s(cif_no="cif"),
    "/api/v1/assignment-requests": _s(),
    "/api/v1/assignment-requests/{request_id}": _pending("management", "assignment.approve", request_id="assignment"),
    "/api/v1/managers/{manager_id}/portfolio": _s(
        why=OUTSIDE_AM1, roles={"lobby_manager": 404, "teller": 404}, manager_id="manager"
    ),
    "/api/v1/audit-events": _s(),
    "/api/v1/customers": _s(),
    "/api/v1/customers/{cif_no}": _s(cif_no="cif"),
    "/api/v1/customers/{cif_no}/history": _s(cif_no="cif"),
    "/api/v1/customers/{cif_no}/sources": _s(cif_no="cif"),
    "/api/v1/change-requests": _s(),
    "/api/v1/change-requests/{request_id}": _pending("account_manager", "customer.approve", request_id="change"),
    "/api/v1/customers/{cif_no}/view": _s(cif_no="cif"),
    "/api/v1/customers/{cif_no}/transactions": _s(cif_no="cif"),
    "/api/v1/tasks": _s(),
    "/api/v1/maturities/weekly": _s(),
    "/api/v1/loans": _s(),
    "/api/v1/households/{household_id}": _s(household_id="household"),
    "/api/v1/tags": _s(),
    "/api/v1/working-calendar": _s(),
    "/api/v1/customers/{cif_no}/tags": _s(cif_no="cif"),
    "/api/v1/customers/{cif_no}/tag-history": _s(cif_no="cif"),
    "/api/v1/customers/{cif_no}/household": _s(cif_no="cif"),
    "/api/v1/features": _s(),
    "/api/v1/customers/{cif_no}/insight": _s(cif_no="cif"),
    "/api/v1/insight/tier-watch": _s(),
    "/api/v1/ingest/runs": _s(),
    "/api/v1/ingest/runs/{run_id}": _s(run_id="run"),
    "/api/v1/ingest/runs/{run_id}/rejects": _s(run_id="run"),
    "/api/v1/ingest/runs/{run_id}/rejects/delivered": _s(run_id="run"),
    "/api/v1/customers/{cif_no}/links": _s(cif_no="cif"),
    "/api/v1/customers/{cif_no}/relationships": _s(cif_no="cif"),
    "/api/v1/groups": _s(),
    "/api/v1/match-reviews": _s(),
    "/api/v1/match-reviews/{review_id}": _s(review_id="review"),
    "/api/v1/groups/{group_id}": _s(group_id="group"),
    "/api/v1/guarantee-circles": _s(),
    "/api/v1/guarantee-circles/{circle_id}": _s(circle_id="circle"),
    "/login": _s(),
    "/lang/{code}": _s(303, "switching the language redirects back", code="zh_CN"),
    "/admin/units": _s(),
    "/admin/units/new": _s(),
    "/admin/units/{unit_id}": _s(unit_id="unit"),
    "/admin/users": _s(),
    "/admin/users/export.{fmt}": _s(fmt="csv"),
    "/admin/users/new": _s(),
    "/admin/users/{user_id}": _s(user_id="user"),
    "/admin/roles": _s(),
    "/customers/{cif_no}/managers": _s(cif_no="cif"),
    "/portfolio": _s(why="an account manager is sent to their own portfolio", roles={"account_manager": 303}),
    "/managers/{username}/portfolio": _s(
        why=OUTSIDE_AM1, roles={"lobby_manager": 404, "teller": 404}, username="manager_name"
    ),
    "/assignments/requests": _s(),
    "/assignments/requests/{request_id}": _pending("management", "assignment.approve", request_id="assignment"),
    "/admin/audit/export.{fmt}": _s(fmt="csv"),
    "/admin/audit": _s(),
    "/": _s(),
    "/home/sign-ins.json": _s(),
    "/home/cards/trend.json": _s(),
    "/search": _s(),
    "/customers": _s(),
    "/customers/export.{fmt}": _s(fmt="csv"),
    "/customers/new": _s(),
    "/customers/{cif_no}": _s(cif_no="cif"),
    "/customers/{cif_no}/edit": _s(cif_no="cif"),
    "/approvals": _s(),
    "/approvals/{request_id}": _pending("account_manager", "customer.approve", request_id="change"),
    "/customers/{cif_no}/360": _s(cif_no="cif"),
    "/customers/{cif_no}/360/transactions": _s(cif_no="cif"),
    "/tasks": _s(),
    "/maturities": _s(),
    "/loans": _s(),
    "/households/{household_id}": _s(household_id="household"),
    "/customers/{cif_no}/household": _s(303, "the page of the customer's household is the answer", cif_no="cif"),
    "/ingest/runs": _s(),
    "/ingest/runs/{run_id}": _s(run_id="run"),
    "/ingest/runs/{run_id}/rejects.{fmt}": _s(run_id="run", fmt="csv"),
    "/ingest/runs/{run_id}/rejects-delivered.{fmt}": _s(run_id="run", fmt="csv"),
    "/customers/{cif_no}/links": _s(cif_no="cif"),
    "/customers/{cif_no}/relationships": _s(cif_no="cif"),
    "/groups": _s(),
    "/match-reviews": _s(),
    "/match-reviews/{review_id}": _s(review_id="review"),
    "/groups/{group_id}": _s(group_id="group"),
    "/guarantee-circles": _s(),
    "/guarantee-circles/{circle_id}": _s(circle_id="circle"),
    "/admin/jobs": _s(),
    "/api/v1/jobs": _s(),
    "/api/v1/jobs/runs": _s(),
    "/customers/{cif_no}/tabs/holdings": _s(cif_no="cif"),
    "/customers/{cif_no}/tabs/household": _s(cif_no="cif"),
    "/customers/{cif_no}/tabs/insight": _s(cif_no="cif"),
    "/insight/tiers": _s(),
    "/customers/{cif_no}/tabs/links": _s(cif_no="cif"),
    "/customers/{cif_no}/tabs/sources": _s(cif_no="cif"),
    "/customers/{cif_no}/tabs/managers": _s(cif_no="cif"),
    "/customers/{cif_no}/tabs/tags": _s(cif_no="cif"),
    "/customers/{cif_no}/tags/badges": _s(cif_no="cif"),
    "/admin/tags": _s(),
    "/admin/calendar": _s(),
    # every list's export answers as its page does
    "/admin/units/export.{fmt}": _s(fmt="csv"),
    "/approvals/export.{fmt}": _s(fmt="csv"),
    "/assignments/requests/export.{fmt}": _s(fmt="csv"),
    "/customers/{cif_no}/360/transactions/export.{fmt}": _s(cif_no="cif", fmt="csv"),
    "/groups/export.{fmt}": _s(fmt="csv"),
    "/insight/tiers/export.{fmt}": _s(fmt="csv"),
    "/guarantee-circles/export.{fmt}": _s(fmt="csv"),
    "/ingest/runs/export.{fmt}": _s(fmt="csv"),
    "/managers/{username}/portfolio/export.{fmt}": _s(
        why=OUTSIDE_AM1, roles={"lobby_manager": 404, "teller": 404}, username="manager_name", fmt="csv"
    ),
    "/maturities/export.{fmt}": _s(fmt="csv"),
    "/loans/export.{fmt}": _s(fmt="csv"),
    "/tasks/export.{fmt}": _s(fmt="csv"),
    "/quality": _s(),
    "/quality/trend.json": _s(),
    "/quality/gaps": _gaps(),
    "/quality/gaps/export.{fmt}": _gaps(fmt="csv"),
    "/quality/my-gaps": _s(),
    "/quality/my-gaps/export.{fmt}": _s(fmt="csv"),
    "/api/v1/quality": _s(),
    "/api/v1/quality/trend": _s(),
    "/api/v1/quality/gaps": _gaps(),
    "/api/v1/customers/{cif_no}/contribution": _s(cif_no="cif"),
    "/api/v1/value/contribution": _s(),
    "/api/v1/value/pricing": _s(),
    "/api/v1/value/pricing-changes": _s(),
    "/customers/{cif_no}/tabs/contribution": _s(cif_no="cif"),
    "/customers/{cif_no}/contribution/trend.json": _s(cif_no="cif"),
    "/value": _s(),
    "/value/pareto.json": _s(),
    "/value/export.{fmt}": _s(fmt="csv"),
    "/value/pricing": _s(),
    "/api/v1/customers/{cif_no}/lifecycle": _s(cif_no="cif"),
    "/api/v1/lifecycle/distribution": _s(),
    "/customers/{cif_no}/tabs/lifecycle": _s(cif_no="cif"),
    "/lifecycle": _s(),
    "/lifecycle/chart.json": _s(),
    "/lifecycle/export.{fmt}": _s(fmt="csv"),
    "/api/v1/warnings": _s(),
    "/api/v1/warnings/{warning_id}": _s(warning_id="warning"),
    "/warnings": _s(),
    "/warnings/winback": _s(),
    "/warnings/factors": _s(),
    "/warnings/{warning_id}": _s(warning_id="warning"),
    "/customers/{cif_no}/tabs/warnings": _s(cif_no="cif"),
    "/api/v1/opportunities": _s(),
    "/api/v1/opportunities/{opportunity_id}": _s(opportunity_id="opportunity"),
    "/api/v1/activities": _s(),
    "/api/v1/targets": _s(),
    "/opportunities": _s(),
    "/opportunities/board": _s(),
    "/opportunities/export.{fmt}": _s(fmt="csv"),
    "/opportunities/new": _s(),
    "/opportunities/{opportunity_id}": _s(opportunity_id="opportunity"),
    "/activities/week": _s(),
    "/calendar/{token}.ics": _s(404, "an unknown feed token is not found", token="absent"),
    "/sales/dashboard": _s(),
    "/sales/dashboard.json": _s(),
    "/sales/performance": _s(),
    "/api/v1/models": _s(),
    "/api/v1/models/{model_id}": _s(model_id="model"),
    "/api/v1/customers/{cif_no}/churn": _s(cif_no="cif"),
    "/models": _s(),
    "/models/backtest": _s(),
    "/models/{model_id}": _s(model_id="model"),
    "/customers/{cif_no}/tabs/churn": _s(cif_no="cif"),
    "/api/v1/insight/dashboard": _s(),
    "/insight/dashboard": _s(),
    "/insight/dashboard/charts.json": _s(),
    "/insight/dashboard/export/{part}.{fmt}": _s(part="pyramid", fmt="csv"),
    "/api/v1/segments": _s(),
    "/api/v1/segments/{segment_id}": _s(segment_id="segment"),
    "/api/v1/segments/{segment_id}/members": _s(segment_id="segment"),
    "/api/v1/segments/{segment_id}/sizes": _s(segment_id="segment"),
    "/segments": _s(),
    "/segments/new": _s(),
    "/segments/{segment_id}": _s(segment_id="segment"),
    "/segments/{segment_id}/export.{fmt}": _s(segment_id="segment", fmt="csv"),
    "/segments/{segment_id}/sizes.json": _s(segment_id="segment"),
    "/api/v1/leads": _s(),
    "/api/v1/leads/{lead_id}": _s(lead_id="lead"),
    "/api/v1/referrals/leaderboard": _s(),
    "/leads": _s(),
    "/leads/new": _s(),
    "/leads/rota": _s(),
    "/leads/{lead_id}": _s(lead_id="lead"),
    "/leads/{lead_id}/customer": _s(409, "the sample lead is not qualified yet", lead_id="lead"),
    "/referrals": _s(),
    "/customers/{cif_no}/tabs/leads": _s(cif_no="cif"),
}
# Values for the path of a refused write (the refusal comes before any lookup, but the path must parse).
WRITE_VALUES = {"code": "teller", "field": "id_no", "cif_no": "cif", "username": "manager_name"}


@dataclass(frozen=True)
class Route:
    """One method of one mounted path and the permissions its dependencies check."""

    method: str
    path: str
    needs: frozenset[str]

    @property
    def api(self) -> bool:
        return self.path.startswith("/api/")


def _checked(dependant: Dependant) -> Iterator[str]:
    """The permissions ``require_web``/``require_api`` dependencies check anywhere under ``dependant``."""
    if dependant.call is not None and getattr(dependant.call, "__qualname__", "") in CHECKS:
        yield inspect.getclosurevars(dependant.call).nonlocals["permission"]
    for sub in dependant.dependencies:
        yield from _checked(sub)


def _routes(app: FastAPI) -> list[Route]:
    routes = []
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute):
            needs = frozenset(_checked(context.dependant))
            routes.extend(Route(m, context.path, needs) for m in sorted(context.methods))
    return routes


ROUTES = _routes(create_app(Settings(mode="test")))
GETS = [r for r in ROUTES if r.method == "GET"]
WRITES = [r for r in ROUTES if r.method != "GET" and r.needs]


def _expected(route: Route, role: str) -> int:
    sample = GET_SAMPLES[route.path]
    if not route.needs <= GRANTS[role]:
        return 403
    return (sample.roles or {}).get(role, sample.ok)


def _path(route: Route, values: dict[str, str], params: dict[str, str]) -> str:
    path = route.path
    for name, key in params.items():
        path = path.replace("{" + name + "}", values.get(key, key))
    assert "{" not in path, f"{route.method} {route.path}: no value for a path parameter"
    return path


@pytest.fixture
def world(db: Session, settings: Settings, client: TestClient, tmp_path: Path) -> dict[str, str]:
    """The rows the sample paths name, all at the teller's outlet (inside every role's scope) or of am1."""
    # a customer of am1 in a household, with an account loaded by a core-banking file
    head = make_customer(db, CIF, unit="BJ-CY-01")
    spouse = make_customer(db, SPOUSE, unit="BJ-CY-01", name="李四")
    household = Household(head_customer_id=head.id)
    db.add(household)
    db.flush()
    db.add_all([HouseholdMember(customer_id=c.id, household_id=household.id) for c in (head, spouse)])
    # the two as a possible duplicate the nightly match run filed
    review = MatchReview(
        kind="duplicate",
        status="open",
        customer_id=head.id,
        other_customer_id=spouse.id,
        probability=0.7,
        comparisons="{}",
    )
    db.add(review)
    load(db, settings, write_file(tmp_path / "a.csv", "accounts", [account("6222000000009001", CIF)]), "accounts")
    run = db.scalars(select(IngestRun.id).order_by(IngestRun.id.desc()).limit(1)).one()
    # a corporate group and a guarantee circle, as the nightly derivation finds them
    firm = make_customer(db, FIRM, unit="BJ-CY-01", name="北京甲有限公司", kind="corporate")
    subsidiary = make_customer(db, SUBSIDIARY, unit="BJ-CY-01", name="北京乙有限公司", kind="corporate")
    since = date.today() - timedelta(days=365)
    for source, kind, target, share, amount in (
        (firm, "SHAREHOLDER_OF", subsidiary, 8000, None),
        (firm, "GUARANTOR_FOR", subsidiary, None, 100_000),
        (subsidiary, "GUARANTOR_FOR", firm, None, 200_000),
    ):
        db.add(
            CustomerLink(
                from_customer_id=source.id,
                to_customer_id=target.id,
                link_type=kind,
                share_pct_bp=share,
                amount=amount,
                valid_from=since,
            )
        )
    # the bank's list of CIF and its spouse (a static segment every reader of segments sees)
    segment = Segment(
        name="名单", kind="static", visibility="bank", owner_id=user_id(db, "manager"), unit_id=unit_id(db, "BJ")
    )
    db.add(segment)
    db.flush()
    db.add_all([SegmentMember(segment_id=segment.id, customer_id=c.id, entered_on=since) for c in (head, spouse)])
    # the teller's referral of CIF, assigned to am1 (inside every lead reader's scope)
    lead = Lead(
        source="TELLER",
        interest="WEALTH",
        customer_id=head.id,
        unit_id=unit_id(db, "BJ-CY-01"),
        status="ASSIGNED",
        assignee_id=user_id(db, "am1"),
        referrer_id=user_id(db, "teller"),
    )
    db.add(lead)
    db.flush()
    relationship_jobs.nightly(db, settings)
    # a warning for CIF the signals raised, waiting for am1
    warning = EarlyWarning(
        customer_id=head.id,
        source="SIGNAL",
        month=since,
        raised_on=since,
        score=55,
        severity="MEDIUM",
        reasons='[{"signal": "DORMANT", "figures": {"days": 120}}]',
        leading_factor="DORMANT",
        status="OPEN",
        assignee_id=user_id(db, "am1"),
        unit_id=unit_id(db, "BJ-CY-01"),
        tier="MASS",
        aum=0,
        value_before=0,
        due_on=since,
    )
    db.add(warning)
    # a churn model trained on a file (its card is all the model pages read)
    card = {"rows": {"training": 10}, "metrics": {"auc": 0.7, "pr_auc": 0.3, "lift_top_decile": 2.0}}
    model = ChurnModel(
        target="churn",
        source="file",
        status="FILE",
        auc=0.7,
        card=json.dumps(card | {"calibration": [], "top_features": []}),
        model_text="",
        note="FILE",
    )
    db.add(model)
    db.flush()
    db.commit()
    # a pending new customer (am1 the maker) and a pending second manager for CIF (the branch manager the maker)
    created = client.post(
        "/api/v1/customers/individual", json=individual(db, home="BJ-CY-01"), headers=token_for(client, "am1")
    )
    assert created.status_code == 202, created.text
    make_user(db, "am.cy01", "BJ-CY-01", "account_manager")
    db.commit()
    primary = {"manager_id": user_id(db, "am1"), "role": "primary", "share_bp": 7000}
    second = {"manager_id": user_id(db, "am.cy01"), "role": "co", "share_bp": 3000}
    asking = {"managers": [primary, second], "reason": "Cover"}
    asked = client.post(f"/api/v1/customers/{CIF}/managers/requests", json=asking, headers=token_for(client, "manager"))
    assert asked.status_code == 202, asked.text
    # an opportunity of am1 for the customer
    body = {"cif_no": CIF, "product_code": "TD-3M", "amount": 100_000, "expected_close": "2027-01-31"}
    opened = client.post("/api/v1/opportunities", json=body, headers=token_for(client, "am1"))
    assert opened.status_code == 201, opened.text
    return {
        "cif": CIF,
        "opportunity": str(opened.json()["id"]),
        "run": str(run),
        "household": str(household.id),
        "review": str(review.id),
        "segment": str(segment.id),
        "warning": str(warning.id),
        "model": str(model.id),
        "lead": str(lead.id),
        "group": str(db.scalars(select(CorporateGroup.id)).one()),
        "circle": str(db.scalars(select(GuaranteeCircle.id)).one()),
        "change": str(created.json()["id"]),
        "assignment": str(asked.json()["id"]),
        "unit": str(unit_id(db, "BJ-CY-01")),
        "user": str(user_id(db, "teller")),
        "manager": str(user_id(db, "am1")),
        "manager_name": "am1",
        "absent": ABSENT,
    }


def test_every_get_route_has_a_sample() -> None:
    missing = sorted({r.path for r in GETS} - set(GET_SAMPLES))
    stale = sorted(set(GET_SAMPLES) - {r.path for r in GETS})
    assert not missing, f"add to GET_SAMPLES in {__file__}: " + ", ".join(f'"{p}": _s(...)' for p in missing)
    assert not stale, f"remove from GET_SAMPLES (no such GET route any more): {stale}"


def test_the_demo_roles_hold_exactly_the_registry_grants(db: Session) -> None:
    held = {role.code: {p.code for p in role.permissions} for role in db.scalars(select(Role))}
    assert held == GRANTS


def test_the_matrix_covers_every_route_but_the_public_writes() -> None:
    public_writes = sorted(f"{r.method} {r.path}" for r in ROUTES if r.method != "GET" and not r.needs)
    assert public_writes == [
        "POST /api/v1/auth/revoke",
        "POST /api/v1/auth/token",
        "POST /login",
        "POST /logout",
    ]
    assert len(GETS) + len(WRITES) + len(public_writes) == len(ROUTES)


def _clients(make_client: Any, username: str) -> tuple[TestClient, dict[str, str], TestClient]:
    """A signed-in browser, a bearer token and the client that carries it, for one user."""
    browser = signed_in(make_client(), username)
    api = make_client()
    return browser, token_for(api, username), api


@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_each_get_route_answers_the_role_as_its_permission_says(make_client, world, role):
    # Given the role's user signed in (browser) and holding a token (API)
    browser, headers, api = _clients(make_client, ROLE_USERS[role])
    # When it asks for every GET route
    got, expected = {}, {}
    for route in GETS:
        path = _path(route, world, GET_SAMPLES[route.path].params)
        response = (
            api.get(path, headers=headers, follow_redirects=False)
            if route.api
            else browser.get(path, follow_redirects=False)
        )
        got[route.path] = response.status_code
        expected[route.path] = _expected(route, role)
    # Then each answer is the one the route's permission and the role's grants give
    assert got == expected


@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_each_write_is_refused_to_a_role_without_its_permission(make_client, world, role):
    # Given the role's user, with a valid CSRF token for its browser session
    browser, headers, api = _clients(make_client, ROLE_USERS[role])
    token = csrf_from(browser.get("/").text)
    refused = [r for r in WRITES if not r.needs <= GRANTS[role]]
    # When it sends every write it lacks the permission for
    got = {}
    for route in refused:
        params = {name: WRITE_VALUES.get(name, "absent") for name in _names(route.path)}
        path = _path(route, world, params)
        if route.api:
            response = api.request(route.method, path, headers=headers, json={})
        else:
            response = browser.request(route.method, path, data={"csrf_token": token}, follow_redirects=False)
        got[f"{route.method} {route.path}"] = response.status_code
    # Then every one is a 403
    assert got == {name: 403 for name in got}
    assert refused or GRANTS[role] >= {p for r in WRITES for p in r.needs}


def _names(path: str) -> list[str]:
    return [part.split("}")[0] for part in path.split("{")[1:]]
