"""The audit log through the list component: sort by a column with seq as tie-breaker, exact export."""

from __future__ import annotations

import csv
import io
import re
import zipfile

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.access.principal import Actor
from bankcrm.audit import service as audit_service
from bankcrm.models.audit import AuditEvent
from tests.conftest import signed_in, token_for


def _events(db: Session) -> list[int]:
    """Four events under ``zz.``: two of one action (a tie), outcomes and actors apart."""
    made = [
        audit_service.record(db, Actor(None, "carol"), "zz.b", outcome="failure", detail="=cmd()"),
        audit_service.record(db, Actor(None, "alice"), "zz.a", entity_type="customer", entity_id="00000000001"),
        audit_service.record(db, Actor(None, "bob"), "zz.c", outcome="denied"),
        audit_service.record(db, Actor(None, "alice", "10.0.0.9"), "zz.a"),
    ]
    db.commit()
    return [e.seq for e in made]


def _seqs(html: str) -> list[int]:
    return [int(s) for s in re.findall(r"<tr>\s*<td>(\d+)</td>", html)]


def test_sorting_by_action_breaks_ties_by_seq(client: TestClient, db: Session) -> None:
    # given four events, two with action zz.a
    b, a1, c, a2 = _events(db)
    page = signed_in(client, "admin")
    # when the log is sorted by action, then by action descending, then by user via the API
    asc = _seqs(page.get("/admin/audit?action=zz.&sort=action").text)
    desc = _seqs(page.get("/admin/audit?action=zz.&sort=-action").text)
    api = client.get("/api/v1/audit-events?action=zz.&sort=actor_username", headers=token_for(client, "admin"))
    # then ties keep seq order (ascending) either way
    assert asc == [a1, a2, b, c]
    assert desc == [c, b, a1, a2]
    assert [e["seq"] for e in api.json()["items"]] == [a1, a2, c, b]
    assert api.json()["pages"] == 1
    # and the default stays newest first
    assert _seqs(page.get("/admin/audit?action=zz.").text) == [a2, c, a1, b]


def test_unknown_sort_is_422_naming_sort(client: TestClient) -> None:
    response = client.get("/api/v1/audit-events?sort=hash", headers=token_for(client, "admin"))
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["sort"]


def test_export_rows_follow_filters_and_sort_and_the_export_is_audited(client: TestClient, db: Session) -> None:
    # given four events
    b, a1, c, a2 = _events(db)
    page = signed_in(client, "admin")
    # when the zz. events are exported sorted by outcome, in Chinese
    response = page.get("/admin/audit/export.csv?action=zz.&sort=outcome", headers={"Accept-Language": "zh-CN"})
    text = response.content.decode("utf-8").removeprefix("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    # then: denied, failure, success, success (seq order); codes beside the words; formula-like detail neutralised
    assert rows[0] == [
        "序号", "时间", "用户", "事件", "结果", "操作代码", "结果代码", "对象", "变更内容", "来源 IP", "哈希",
    ]  # fmt: skip
    assert [r[:3] + r[3:8] for r in rows[1:]] == [
        [str(c), rows[1][1], "bob", "bob: zz.c", "已拒绝", "zz.c", "denied", ""],
        [str(b), rows[2][1], "carol", "carol: zz.b", "失败", "zz.b", "failure", ""],
        [str(a1), rows[3][1], "alice", "alice: zz.a", "成功", "zz.a", "success", "customer 00000000001"],
        [str(a2), rows[4][1], "alice", "alice: zz.a", "成功", "zz.a", "success", ""],
    ]
    assert [r[8:10] for r in rows[1:]] == [["", ""], ["'=cmd()", ""], ["", ""], ["", "10.0.0.9"]]
    hashes = {e.seq: e.hash for e in db.scalars(select(AuditEvent).where(AuditEvent.action.like("zz.%")))}
    assert [r[10] for r in rows[1:]] == [hashes[c], hashes[b], hashes[a1], hashes[a2]]
    last = db.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
    assert (last.action, last.actor_username) == ("audit.export", "admin")
    assert last.detail == "4 rows; filters {'action': 'zz.'}; sort=outcome"


CIF = "90000000037"


def _known_events(db: Session) -> tuple[int, int, int]:
    """A customer created, a failed sign-in and an export by the system, each with a sentence of its own."""
    made = [
        audit_service.record(db, Actor(None, "alice"), "customer.create", entity_type="customer", entity_id=CIF),
        audit_service.record(db, Actor(None, "mallory"), "auth.login", outcome="failure", detail="zz-known"),
        audit_service.record(db, Actor(None, None), "customer.export", detail="zz-known"),
    ]
    db.commit()
    return made[0].seq, made[1].seq, made[2].seq


def test_export_words_each_event_in_the_readers_language_and_keeps_the_codes(client: TestClient, db: Session) -> None:
    # given a customer created by alice, a failed sign-in as mallory and an export by the system
    created, failed, exported = _known_events(db)
    page = signed_in(client, "admin")
    query = "/admin/audit/export.csv?sort=seq"

    # when the three events are exported in English and in Chinese
    def rows(lang: str) -> list[list[str]]:
        body = page.get(query, headers={"Accept-Language": lang}).content.decode("utf-8").removeprefix("\ufeff")
        wanted = {str(created), str(failed), str(exported)}
        return [[r[0], r[3], r[4], r[5], r[6], r[7]] for r in csv.reader(io.StringIO(body)) if r[0] in wanted]

    # then each row reads as a sentence with its outcome in words, the codes beside them
    assert rows("en") == [
        [str(created), f"alice created customer {CIF}", "Success", "customer.create", "success", f"customer {CIF}"],
        [str(failed), "A sign-in as mallory failed", "Failure", "auth.login", "failure", ""],
        [str(exported), "the system exported the customer list", "Success", "customer.export", "success", ""],
    ]
    assert rows("zh-CN") == [
        [str(created), f"alice 新建了客户 {CIF}", "成功", "customer.create", "success", f"customer {CIF}"],
        [str(failed), "mallory 登录失败", "失败", "auth.login", "failure", ""],
        [str(exported), "系统导出了客户列表", "成功", "customer.export", "success", ""],
    ]


def test_xlsx_export_carries_the_sentences(client: TestClient, db: Session) -> None:
    # given a customer created by alice
    _known_events(db)
    page = signed_in(client, "admin")
    # when the customer events are exported as a workbook in Chinese
    response = page.get("/admin/audit/export.xlsx?action=customer.create", headers={"Accept-Language": "zh-CN"})
    with zipfile.ZipFile(io.BytesIO(response.content)) as book:
        strings = book.read("xl/sharedStrings.xml").decode()
    # then the sentence and the code are both in it
    assert response.status_code == 200
    assert "alice 新建了客户 90000000037" in strings and "customer.create" in strings and "事件" in strings
