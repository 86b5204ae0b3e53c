"""The history tab and the audit log read in the reader's language: field and code labels, sentences, no raw codes."""

from __future__ import annotations

import re

from tests.conftest import signed_in, token_for
from tests.factories import approved, individual

ZH = {"Accept-Language": "zh-CN"}
EN = {"Accept-Language": "en"}


def _cells(html: str, table_id: str) -> list[str]:
    """The text of every cell of one table, tags stripped."""
    table = html.split(f'id="{table_id}"')[1].split("</table>")[0]
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", table, re.S)]


def _known_changes(client, db) -> str:  # type: ignore[no-untyped-def]
    """A customer created with occupation 2, then changed to occupation 4, education 60 and marital status 20."""
    cif_no = approved(client, db, individual(db, occupation="2", marital_status="10"))
    changed = client.patch(
        f"/api/v1/customers/{cif_no}",
        json={"occupation": "4", "education": "60", "marital_status": "20"},
        headers=token_for(client, "am1"),
    )
    assert changed.status_code == 200, changed.text
    return cif_no


def test_history_shows_field_and_code_labels_in_chinese_never_codes(client, db):
    cif_no = _known_changes(client, db)
    page = signed_in(client, "am1").get(f"/customers/{cif_no}", headers=ZH).text
    cells = _cells(page, "history")
    # the change of occupation reads 职业: 专业技术人员 → 社会生产服务和生活服务人员
    row = cells.index("职业")
    assert cells[row + 1 : row + 3] == ["专业技术人员", "社会生产服务和生活服务人员"]
    assert "学历" in cells and "普通高级中学" in cells
    assert "婚姻状况" in cells and "已婚" in cells
    # the creation's values are labelled too
    assert "居民身份证" in cells and "正常" in cells and "汉族" in cells
    # and no column name or code is left
    for raw in (
        "occupation",
        "education",
        "marital_status",
        "id_type",
        "status",
        "2",
        "4",
        "60",
        "20",
        "RIC",
        "ACTIVE",
    ):
        assert raw not in cells, raw


def test_history_reads_in_english_too(client, db):
    cif_no = _known_changes(client, db)
    cells = _cells(signed_in(client, "am1").get(f"/customers/{cif_no}", headers=EN).text, "history")
    row = cells.index("Occupation")
    assert cells[row + 1 : row + 3] == [
        "Professional and technical personnel",
        "Production and personal service workers",
    ]
    assert "Senior high school" in cells and "60" not in cells and "occupation" not in cells


def test_audit_log_reads_as_sentences_with_the_raw_details_folded(client, db):
    cif_no = _known_changes(client, db)
    admin = signed_in(client, "admin")
    en = admin.get("/admin/audit?entity_type=customer&action=customer.update", headers=EN).text
    zh = admin.get("/admin/audit?entity_type=customer&action=customer.update", headers=ZH).text
    # then the event is a sentence in each language
    assert f'<td class="audit-sentence" data-action="customer.update">am1 changed customer {cif_no}</td>' in en
    assert f'<td class="audit-sentence" data-action="customer.update">am1 修改了客户 {cif_no}</td>' in zh
    # and the action code and the raw changes are inside a <details>, nowhere else in the row
    row = en.split('data-action="customer.update"')[1].split("</tr>")[0]
    details = row.split("<details>")[1].split("</details>")[0]
    assert "<code>customer.update</code>" in details
    assert "&#34;occupation&#34;: [&#34;2&#34;, &#34;4&#34;]" in details
    outside = row.replace(details, "")
    assert row.count("customer.update") == 1 and "occupation" not in outside


def test_the_forms_label_fields_from_the_same_table(client, db):
    cif_no = _known_changes(client, db)
    am1 = signed_in(client, "am1")
    new = am1.get("/customers/new?kind=individual", headers=ZH).text
    edit = am1.get(f"/customers/{cif_no}/edit", headers=ZH).text
    assert '<label class="form-label" for="f-occupation">职业</label>' in new
    assert '<label class="form-label" for="f-occupation">职业</label>' in edit
    assert '<label class="form-label required" for="f-id_type">证件类型 ✱</label>' in edit
