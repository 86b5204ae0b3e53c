"""Code labels for the customer pages: every category in one query, each in display order."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from bankcrm.customers.service import reads


def _statements(db: Session) -> list[str]:
    """Every statement the session's connection sends from now on."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    event.listen(db.connection(), "before_cursor_execute", record)
    return sent


def test_code_labels_come_in_one_statement(db: Session) -> None:
    # given the migrated reference code tables
    sent = _statements(db)
    # when the labels of every category are read, in English and in Chinese
    en = reads.code_labels(db, "en")
    zh = reads.code_labels(db, "zh_CN")
    # then every category is there in its declared order, codes in display order, one statement each time
    assert list(en) == reads.CATEGORIES
    assert en["gender"] == {"M": "Male", "F": "Female"}
    assert list(en["customer_status"].items()) == [
        ("PROSPECT", "Prospect"),
        ("ACTIVE", "Active"),
        ("DORMANT", "Dormant"),
        ("CLOSED", "Closed"),
        ("MERGED", "Merged into another customer"),
    ]
    assert zh["customer_status"] == {
        "PROSPECT": "潜在客户",
        "ACTIVE": "正常",
        "DORMANT": "睡眠",
        "CLOSED": "已销户",
        "MERGED": "已合并至其他客户",
    }
    assert len(sent) == 2
