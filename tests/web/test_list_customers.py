"""The customer list through the list component: sorting with a tie-breaker, the 422 for a bad sort, the export."""

from __future__ import annotations

import csv
import io
import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.models.audit import AuditEvent
from tests.conftest import signed_in, token_for
from tests.customers.helpers import approved, corporate, individual, resident_id

AM1 = "李明 Li Ming"  # am1's display name in the demo staff


def _three(client: TestClient, db: Session) -> tuple[str, str, str]:
    """王五 and 张三 (individuals) and a company, created in that order (so CIF numbers ascend)."""
    wang = approved(client, db, individual(db, name="王五", id_no=resident_id(seq="111"), phones=[]))
    zhang = approved(client, db, individual(db, name="张三", id_no=resident_id(seq="333"), phones=[]))
    company = approved(client, db, corporate(db))
    return wang, zhang, company


def _csv(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8").removeprefix("\ufeff"))))


def _cifs(html: str) -> list[str]:
    return re.findall(r'<td><a href="/customers/(\d{11})">', html)


def test_sorting_by_kind_breaks_ties_by_cif_number_on_page_and_api(client: TestClient, db: Session) -> None:
    # given two individuals and a company
    wang, zhang, company = _three(client, db)
    page = signed_in(client, "am1")
    api = token_for(client, "am1")
    # when sorted by kind, either way, on the page and in the API
    asc = _cifs(page.get("/customers?sort=kind").text)
    desc = _cifs(page.get("/customers?sort=-kind").text)
    by_name = client.get("/api/v1/customers?sort=-name", headers=api).json()
    # then the individuals keep CIF order between them whichever way the kind goes
    assert asc == [company, wang, zhang]
    assert desc == [wang, zhang, company]
    # (names sort by code point: 王 U+738B, 张 U+5F20, 北 U+5317; shown masked)
    assert [c["cif_no"] for c in by_name["items"]] == [wang, zhang, company]
    assert (by_name["total"], by_name["page"], by_name["size"], by_name["pages"]) == (3, 1, 25, 1)


def test_the_sorted_column_header_says_so_and_links_the_other_way(client: TestClient, db: Session) -> None:
    page = signed_in(client, "am1")
    html = page.get("/customers?sort=-status&kind=individual").text
    assert '<th aria-sort="descending" data-sort-key="status">' in html
    assert 'href="/customers?kind=individual&amp;sort=status"' in html
    assert (
        '<th aria-sort="none" data-sort-key="name">'
        '<a class="table-sort" href="/customers?kind=individual&amp;sort=name"' in html
    )
    assert 'href="/customers/export.csv?kind=individual&amp;sort=-status"' in html


def test_an_unknown_sort_field_is_a_422_naming_sort(client: TestClient, db: Session) -> None:
    api = token_for(client, "am1")
    response = client.get("/api/v1/customers?sort=id_no", headers=api)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "sort",
            "message": "Cannot sort by 'id_no'; choose one of: cif_no, home_unit, kind, name, status.",
        }
    ]
    page = signed_in(client, "am1")
    assert page.get("/customers?sort=name,-name").status_code == 422
    partial = page.get("/customers?sort=id_no", headers={"HX-Request": "true"})
    assert partial.status_code == 422
    assert "<code>sort</code>: Cannot sort by &#39;id_no&#39;; choose one of:" in partial.text
    full = page.get("/customers?sort=id_no")
    assert full.status_code == 422 and "Cannot sort by &#39;id_no&#39;" in full.text


def test_export_has_the_sorted_rows_masked_but_for_names_and_chinese_headers(client: TestClient, db: Session) -> None:
    # given two individuals and a company
    wang, zhang, _company = _three(client, db)
    page = signed_in(client, "am1")
    # when am1 exports individuals sorted by name, descending, in Chinese
    response = page.get("/customers/export.csv?kind=individual&sort=-name", headers={"Accept-Language": "zh-CN"})
    # then the rows are those individuals in that order, names in full (am1 may see them), ID numbers masked
    assert response.headers["content-disposition"] == 'attachment; filename="customers.csv"'
    rows = _csv(response.content)
    assert rows == [
        ["客户号", "类型", "状态", "名称", "证件类型", "证件号码", "统一社会信用代码", "机构", "客户经理", "标签"],
        [
            wang,
            "individual",
            "ACTIVE",
            "王五",
            "RIC",
            "110" + "*" * 11 + resident_id(seq="111")[-4:],
            "",
            "BJ",
            AM1,
            "",
        ],
        [
            zhang,
            "individual",
            "ACTIVE",
            "张三",
            "RIC",
            "110" + "*" * 11 + resident_id(seq="333")[-4:],
            "",
            "BJ",
            AM1,
            "",
        ],
    ]
    last = db.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
    assert (last.action, last.actor_username) == ("customer.export", "am1")
    assert last.detail == "2 rows; q='' kind=individual status= tag= sort=-name"
