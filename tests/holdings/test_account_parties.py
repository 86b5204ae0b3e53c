"""Accounts with parties: each party's 360° view lists them with the role, and every figure counts them once."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.access.service import auth as auth_service
from bankcrm.config import Settings
from bankcrm.holdings.jobs import nightly
from bankcrm.holdings.service import cards
from bankcrm.kit.time import BankDay
from bankcrm.models.access import User
from bankcrm.models.holding import CustomerFigure
from tests.conftest import signed_in, token_for
from tests.factories import make_customer
from tests.holdings.helpers import DAY, account, load, write_file

A, B, C, CO = "95000000001", "95000000002", "95000000003", "95000000011"
ACC1, ACC2, ACC3, TD = "6222950000000001", "6222950000000002", "6222950000000003", "6222950000000004"


def _principal(db: Session, username: str) -> Principal:
    return auth_service.principal_for(db.query(User).filter_by(username=username).one())


def given_joint_accounts(db: Session, settings: Settings, tmp_path: Path) -> dict[str, int]:
    """am1's A and B (BJ, a couple), am2's C (SH), a BJ company; B joint holder of A's demand account,
    A and C authorised signatories of the company's, and C's signing power ended.

    A: demand 1,000.00 and a time deposit 50,000.00; B: demand 3,000.00; the company: demand 20,000.00.
    """
    ids = {
        A: make_customer(db, A).id,
        B: make_customer(db, B, name="李四").id,
        C: make_customer(db, C, unit="SH", manager="am2", name="王五").id,
        CO: make_customer(db, CO, kind="corporate", name="北京星河科技有限公司").id,
    }
    accounts = [
        account(ACC1, A),
        account(TD, A, product_code="TD-1Y", rate="1.75", balance="50000.00", maturity_date="2027-10-30"),
        account(ACC2, CO, balance="20000.00"),
        account(ACC3, B, balance="3000.00"),
    ]
    load(db, settings, write_file(tmp_path / "a.csv", "accounts", accounts), "accounts")
    parties = [
        {"account_no": ACC1, "cif_no": B, "role": "JOINT"},
        {"account_no": ACC2, "cif_no": A, "role": "AUTHORISED"},
        {"account_no": ACC2, "cif_no": C, "role": "AUTHORISED"},
        {"account_no": ACC3, "cif_no": C, "role": "POA", "valid_from": "2026-01-01", "valid_to": "2026-06-01"},
    ]
    result = load(db, settings, write_file(tmp_path / "p.csv", "account_parties", parties), "account_parties")
    assert result.run.rows_rejected == 0
    nightly(db, settings)
    return ids


def test_each_partys_360_view_lists_the_account_with_its_role_masked(
    client: TestClient, db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given the joint and signatory accounts
    given_joint_accounts(db, settings, tmp_path)
    # When am1 reads B's 360° view
    body = client.get(f"/api/v1/customers/{B}/view", headers=token_for(client, "am1")).json()
    # Then B's own account is under accounts, A's as joint holder apart, masked, with its balance
    assert [a["account_no"] for a in body["accounts"]] == ["************0003"]
    assert [(a["account_no"], a["role"], a["role_label"], a["balance"]) for a in body["party_accounts"]] == [
        ("************0001", "JOINT", "Joint holder", 100_000)
    ]
    # And A's view lists the company's account A signs for, and A's own two
    body = client.get(f"/api/v1/customers/{A}/view", headers=token_for(client, "am1")).json()
    assert sorted(a["account_no"] for a in body["accounts"]) == ["************0001", "************0004"]
    assert [(a["account_no"], a["role"]) for a in body["party_accounts"]] == [("************0002", "AUTHORISED")]
    # And the owner's view lists none of its own accounts as a party's
    body = client.get(f"/api/v1/customers/{CO}/view", headers=token_for(client, "am1")).json()
    assert (len(body["accounts"]), body["party_accounts"]) == (1, [])


def test_a_party_sees_the_account_as_it_relates_to_them_and_an_out_of_scope_party_is_404(
    client: TestClient, db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given the accounts; C is am2's (SH), the company am1's (BJ)
    given_joint_accounts(db, settings, tmp_path)
    # When am2 reads C's view
    body = client.get(f"/api/v1/customers/{C}/view", headers=token_for(client, "am2")).json()
    # Then the company's account is listed as C's signatory account (C's ended power of attorney is not)
    assert [(a["account_no"], a["role"], a["balance"]) for a in body["party_accounts"]] == [
        ("************0002", "AUTHORISED", 2_000_000)
    ]
    # And am2 may not read A or B, though their accounts have parties: 404
    for cif in (A, B, CO):
        response = client.get(f"/api/v1/customers/{cif}/view", headers=token_for(client, "am2"))
        assert response.status_code == 404, cif
    # And am1 may not read C
    assert client.get(f"/api/v1/customers/{C}/view", headers=token_for(client, "am1")).status_code == 404


def test_the_360_page_shows_the_section_in_both_languages(
    client: TestClient, db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given the accounts, and am1 signed in
    given_joint_accounts(db, settings, tmp_path)
    am1 = signed_in(client, "am1")
    # When am1 opens B's 360° page in English and in Chinese
    english = am1.get(f"/customers/{B}/360")
    chinese = am1.get(f"/customers/{B}/360", headers={"Accept-Language": "zh-CN"})
    # Then both show A's account in B's joint section, masked, with the role
    assert english.status_code == chinese.status_code == 200
    for page in (english.text, chinese.text):
        assert 'id="party-accounts"' in page and "************0001" in page and ACC1 not in page
    assert "Accounts as joint holder or signatory" in english.text and "Joint holder" in english.text
    assert "作为联名持有人或授权签字人的账户" in chinese.text and "联名持有人" in chinese.text
    # And a customer who is no party has no such section
    assert 'id="party-accounts"' not in am1.get(f"/customers/{CO}/360").text


def test_a_joint_account_counts_once_under_its_owner(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given the accounts and the nightly figures
    ids = given_joint_accounts(db, settings, tmp_path)
    # Then each customer's AUM is what they own: A 1,000 + 50,000.00; B 3,000.00 (not A's joint account);
    # the company 20,000.00; C, a signatory only, holds nothing and has no figures
    aum = {f.customer_id: f.aum for f in db.scalars(select(CustomerFigure))}
    assert aum == {ids[A]: 5_100_000, ids[B]: 300_000, ids[CO]: 2_000_000}
    on = BankDay.of(DAY, settings.timezone)
    # And the BJ manager's and the bank's portfolio count each account once: 74,000.00
    for username in ("manager", "product"):
        p = cards.portfolio_card(db, _principal(db, username), on)
        assert (p.customers, p.aum, p.deposits) == (3, 7_400_000, 7_400_000), username
    # And am1's book too (A, B and the company are am1's)
    p = cards.portfolio_card(db, _principal(db, "am1"), on)
    assert (p.customers, p.aum) == (3, 7_400_000)
    # And per product, three demand accounts of three customers, one time deposit
    bank = cards.products_card(db, _principal(db, "product"))
    assert [(h.product.code, h.holdings, h.customers, h.balance) for h in bank] == [
        ("DD-CNY", 3, 3, 2_400_000),
        ("TD-1Y", 1, 1, 5_000_000),
    ]


def test_the_owners_view_lists_each_accounts_other_parties_named_only_in_scope(
    client: TestClient, db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given the accounts: B joint holder of A's demand account; A and C (am2's, SH) signatories of the company's
    given_joint_accounts(db, settings, tmp_path)
    # When am1 reads A's and the company's views
    a_view = client.get(f"/api/v1/customers/{A}/view", headers=token_for(client, "am1")).json()
    co_view = client.get(f"/api/v1/customers/{CO}/view", headers=token_for(client, "am1")).json()
    # Then A's demand account names B as joint holder; the time deposit has no other party
    parties = {a["account_no"]: a["parties"] for a in a_view["accounts"]}
    assert parties == {
        "************0001": [
            {"role": "JOINT", "role_label": "Joint holder", "cif_no": B, "name": "李四", "valid_to": None}
        ],
        "************0004": [],
    }
    # And the company's account names A, and C (outside am1's scope) by role only
    assert [(p["role"], p["cif_no"], p["name"]) for p in co_view["accounts"][0]["parties"]] == [
        ("AUTHORISED", A, "张三"),
        ("AUTHORISED", None, None),
    ]
    # And the 360° page shows them, linked in scope, in both languages
    am1 = signed_in(client, "am1")
    english = am1.get(f"/customers/{CO}/360").text
    chinese = am1.get(f"/customers/{CO}/360", headers={"Accept-Language": "zh-CN"}).text
    assert f'href="/customers/{A}/360"' in english and "a customer outside your scope" in english
    assert "您数据范围以外的客户" in chinese and C not in chinese
