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
    assert sentence("zh_CN", *args) == "am1 提交了变更申请 12"
    failed = ("auth.login", "failure", "nobody", None, None)
    assert sentence("en", *failed) == "A sign-in as nobody failed"
    assert sentence("zh_CN", "pii.unmask", "success", "manager", "customer", "90000000037") == (
        "manager 查看了客户 90000000037的个人信息明文"
    )
    # a job's event has no user: the system did it; an action missing from the table still reads
    assert sentence("en", "batch.nightly", "success", None, None, None) == "the system ran the nightly batch"
    assert sentence("en", "zz.unknown", "success", "bob", None, None) == "bob: zz.unknown"
