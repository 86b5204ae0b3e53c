"""The rule language: a specification validated part by part, compiled to SQL, and each field's meaning."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.models.customer import Customer
from bankcrm.tags import filters
from tests.tags.helpers import TODAY, account, batch, customer, voucher


def refused(spec: Any) -> tuple[str, str]:
    with pytest.raises(filters.RuleError) as caught:
        filters.parse(spec)
    return caught.value.part, str(caught.value)


@pytest.mark.parametrize(
    ("spec", "part", "says"),
    [
        # an unknown field, named back (and cut short)
        ({"all": [{"field": "password", "op": ">=", "value": 1}]}, "all[0].field", "Unknown field password."),
        # a wrong type: a string where a whole number is wanted, a float, a bool
        ({"all": [{"field": "aum", "op": ">=", "value": "1000"}]}, "all[0].value", "Expected a whole number"),
        ({"all": [{"field": "aum", "op": ">=", "value": 10.5}]}, "all[0].value", "Expected a whole number"),
        ({"all": [{"field": "aum", "op": ">=", "value": True}]}, "all[0].value", "Expected a whole number"),
        ({"all": [{"field": "aum", "op": ">=", "value": -1}]}, "all[0].value", "Expected a whole number"),
        # SQL in a value: not a code, refused before anything reaches the database
        (
            {
                "any": [
                    {"field": "kind", "op": "=", "value": "individual"},
                    {"field": "status", "op": "=", "value": "x' OR 1=1 --"},
                ]
            },
            "any[1].value",
            "Expected a code",
        ),
        (
            {"all": [{"field": "holds_category", "op": "in", "value": ["TIME", "1; DROP TABLE customer"]}]},
            "all[0].value[1]",
            "Expected a code",
        ),
        # SQL as a field name or an operator
        ({"all": [{"field": "aum; DELETE FROM tag", "op": ">=", "value": 1}]}, "all[0].field", "Unknown field"),
        ({"all": [{"field": "aum", "op": "OR 1=1", "value": 1}]}, "all[0].op", "takes the operators >=, <=, between"),
        # shapes: an unknown key, an empty group, a bad pair, a list where an object is wanted, too deep
        ({"all": [{"field": "aum", "op": ">=", "value": 1, "sql": "x"}]}, "all[0]", "Unknown keys sql."),
        ({"all": []}, "rule.all", "non-empty list"),
        ({"all": [{"field": "age", "op": "between", "value": [70, 60]}]}, "all[0].value", "low ≤ high"),
        ([{"field": "aum"}], "rule", "Expected an object"),
        (
            {"all": [{"any": [{"all": [{"any": [{"all": [{"field": "aum", "op": ">=", "value": 1}]}]}]}]}]},
            "all[0].any[0].all[0].any[0]",
            "nest at most 4",
        ),
    ],
)
def test_a_bad_rule_is_refused_naming_the_part(spec: Any, part: str, says: str) -> None:
    # when the specification is parsed, then it is refused naming where and what
    where, message = refused(spec)
    assert where == part
    assert says in message


def test_a_valid_rule_reads_back_as_written() -> None:
    spec = {
        "all": [
            {"field": "kind", "op": "=", "value": "individual"},
            {
                "any": [
                    {"field": "age", "op": "between", "value": [60, 70]},
                    {"field": "holds_category", "op": "in", "value": ["TIME", "WEALTH"]},
                ]
            },
        ]
    }
    assert filters.to_json(filters.parse(spec)) == spec
    assert filters.to_json(filters.parse_text('{"field": "aum", "op": ">=", "value": 5}')) == {
        "all": [{"field": "aum", "op": ">=", "value": 5}]
    }
    with pytest.raises(filters.RuleError) as caught:
        filters.parse_text("{not json")
    assert str(caught.value) == "rule: The rule is not valid JSON."


def members(db: Session, spec: dict[str, Any]) -> set[str]:
    ids = set(db.scalars(filters.members_query(filters.parse(spec), TODAY)))
    return set(db.scalars(select(Customer.cif_no).where(Customer.id.in_(ids)))) if ids else set()


def test_each_field_selects_exactly_the_customers_it_describes(db: Session) -> None:
    # Given five customers with figures, accounts and vouchers built by hand
    b = batch(db)
    rich = customer(
        db, "88000000001", aum=100_000_000, last_txn=date(2026, 11, 29), products=2, born=date(1966, 11, 30)
    )
    edge = customer(db, "88000000002", aum=99_999_999, last_txn=date(2026, 6, 3), products=1, born=date(1966, 12, 1))
    idle = customer(db, "88000000003", aum=0, last_txn=None, products=1, born=None)
    corp = customer(db, "88000000004", aum=500_000_000, last_txn=date(2026, 11, 1), products=1, kind="corporate")
    none = customer(db, "88000000005", aum=0, last_txn=None, products=0)
    td = account(db, rich, b, "TD-1Y", maturity=date(2026, 12, 30))
    account(db, edge, b, "TD-3M", maturity=date(2026, 12, 31))  # day 31: outside "within 30 days"
    account(db, idle, b, "WM-R1-90D", closed=True, maturity=date(2026, 12, 1))  # closed: holds nothing
    voucher(db, rich, b, td, "S1", datetime(2026, 9, 1, 1, 0, tzinfo=UTC), "SALARY")  # 90 days back: counts
    voucher(db, rich, b, td, "S2", datetime(2026, 10, 1, 1, 0, tzinfo=UTC), "SALARY")
    voucher(db, edge, b, td, "S3", datetime(2026, 8, 31, 23, 0, tzinfo=UTC), "SALARY")  # before the window
    voucher(db, corp, b, td, "S4", datetime(2026, 11, 2, 1, 0, tzinfo=UTC), "TRANSFER")  # not salary
    db.flush()
    del none
    # Then each condition picks exactly its customers (boundaries included where the operator says so)
    assert members(db, {"field": "aum", "op": ">=", "value": 100_000_000}) == {rich.cif_no, corp.cif_no}
    assert members(db, {"field": "aum", "op": "between", "value": [1, 99_999_999]}) == {edge.cif_no}
    # 60 on 2026-11-30 means born on or before 1966-11-30
    assert members(db, {"field": "age", "op": ">=", "value": 60}) == {rich.cif_no}
    assert members(db, {"field": "age", "op": "<=", "value": 59}) == {edge.cif_no, "88000000005"}
    # 180 days before 2026-11-30 is 2026-06-03; no transaction on file counts as dormant
    dormant = {
        "all": [
            {"field": "days_since_last_txn", "op": ">=", "value": 180},
            {"field": "product_count", "op": ">=", "value": 1},
        ]
    }
    assert members(db, dormant) == {edge.cif_no, idle.cif_no}
    assert members(db, {"field": "holds_category", "op": "=", "value": "TIME"}) == {rich.cif_no, edge.cif_no}
    assert members(db, {"field": "holds_category", "op": "in", "value": ["WEALTH", "FUND"]}) == set()
    assert members(db, {"field": "maturity_within_days", "op": "<=", "value": 30}) == {rich.cif_no}
    assert members(db, {"field": "salary_credits_90d", "op": ">=", "value": 2}) == {rich.cif_no}
    assert members(db, {"field": "salary_credits_90d", "op": ">=", "value": 3}) == set()
    assert members(db, {"field": "kind", "op": "=", "value": "corporate"}) == {corp.cif_no}
    either = {"any": [{"field": "kind", "op": "=", "value": "corporate"}, {"field": "age", "op": ">=", "value": 60}]}
    assert members(db, either) == {rich.cif_no, corp.cif_no}
    # And a value that looks like SQL but is a valid code just matches nothing
    assert members(db, {"field": "status", "op": "=", "value": "OR_1_1"}) == set()
