"""The shared code-table reader: several tables in one query, each in display order, labels per language."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from bankcrm.catalogue import service as catalogue
from bankcrm.customers.service.reads import CATEGORIES
from bankcrm.kit.i18n import label
from bankcrm.models.customer import CodeItem


def _statements(db: Session) -> list[str]:
    """Every statement the session's connection sends from now on."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    event.listen(db.connection(), "before_cursor_execute", record)
    return sent


def test_code_tables_match_each_table_read_alone(db: Session) -> None:
    # given the code tables read one by one (the display order of each)
    alone = {c: [(i.code, i.label_en, i.sort_order) for i in catalogue.code_table(db, c)] for c in CATEGORIES}
    sent = _statements(db)
    # when they are read all at once
    tables = catalogue.code_tables(db, CATEGORIES)
    # then each holds the same items in the same order, from one statement
    assert {c: [(i.code, i.label_en, i.sort_order) for i in items] for c, items in tables.items()} == alone
    assert list(tables) == CATEGORIES
    assert len(sent) == 1


def test_labels_of_one_table_in_each_language(db: Session) -> None:
    # given the shipped customer statuses, when their labels are read in English and in Chinese
    en = catalogue.labels_of(db, "customer_status", "en")
    zh = catalogue.labels_of(db, "customer_status", "zh_CN")
    # then code → label in display order, in the reader's language
    assert list(en.items()) == [
        ("PROSPECT", "Prospect"),
        ("ACTIVE", "Active"),
        ("DORMANT", "Dormant"),
        ("CLOSED", "Closed"),
        ("MERGED", "Merged into another customer"),
    ]
    assert zh == {
        "PROSPECT": "潜在客户",
        "ACTIVE": "正常",
        "DORMANT": "睡眠",
        "CLOSED": "已销户",
        "MERGED": "已合并至其他客户",
    }


def test_code_labels_of_named_tables_and_an_unknown_one(db: Session) -> None:
    # given two tables, one of them unknown, when their labels are read
    labels = catalogue.code_labels(db, ["gender", "no_such_table"], "zh_CN")
    # then the known one is labelled and the unknown one is empty (a page shows the raw code)
    assert labels == {"gender": {"M": "男", "F": "女"}, "no_such_table": {}}


def test_label_picks_the_language() -> None:
    # given a row with both labels, when labelled per locale, then Chinese only for zh_CN
    row = CodeItem(category="x", code="A", label_en="Active", label_zh="正常", sort_order=1)
    assert [label(row, loc) for loc in ("en", "zh_CN", "fr")] == ["Active", "正常", "Active"]
