"""The loans list: loan contracts in the reader's scope, sortable, filtered by class, status, branch and product,
with its API twin and a masked, audited export."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.models.audit import AuditEvent
from bankcrm.models.holding import LoanContract
from tests.conftest import signed_in, token_for
from tests.factories import make_customer
from tests.holdings.helpers import load, loan, write_file

L1, L2, L3 = "94000000001", "94000000002", "94000000003"


def given_four_loans(db: Session, settings: Settings, tmp_path: Path) -> dict[str, int]:
    """L1 (BJ) 王小明, L2 (Haidian, under BJ) 李四, L3 (SH) 赵六; four contracts, by number → id.

    LN1: L1 consumer 80,000.00 normal; LN2: L2 mortgage 500,000.00 substandard 95 days overdue, booked at BJ-HD;
    LN3: L1 business 20,000.00 normal, settled; LN4: L3 consumer 30,000.00 doubtful, booked at SH.
    """
    make_customer(db, L1, name="王小明")
    make_customer(db, L2, unit="BJ-HD", name="李四")
    make_customer(db, L3, unit="SH", manager="am2", name="赵六")
    rows = [
        loan("LN94000001", L1),
        loan(
            "LN94000002",
            L2,
            product_code="PL-MORT",
            branch_code="BJ-HD",
            amount="600000.00",
            drawn="600000.00",
            outstanding="500000.00",
            classification="SUBSTANDARD",
            days_overdue="95",
            maturity_date="2046-01-01",
        ),
        loan("LN94000003", L1, product_code="PL-BUS", outstanding="20000.00", status="SETTLED"),
        loan("LN94000004", L3, branch_code="SH", outstanding="30000.00", classification="DOUBTFUL", days_overdue="200"),
    ]
    load(db, settings, write_file(tmp_path / "loans.csv", "loans", rows), "loans")
    db.commit()
    return _ids(db)


def _ids(db: Session) -> dict[str, int]:
    """LN1..LN4 → contract id, in the order they were loaded."""
    ids = sorted(db.scalars(select(LoanContract.id)))
    return {f"LN{i + 1}": v for i, v in enumerate(ids[-4:])}


def _rows(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-loan="(\d+)">', html)]


def test_each_reader_lists_the_loans_in_their_scope_largest_first(
    client: TestClient, db: Session, settings: Settings, tmp_path: Path
) -> None:
    # given four loans, one in Shanghai
    ln = given_four_loans(db, settings, tmp_path)
    # when the risk manager (whole bank) and the BJ manager open the loans list
    risk = _rows(signed_in(client, "risk").get("/loans").text)
    manager_page = signed_in(client, "manager").get("/loans").text
    # then the largest outstanding comes first; the BJ manager sees BJ and Haidian, not Shanghai
    assert risk == [ln["LN2"], ln["LN1"], ln["LN4"], ln["LN3"]]
    assert _rows(manager_page) == [ln["LN2"], ln["LN1"], ln["LN3"]]
    assert "3 loans" in manager_page


def test_filters_by_class_status_branch_and_product(
    client: TestClient, db: Session, settings: Settings, tmp_path: Path
) -> None:
    # given four loans
    ln = given_four_loans(db, settings, tmp_path)
    page = signed_in(client, "risk")
    # when the list is filtered, then exactly the matching loans are listed
    assert _rows(page.get("/loans?loan_class=NORMAL").text) == [ln["LN1"], ln["LN3"]]
    assert _rows(page.get("/loans?status=ACTIVE").text) == [ln["LN2"], ln["LN1"], ln["LN4"]]
    assert _rows(page.get("/loans?branch=BJ").text) == [ln["LN2"], ln["LN1"], ln["LN3"]]  # BJ and the units under it
    assert _rows(page.get("/loans?branch=BJ-HD").text) == [ln["LN2"]]
    assert _rows(page.get("/loans?branch=NOPE").text) == []
    assert _rows(page.get("/loans?product=PL-CONS&loan_class=DOUBTFUL").text) == [ln["LN4"]]


def test_sorting_by_class_follows_the_code_table_and_breaks_ties_by_id(
    client: TestClient, db: Session, settings: Settings, tmp_path: Path
) -> None:
    # given four loans
    ln = given_four_loans(db, settings, tmp_path)
    page = signed_in(client, "risk")
    # when sorted by class (normal before substandard before doubtful, not alphabetically), and the other way
    asc = _rows(page.get("/loans?sort=classification").text)
    desc = _rows(page.get("/loans?sort=-classification").text)
    # then ties keep the contract order either way
    assert asc == [ln["LN1"], ln["LN3"], ln["LN2"], ln["LN4"]]
    assert desc == [ln["LN4"], ln["LN2"], ln["LN1"], ln["LN3"]]
    assert _rows(page.get("/loans?sort=-days_overdue").text) == [ln["LN4"], ln["LN2"], ln["LN1"], ln["LN3"]]
    # and an unknown sort is a 422 naming it
    assert page.get("/loans?sort=contract_no").status_code == 422


def test_the_api_twin_lists_the_same_loans_in_minor_units(
    client: TestClient, db: Session, settings: Settings, tmp_path: Path
) -> None:
    # given four loans
    ln = given_four_loans(db, settings, tmp_path)
    # when the BJ manager asks the API for the normal loans sorted by outstanding, and for Haidian in Chinese
    headers = token_for(client, "manager")
    normal = client.get("/api/v1/loans?loan_class=NORMAL&sort=outstanding", headers=headers).json()
    haidian = client.get("/api/v1/loans?branch=BJ-HD", headers={**headers, "Accept-Language": "zh-CN"}).json()
    # then the items are exact, numbers masked, money in fen, labels in the reader's language
    assert [(i["id"], i["cif_no"], i["outstanding"], i["status"]) for i in normal["items"]] == [
        (ln["LN3"], L1, 2_000_000, "SETTLED"),
        (ln["LN1"], L1, 8_000_000, "ACTIVE"),
    ]
    assert (normal["total"], normal["pages"]) == (2, 1)
    [item] = haidian["items"]
    assert (item["customer_name"], item["product"], item["unit_code"], item["class_label"], item["status_label"]) == (
        "李四",
        "个人住房按揭贷款",
        "BJ-HD",
        "次级",
        "正常",
    )
    assert "94000002" not in item["contract_no"]
    # and the Shanghai loan is not there for the BJ manager
    assert client.get("/api/v1/loans?branch=SH", headers=headers).json()["items"] == []


def test_the_export_is_exact_masked_as_on_screen_and_audited(
    client: TestClient, db: Session, settings: Settings, tmp_path: Path
) -> None:
    # given four loans
    given_four_loans(db, settings, tmp_path)
    masked = dict(db.execute(select(LoanContract.outstanding, LoanContract.contract_no_masked)).all())
    # when the product manager (names masked) exports the active loans in Chinese
    page = signed_in(client, "product")
    response = page.get("/loans/export.csv?status=ACTIVE", headers={"Accept-Language": "zh-CN"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").removeprefix("\ufeff"))))
    # then the rows are exact, largest first, names and contract numbers masked, class and status in Chinese
    assert rows[0] == [
        "合同号", "客户号", "名称", "产品", "经办机构", "分类", "分类代码", "状态", "状态代码", "币种", "金额", "余额",
        "逾期天数", "起始日", "到期日",
    ]  # fmt: skip
    assert rows[1:] == [
        [masked[50_000_000], L2, "李*", "个人住房按揭贷款", "BJ-HD", "次级", "SUBSTANDARD", "正常", "ACTIVE", "CNY",
         "600000.00", "500000.00", "95", "2025-06-01", "2046-01-01"],
        [masked[8_000_000], L1, "王**", "个人消费贷款", "BJ", "正常", "NORMAL", "正常", "ACTIVE", "CNY",
         "100000.00", "80000.00", "0", "2025-06-01", "2027-06-01"],
        [masked[3_000_000], L3, "赵*", "个人消费贷款", "SH", "可疑", "DOUBTFUL", "正常", "ACTIVE", "CNY",
         "100000.00", "30000.00", "200", "2025-06-01", "2027-06-01"],
    ]  # fmt: skip
    assert all("9400000" not in r[0] for r in rows[1:])
    # and the export is one audit event naming the filter
    last = db.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
    assert (last.action, last.actor_username) == ("loan.export", "product")
    assert last.detail == "3 rows; filters {'status': 'ACTIVE'}; sort=-outstanding"


def test_the_loan_class_card_links_each_class_to_the_filtered_list(
    client: TestClient, db: Session, settings: Settings, tmp_path: Path
) -> None:
    # given four loans
    given_four_loans(db, settings, tmp_path)
    # when the risk manager opens the home page, and the product manager theirs
    risk = signed_in(client, "risk").get("/").text
    product = signed_in(client, "product").get("/").text
    # then each class links to the list filtered by that class, and each loan product to the list of its loans
    assert '<a href="/loans?loan_class=SUBSTANDARD">Substandard</a>' in risk
    assert '<a href="/loans?loan_class=LOSS">Loss</a>' in risk
    assert '<a href="/loans?product=PL-MORT">Residential mortgage</a>' in product
