"""Data-quality figures over a hand-built bank: exact percentages per field and branch, scope, duplicates, sources."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM_PRINCIPAL, Principal
from bankcrm.access.service import auth as auth_service
from bankcrm.config import Settings
from bankcrm.errors import NotFound
from bankcrm.models.access import User
from bankcrm.quality.service import figures
from tests.factories import make_user
from tests.quality.helpers import TODAY, build


def principal(db: Session, username: str) -> Principal:
    return auth_service.principal_for(db.query(User).filter_by(username=username).one())


def by_field(fig: figures.QualityFigures) -> dict[str, tuple[int, float | None, float | None]]:
    return {f.key: (f.customers, f.complete_pct, f.valid_pct) for f in fig.fields}


def test_the_operations_manager_sees_each_field_of_their_branch_complete_and_valid_in_per_cent(
    db: Session, settings: Settings
) -> None:
    # given the hand-built bank (three served customers under BJ, one in SH, one closed)
    cipher = settings.field_cipher()
    build(db, cipher)
    # when the operations manager of BJ reads the figures
    fig = figures.compute(db, cipher, principal(db, "ops"), TODAY, "en")
    # then they cover the two individuals and the company under BJ, each field exactly
    assert fig.root.code == "BJ"
    assert fig.customers == 3
    assert by_field(fig) == {
        "individual.id_document": (2, 50.0, 50.0),
        "individual.id_expiry_date": (2, 50.0, 50.0),
        "individual.birth_date": (2, 100.0, 100.0),
        "individual.gender": (2, 100.0, 100.0),
        "individual.mobile": (2, 100.0, 50.0),  # the sparse customer's mobile "12345" is refused by the form
        "individual.phone": (2, 100.0, 50.0),
        "individual.email": (2, 50.0, 50.0),
        "individual.address": (2, 50.0, 50.0),
        "individual.occupation": (2, 50.0, 50.0),
        "individual.industry": (2, 50.0, 50.0),
        "corporate.uscc": (1, 100.0, 100.0),
        "corporate.legal_rep_name": (1, 100.0, 100.0),
        "corporate.licence_expiry": (1, 100.0, 0.0),  # expired on 2025-01-01
        "corporate.established_on": (1, 100.0, 100.0),
        "corporate.company_type": (1, 100.0, 100.0),
        "corporate.industry_division": (1, 0.0, 0.0),
        "corporate.enterprise_size": (1, 0.0, 0.0),
        "corporate.registered_address": (1, 0.0, 0.0),
        "corporate.phone": (1, 100.0, 100.0),  # the contact person's phone
    }
    # and per branch: the company homed at BJ itself, then each sub-branch with its subtree
    assert [
        (b.code, b.customers, b.checks, b.complete, b.valid, b.complete_pct, b.valid_pct, b.duplicates)
        for b in fig.branches
    ] == [
        ("BJ", 1, 9, 6, 5, 66.7, 55.6, 0),
        ("BJ-CY", 1, 10, 10, 10, 100.0, 100.0, 1),
        ("BJ-HD", 1, 10, 4, 2, 40.0, 20.0, 1),
        ("BJ-XC", 0, 0, 0, 0, None, None, 0),
    ]


def test_duplicates_count_customers_in_open_duplicate_reviews_only(db: Session, settings: Settings) -> None:
    # given an open duplicate review (complete, sparse), a decided one and an arrival review
    cipher = settings.field_cipher()
    build(db, cipher)
    # when BJ's operations manager and the bank-wide system read the figures
    ops = figures.compute(db, cipher, principal(db, "ops"), TODAY, "en")
    bank = figures.compute(db, cipher, SYSTEM_PRINCIPAL, TODAY, "en")
    # then the two customers of the open review count, over the customers of each scope
    assert (ops.duplicates, ops.customers, ops.duplicate_pct) == (2, 3, 66.7)
    assert (bank.duplicates, bank.customers, bank.duplicate_pct) == (2, 4, 50.0)


def test_customers_are_counted_per_source_system_and_without_any(db: Session, settings: Settings) -> None:
    # given the complete customer from CORE and CREDIT, the sparse one from CORE, the SH one from CARD
    cipher = settings.field_cipher()
    build(db, cipher)
    # when BJ's operations manager reads the figures
    fig = figures.compute(db, cipher, principal(db, "ops"), TODAY, "zh_CN")
    # then each source system counts its customers in scope and the company has none
    assert [(s.code, s.label, s.customers) for s in fig.sources] == [
        ("CORE", "核心系统", 2),
        ("CREDIT", "信贷管理系统", 1),
        ("CARD", "信用卡系统", 0),
        ("WEALTH", "理财销售平台", 0),
        ("CRM", "客户关系管理系统录入", 0),
        (None, "", 1),
    ]
    assert fig.without_source == 1


def test_a_branch_manager_sees_only_their_subtree(db: Session, settings: Settings) -> None:
    # given a branch manager of the Chaoyang sub-branch
    cipher = settings.field_cipher()
    build(db, cipher)
    make_user(db, "cymgr", "BJ-CY", "management")
    # when they read the figures
    fig = figures.compute(db, cipher, principal(db, "cymgr"), TODAY, "en")
    # then only the complete customer counts, every field of hers complete and valid, under the outlet
    assert (fig.root.code, fig.customers, fig.duplicates) == ("BJ-CY", 1, 1)
    assert {key: value for key, value in by_field(fig).items()} == {
        f"individual.{name}": (1, 100.0, 100.0)
        for name in (
            "id_document",
            "id_expiry_date",
            "birth_date",
            "gender",
            "mobile",
            "phone",
            "email",
            "address",
            "occupation",
            "industry",
        )
    }
    assert [(b.code, b.customers) for b in fig.branches] == [("BJ-CY-01", 1), ("BJ-CY-02", 0)]


def test_the_bank_wide_view_rolls_branches_up_and_a_unit_outside_the_scope_is_not_found(
    db: Session, settings: Settings
) -> None:
    # given the bank
    cipher = settings.field_cipher()
    bank = build(db, cipher)
    # when the system reads the whole bank, and BJ's operations manager asks for SH
    fig = figures.compute(db, cipher, SYSTEM_PRINCIPAL, TODAY, "en")
    sh = bank.expired.home_unit_id
    # then the branches are the head office's children
    assert [(b.code, b.customers, b.complete, b.valid) for b in fig.branches if b.customers] == [
        ("BJ", 3, 20, 17),
        ("SH", 1, 4, 2),
    ]
    with pytest.raises(NotFound):
        figures.compute(db, cipher, principal(db, "ops"), TODAY, "en", unit_id=sh)
