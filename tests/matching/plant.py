"""Plant a pair of duplicate customers with a row in every table that names a customer, and a review of them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, or_, select
from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.matching.service.feed import _aad
from bankcrm.models.base import Base
from bankcrm.models.customer import Customer
from bankcrm.models.matching import MatchReview
from tests.conftest import unit_id, user_id
from tests.factories import make_customer

T0 = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
CIPHER = Settings(mode="test").field_cipher()


def add(db: Session, table: str, **values: Any) -> Any:
    """Insert one row; its primary key (the single id column, else None)."""
    t = Base.metadata.tables[table]
    result = db.execute(insert(t).values(values))
    pk = result.inserted_primary_key
    return pk[0] if pk and len(pk) == 1 else None


@dataclass
class Pair:
    """The two customers and the review that proposes them as duplicates."""

    survivor: Customer
    merged: Customer
    third: Customer
    review: MatchReview


def review_of(db: Session, a: Customer, b: Customer, probability: float = 0.87) -> MatchReview:
    """An open duplicate review of two customers, as the nightly match run files one."""
    comparisons = {"name": {"level": "exact", "weight": 4.2}, "birth_date": {"level": "exact", "weight": 3.1}}
    review = MatchReview(
        kind="duplicate",
        status="open",
        customer_id=a.id,
        other_customer_id=b.id,
        probability=probability,
        comparisons=json.dumps(comparisons),
    )
    db.add(review)
    db.flush()
    return review


def plant_pair(db: Session, prefix: str = "7700000", unit: str = "BJ") -> Pair:
    """Two customers (``prefix``0001, ``prefix``0002) and a third they are linked with, each with rows everywhere."""
    survivor = make_customer(db, f"{prefix}0001", unit=unit, name="张伟")
    merged = make_customer(db, f"{prefix}0002", unit=unit, name="张伟", manager="am1")
    third = make_customer(db, f"{prefix}0003", unit=unit, name="李娜")
    ids = {"s": survivor.id, "m": merged.id, "t": third.id}
    bj, am1 = unit_id(db, unit), user_id(db, "am1")
    batch = add(
        db,
        "ingest_batch",
        source="CORE",
        file_type="accounts",
        # a day of its own per prefix: browser tests plant several pairs in one shared database
        business_date=date(2026, 1, 5) + timedelta(days=int(prefix) % 997),
        checksum="x" * 64,
    )
    accounts: list[int] = []
    for n, who in enumerate(("s", "m")):
        cid = ids[who]
        account = add(
            db,
            "account",
            customer_id=cid,
            account_no_enc="enc",
            account_no_index=f"{prefix}-acc-{n}",
            account_no_masked="6222****0001",
            product_code="DD-CNY",
            unit_id=bj,
            currency="CNY",
            status="ACTIVE",
            open_date=date(2020, 1, 1),
            batch_id=batch,
        )
        accounts.append(account)
        add(
            db,
            "balance_snapshot",
            account_id=account,
            balance_date=date(2026, 1, 4),
            customer_id=cid,
            balance=100,
            batch_id=batch,
        )
        add(
            db,
            "account_transaction",
            batch_id=batch,
            voucher_no=f"{prefix}-v{n}",
            account_id=account,
            customer_id=cid,
            txn_time=T0,
            amount=500,
            direction="C",
            channel="COUNTER",
        )
        add(
            db,
            "loan_contract",
            customer_id=cid,
            contract_no_enc="enc",
            contract_no_index=f"{prefix}-loan-{n}",
            contract_no_masked="LN****01",
            product_code="DD-CNY",
            unit_id=bj,
            currency="CNY",
            status="ACTIVE",
            amount=1000,
            drawn=1000,
            outstanding=900,
            rate_bp=400,
            term_months=12,
            start_date=date(2025, 1, 1),
            maturity_date=date(2026, 12, 31),
            repayment_method="EQUAL",
            guarantee_type="CREDIT",
            classification="NORMAL",
            batch_id=batch,
        )
        add(db, "task", kind="MATURITY", customer_id=cid, due_date=date(2026, 2, 1), status="OPEN")
        add(db, "customer_field_change", customer_id=cid, field="employer", changed_by_name="am1", changed_at=T0)
        add(
            db,
            "customer_contact",
            customer_id=cid,
            channel="email",
            purpose="email",
            value=f"{who}@example.com",
            value_masked=f"{who}@example.com",
        )
        add(
            db,
            "customer_source",
            source="CORE",
            source_customer_id=f"{prefix}-{who}",
            kind="individual",
            customer_id=cid,
            match_method="identity",
            # encrypted as the feed stores it (the test keys), so the Sources tab can show it
            values_enc=CIPHER.encrypt(
                json.dumps({"name": "张伟"}, ensure_ascii=False), _aad("CORE", f"{prefix}-{who}")
            ),
            values_hash="h" * 64,
            first_seen=date(2026, 1, 1),
            last_seen=date(2026, 1, 5),
        )
        add(
            db,
            "manager_assignment",
            customer_id=cid,
            manager_id=am1,
            role="primary",
            share_bp=10_000,
            valid_from=date(2025, 1, 1),
        )
    # Links: each to the third customer, and one between the pair (it would link the survivor to itself).
    add(
        db,
        "customer_link",
        from_customer_id=ids["m"],
        to_customer_id=ids["t"],
        link_type="SPOUSE",
        valid_from=date(2020, 1, 1),
    )
    add(
        db,
        "customer_link",
        from_customer_id=ids["t"],
        to_customer_id=ids["s"],
        link_type="GUARANTOR_FOR",
        valid_from=date(2021, 1, 1),
    )
    add(
        db,
        "customer_link",
        from_customer_id=ids["s"],
        to_customer_id=ids["m"],
        link_type="RELATIVE",
        valid_from=date(2022, 1, 1),
    )
    add(db, "family_member", customer_id=ids["t"], name="张伟", relation="SPOUSE", member_customer_id=ids["m"])
    # Households: both in their own; the merged customer heads its household.
    h1 = add(db, "household", head_customer_id=ids["s"])
    h2 = add(db, "household", head_customer_id=ids["m"])
    add(db, "household_member", customer_id=ids["s"], household_id=h1)
    add(db, "household_member", customer_id=ids["m"], household_id=h2)
    add(db, "household_member", customer_id=ids["t"], household_id=h2)
    add(db, "household_override", kind="HEAD", customer_id=ids["m"], household_id=h2)
    # A guarantee circle holding both (the survivor's membership stays, the merged one's is dropped).
    circle = add(db, "guarantee_circle", status="CURRENT", fingerprint="f" * 64, member_count=3, total_amount=100)
    for who in ("s", "m", "t"):
        add(db, "guarantee_circle_member", circle_id=circle, customer_id=ids[who])
    group = add(
        db,
        "corporate_group",
        core_customer_id=ids["m"],
        status="CURRENT",
        fingerprint="g" * 64,
        shape="star",
        member_count=2,
        controller_count=1,
        loan_balance=0,
        guarantees_given=0,
        deposit_balance=0,
    )
    add(db, "corporate_group_member", group_id=group, customer_id=ids["m"], role="core", depth=0)
    add(
        db,
        "corporate_group_member",
        group_id=group,
        customer_id=ids["t"],
        role="member",
        depth=1,
        parent_customer_id=ids["m"],
    )
    add(db, "match_distinct", customer_id=min(ids["m"], ids["t"]), other_customer_id=max(ids["m"], ids["t"]))
    _plant_parties(db, prefix, ids, accounts, bj)
    # Tags: both carry a rule tag (the survivor then holds two rows of it), the merged one a manual tag too.
    for who in ("s", "m"):
        add(db, "customer_tag", customer_id=ids[who], tag_code="HNW", source="rule", applied_at=T0)
    add(db, "customer_tag", customer_id=ids["m"], tag_code="KEY_FOLLOW", source="manual", note="VIP", applied_at=T0)
    review = review_of(db, survivor, merged)
    db.flush()
    db.expire_all()
    return Pair(survivor, merged, third, review)


def _plant_parties(db: Session, prefix: str, ids: dict[str, int], accounts: list[int], unit: int) -> None:
    """Parties of the two accounts and of the third's: each customer joint or signatory of another's account.

    The pair are both joint holders of the third's account, so the merge drops one of the two rows (the
    survivor's stands) and the unmerge brings it back.
    """
    day = date(2026, 1, 5) + timedelta(days=int(prefix) % 997)  # a day of its own per pair, as plant_pair's batch
    batch = add(db, "ingest_batch", source="CORE", file_type="account_parties", business_date=day, checksum="p" * 64)
    third = add(
        db,
        "account",
        customer_id=ids["t"],
        account_no_enc="enc",
        account_no_index=f"{prefix}-acc-t",
        account_no_masked="6222****0003",
        product_code="DD-CNY",
        unit_id=unit,
        currency="CNY",
        status="ACTIVE",
        open_date=date(2020, 1, 1),
        batch_id=batch,
    )
    for account, who, role in (
        (accounts[0], "m", "JOINT"),
        (accounts[0], "t", "AUTHORISED"),
        (accounts[1], "s", "JOINT"),
        (accounts[1], "t", "JOINT"),
        (third, "s", "JOINT"),
        (third, "m", "JOINT"),
    ):
        add(
            db,
            "account_party",
            account_id=account,
            customer_id=ids[who],
            role=role,
            batch_id=batch,
            business_date=day,
            valid_from=day,
        )


def customer_rows(db: Session, ids: set[int]) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table that names one of ``ids`` (the customer rows themselves included), sorted."""
    from bankcrm.matching.repository.rows import customer_columns

    db.flush()
    out: dict[str, list[dict[str, Any]]] = {}
    for name, columns in customer_columns().items():
        t = Base.metadata.tables[name]
        stmt = select(t).where(or_(*(t.c[c].in_(ids) for c in columns)))
        rows = [dict(r._mapping) for r in db.execute(stmt)]
        out[name] = sorted(rows, key=lambda r: json.dumps(r, sort_keys=True, default=str))
    return out
