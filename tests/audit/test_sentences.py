"""Every audited action reads as a sentence in both languages; the table and the code name the same actions."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

import bankcrm
from bankcrm.audit.sentences import ENTITIES, SENTENCES, sentence
from tests.audit.action_scan import recorded_actions

LOCALE = Path(bankcrm.__file__).parent / "locale"


def _catalog(locale: str) -> dict[str, str]:
    with (LOCALE / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return {m.id: m.string for m in read_po(f) if isinstance(m.id, str) and m.id}


def test_the_sentence_table_names_exactly_the_actions_the_code_records() -> None:
    table = {k if isinstance(k, str) else k[0] for k in SENTENCES}
    assert sorted(recorded_actions() - table) == []
    assert sorted(table - recorded_actions()) == []


def test_every_sentence_and_record_kind_is_in_both_catalogs() -> None:
    en, zh = _catalog("en"), _catalog("zh_CN")
    messages = sorted({*SENTENCES.values(), *ENTITIES.values()})
    assert [m for m in messages if m not in en] == []
    assert [m for m in messages if not zh.get(m) or zh[m].count("%(") != m.count("%(")] == []


def test_an_event_reads_as_a_sentence_in_each_language() -> None:
    args = ("change_request.submit", "success", "am1", "change_request", "12")
    assert sentence("en", *args) == "am1 submitted change request 12"
    assert sentence("zh_CN", *args) == "am1 提交了客户信息变更申请 12"
    failed = ("auth.login", "failure", "nobody", None, None)
    assert sentence("en", *failed) == "A sign-in as nobody failed"
    assert sentence("zh_CN", "pii.unmask", "success", "manager", "customer", "90000000037") == (
        "manager 查看了客户 90000000037 的个人信息明文"
    )
    # a job's event has no user: the system did it; an action missing from the table still reads
    assert sentence("en", "batch.nightly", "success", None, None, None) == "the system ran the nightly batch"
    assert sentence("en", "zz.unknown", "success", "bob", None, None) == "bob: zz.unknown"


def test_chinese_sentences_read_as_a_bank_clerk_writes_them() -> None:
    # given events by a user and by the system, in Chinese
    def zh(action: str, outcome: str, actor: str | None, entity_type: str | None, entity_id: str | None) -> str:
        return sentence("zh_CN", action, outcome, actor, entity_type, entity_id)

    # then no space sits between two Chinese words, one sits between Chinese and a name or number
    assert zh("customer.export", "success", None, None, None) == "系统导出了客户列表"
    assert zh("batch.nightly", "success", None, None, None) == "系统执行了日终批处理"
    assert zh("customer.create", "success", "alice", "customer", "90000000037") == "alice 新建了客户 90000000037"
    assert zh("household.head_set", "success", "am1", "household", "5") == "am1 设置了家庭 5 的户主"
    # and the wording is the counter's, not a word-for-word rendering of the English
    assert zh("auth.login", "failure", "mallory", None, None) == "mallory 登录失败"
    assert zh("authz.denied", "denied", "teller", None, None) == "teller 无相应权限，操作被拒绝"
    assert zh("user.enable", "success", "admin", "user", "am2") == "admin 启用了用户 am2"
    assert zh("job.queued", "success", "ops", "job_run", "7") == "ops 提交了后台作业 7，等待执行"
    assert zh("assignment_request.approve", "success", "manager", "assignment_request", "3") == (
        "manager 审批通过了管户变更申请 3"
    )
