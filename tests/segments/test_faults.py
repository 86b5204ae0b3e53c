"""A faulty or malicious specification: answered 422 naming the part, before anything reaches the database."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import token_for

AUM = {"feature": "aum_avg", "op": ">=", "value": 1}


@pytest.mark.parametrize(
    ("spec", "part", "says"),
    [
        # SQL in a value, in a list, as a feature name, as an operator, as a key
        ({"feature": "tier", "op": "=", "value": "VIP' OR 1=1 --"}, "spec.value", "Expected a code"),
        ({"has_tag": ["KEY_FOLLOW", "x'); DROP TABLE customer; --"]}, "spec.has_tag[1]", "Expected a code"),
        (
            {"all": [AUM, {"feature": "aum_avg; DELETE FROM segment", "op": ">=", "value": 1}]},
            "spec.all[1].feature",
            "Unknown feature aum_avg; DELETE FROM segm",
        ),
        ({"feature": "aum_avg", "op": "OR 1=1", "value": 1}, "spec.op", "takes the operators =, !=, <"),
        ({"feature": "aum_avg", "op": ">=", "value": 1, "sql": "1=1"}, "spec", "Unknown keys sql."),
        # an unknown feature, attribute, code, membership; a reference feature is not offered
        (
            {"any": [AUM, {"feature": "password", "op": "=", "value": 1}]},
            "spec.any[1].feature",
            "Unknown feature password.",
        ),
        ({"feature": "unit_id", "op": "=", "value": 1}, "spec.feature", "Unknown feature unit_id."),
        ({"attribute": "id_no", "op": "=", "value": "X"}, "spec.attribute", "Unknown attribute id_no."),
        ({"feature": "tier", "op": "in", "value": ["VIP", "GOLD"]}, "spec.value[1]", "Unknown code GOLD."),
        ({"member_of": "family"}, "spec.member_of", "Expected household or corporate_group."),
        # a tag not in the tag catalogue, a product category not in its code table
        ({"has_tag": ["KEY_FOLLOW", "NO_SUCH_TAG"]}, "spec.has_tag[1]", "Unknown tag NO_SUCH_TAG."),
        ({"has_tag": "NO_SUCH_TAG"}, "spec.has_tag", "Unknown tag NO_SUCH_TAG."),
        (
            {"all": [AUM, {"holds_category": "GOLD_BARS"}]},
            "spec.all[1].holds_category",
            "Unknown product category GOLD_BARS.",
        ),
        # wrong types: text, a float, a bool for a number; a bad pair; months out of range
        ({"feature": "aum_avg", "op": ">=", "value": "1000"}, "spec.value", "Expected a whole number"),
        ({"feature": "aum_avg", "op": ">=", "value": 10.5}, "spec.value", "Expected a whole number"),
        ({"feature": "aum_avg", "op": ">=", "value": True}, "spec.value", "Expected a whole number"),
        ({"feature": "aum_avg", "op": "between", "value": [9, 1]}, "spec.value", "low ≤ high"),
        (
            {"feature": "aum_avg", "change_pct_over_months": 0, "op": "<", "value": -20},
            "spec.change_pct_over_months",
            "from 1 to 36",
        ),
        (
            {"feature": "tier", "change_pct_over_months": 3, "op": "<", "value": 1},
            "spec.change_pct_over_months",
            "Only money and whole-number features",
        ),
        ({"attribute": "customer_since", "op": ">=", "value": 3}, "spec.op", "in_last_months, not_in_last_months"),
        # shapes: two heads, nothing, an empty group, a list, too deep
        ({"feature": "aum_avg", "has_tag": "X", "op": ">=", "value": 1}, "spec", "exactly one of feature"),
        ({"all": []}, "spec.all", "non-empty list"),
        ({"any": [AUM, [AUM]]}, "spec.any[1]", "Expected an object"),
        ({"not": {"not": {"not": {"not": {"not": {"not": AUM}}}}}}, "spec.not.not.not.not.not", "nest at most 5"),
    ],
)
def test_a_faulty_specification_is_refused_naming_the_part(client: TestClient, spec: Any, part: str, says: str) -> None:
    # When a faulty specification is previewed
    answer = client.post("/api/v1/segments/preview", json=spec, headers=token_for(client, "manager"))
    # Then 422 names the part at fault and says what is wrong
    assert answer.status_code == 422, answer.text
    errors = answer.json()["errors"]
    assert [e["field"] for e in errors] == [part]
    assert says in errors[0]["message"]


def test_a_faulty_specification_saves_nothing(client: TestClient) -> None:
    # When a segment with an unknown feature is saved
    headers = token_for(client, "manager")
    body = {"name": "坏", "spec": {"all": [AUM, {"feature": "nope", "op": "=", "value": 1}]}}
    answer = client.post("/api/v1/segments", json=body, headers=headers)
    # Then 422 names the part inside the body, and no segment exists
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["spec.all[1].feature"]
    assert client.get("/api/v1/segments", headers=headers).json() == []
