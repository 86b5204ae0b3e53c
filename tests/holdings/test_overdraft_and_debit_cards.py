"""An overdraft in the figures and the 360° view: a liability, never negative AUM; a debit card counted once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.holdings.jobs import nightly
from tests.conftest import signed_in, token_for
from tests.factories import make_customer
from tests.holdings.helpers import account, load, loan, write_file

CIF = "90000000011"
SEPT = date(2026, 9, 30)


def test_an_overdraft_is_a_liability_and_aum_never_goes_below_zero(
    client: TestClient, db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given a demand account overdrawn at the end of September (its only holding then)
    make_customer(db, CIF)
    load(
        db,
        settings,
        write_file(tmp_path / "a0.csv", "accounts", [account("6222000000000001", CIF)]),
        "accounts",
        day=SEPT,
    )
    sept = [{"account_no": "6222000000000001", "balance": "-300.00"}]
    load(db, settings, write_file(tmp_path / "b0.csv", "balances", sept), "balances", day=SEPT)
    # And on 30 October a fund of 2,000.00, a loan of 80,000.00 outstanding, the demand account at -250.75
    fund = account("6222000000000002", CIF, product_code="FD-MMF", balance="2000.00")
    load(db, settings, write_file(tmp_path / "a1.csv", "accounts", [fund]), "accounts")
    load(db, settings, write_file(tmp_path / "l.csv", "loans", [loan("LN00000001", CIF)]), "loans")
    octo = [
        {"account_no": "6222000000000001", "balance": "-250.75"},
        {"account_no": "6222000000000002", "balance": "2000.00"},
    ]
    load(db, settings, write_file(tmp_path / "b1.csv", "balances", octo), "balances")
    # When the nightly batch runs and am1 reads the 360° view
    nightly(db, settings)
    body = client.get(f"/api/v1/customers/{CIF}/view", headers=token_for(client, "am1")).json()
    # Then AUM counts the fund only, deposits nothing, and the overdraft adds to the loans
    figures = body["figures"]
    assert (figures["aum"], figures["deposit_balance"], figures["loan_balance"]) == (200_000, 0, 8_025_075)
    assert (figures["monthly_avg_balance"], figures["product_count"]) == (200_000, 3)
    # And September's month-end shows AUM 0, not a missing month
    assert body["balance_series"][-2:] == [{"month": "2026-09", "aum": 0}, {"month": "2026-10", "aum": 200_000}]
    # And the holdings show the overdrawn balance as it is
    assert [(a["product_code"], a["balance"]) for a in body["accounts"]] == [("DD-CNY", -25_075), ("FD-MMF", 200_000)]


def test_a_debit_card_is_a_product_held_not_a_loan_and_not_counted_twice_in_aum(
    client: TestClient, db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given a demand account of 1,000.00 and a debit card on it, delivered with the same balance
    make_customer(db, CIF)
    rows = [
        account("6222000000000001", CIF),
        account("6222000000000002", CIF, product_code="DC-STD", linked_account_no="6222000000000001"),
    ]
    load(db, settings, write_file(tmp_path / "a.csv", "accounts", rows), "accounts")
    # When the nightly batch runs and am1 reads the 360° view
    nightly(db, settings)
    response = client.get(f"/api/v1/customers/{CIF}/view", headers=token_for(client, "am1"))
    body = response.json()
    # Then the money counts once, the card is no loan, and it is one of the two products held
    figures = body["figures"]
    assert (figures["aum"], figures["deposit_balance"], figures["loan_balance"]) == (100_000, 100_000, 0)
    assert figures["product_count"] == 2
    # And the card is listed as a debit card with its linked account masked
    assert [(a["product_code"], a["category"], a["linked_account_no"]) for a in body["accounts"]] == [
        ("DD-CNY", "DEMAND", None),
        ("DC-STD", "DEBIT_CARD", "************0001"),
    ]
    assert "6222000000000001" not in response.text
    # And the 360° page names it in both languages, with the account it draws on
    am1 = signed_in(client, "am1")
    english = am1.get(f"/customers/{CIF}/360").text
    chinese = am1.get(f"/customers/{CIF}/360", headers={"Accept-Language": "zh-CN"}).text
    assert "Debit card (standard)" in english and "Draws on ************0001" in english
    assert "标准借记卡" in chinese and "关联账户 ************0001" in chinese
