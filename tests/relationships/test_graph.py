"""A customer's relationship graph to depth 2: exact nodes and edges, masking, never expanded through hidden ones."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import signed_in, token_for
from tests.relationships.groups_fixtures import (
    CYC_B,
    HALF,
    HOLD,
    LEAF,
    MID,
    PERSON,
    SH_CO,
    SUB,
    given_group_customers,
    given_shareholdings,
)


def test_the_graph_of_mid_reaches_depth_two_with_each_active_link_once(client: TestClient, db: Session) -> None:
    # Given the three-level shareholding
    given_shareholdings(db, given_group_customers(db))
    # When am1 reads MID's relationships
    response = client.get(f"/api/v1/customers/{MID}/relationships", headers=token_for(client, "am1"))
    # Then MID is the centre, its four neighbours are at depth 1 and PERSON (through HOLD and LEAF) at depth 2
    assert response.status_code == 200, response.text
    graph = response.json()
    nodes = {n["id"]: n for n in graph["nodes"]}
    assert [(n["cif_no"], n["depth"], n["center"], n["masked"]) for n in graph["nodes"]] == [
        (MID, 0, True, False),
        (HOLD, 1, False, False),
        (LEAF, 1, False, False),
        (HALF, 1, False, False),
        (SUB, 1, False, False),
        (PERSON, 2, False, False),
    ]
    assert nodes[graph["nodes"][5]["id"]]["name"] == "王大伟"
    # And every active link among them appears once (HOLD's ended guarantee does not)
    cif = {n["id"]: n["cif_no"] for n in graph["nodes"]}
    edges = sorted(
        (cif[e["source"]], e["link_type"], cif[e["target"]], e["share_pct_bp"], e["amount"]) for e in graph["edges"]
    )
    assert edges == [
        (PERSON, "ACTUAL_CONTROLLER_OF", HOLD, None, None),
        (PERSON, "GUARANTOR_FOR", LEAF, None, 1_000),
        (HOLD, "SHAREHOLDER_OF", MID, 6000, None),
        (MID, "GUARANTOR_FOR", HALF, None, 3_000_000),
        (MID, "SHAREHOLDER_OF", LEAF, 8000, None),
        (MID, "SHAREHOLDER_OF", HALF, 5000, None),
        (SUB, "SUBSIDIARY_OF", MID, None, None),
    ]
    assert graph["truncated"] is False


def test_am2_sees_a_beijing_neighbour_masked_and_not_beyond_it(client: TestClient, db: Session) -> None:
    # Given SH_CO (am2) held 70 % by CYC_B (Beijing), which is in a cycle with CYC_A
    given_shareholdings(db, given_group_customers(db))
    am2 = token_for(client, "am2")
    # When am2 reads SH_CO's relationships
    graph = client.get(f"/api/v1/customers/{SH_CO}/relationships", headers=am2).json()
    # Then CYC_B is a masked node (kind and opaque id only) and the graph stops there
    assert graph["nodes"] == [
        {"id": "n1", "kind": "corporate", "masked": False, "cif_no": SH_CO, "name": "上海丙环制造有限公司",
         "role": None, "depth": 0, "center": True},
        {"id": "n2", "kind": "corporate", "masked": True, "cif_no": None, "name": None,
         "role": None, "depth": 1, "center": False},
    ]  # fmt: skip
    assert [(e["source"], e["target"], e["share_pct_bp"]) for e in graph["edges"]] == [("n2", "n1", 7000)]
    assert CYC_B not in str(graph)
    # And a Beijing customer's graph is a 404 for am2, by API and page
    missing = client.get(f"/api/v1/customers/{MID}/relationships", headers=am2)
    assert (missing.status_code, missing.json()["detail"]) == (404, "Customer not found.")
    assert signed_in(client, "am2").get(f"/customers/{MID}/relationships").status_code == 404


def test_a_malformed_cif_number_is_a_422(client: TestClient, db: Session) -> None:
    response = client.get("/api/v1/customers/12ab/relationships", headers=token_for(client, "am1"))
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in response.json()["errors"]] == ["cif_no"]
