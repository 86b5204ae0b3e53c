"""Display names beside customers: one query for all the ids, whatever the users' roles and units."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from bankcrm.access.service import users as user_service
from bankcrm.models.access import User


def _statements(db: Session) -> list[str]:
    """Every statement the session's connection sends from now on."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    event.listen(db.connection(), "before_cursor_execute", record)
    return sent


def test_display_names_are_read_in_one_statement(db: Session) -> None:
    # given three demo staff and an id that belongs to nobody
    ids = {u.username: u.id for u in db.scalars(select(User).where(User.username.in_(["am1", "am2", "manager"])))}
    db.expunge_all()  # nothing in the identity map: every user must come from the database
    sent = _statements(db)
    # when their display names are asked for
    names = user_service.display_names(db, {*ids.values(), 999_999})
    # then each known user's name comes back, the unknown id is left out, and one SELECT did it
    assert names == {
        ids["am1"]: "李明 Li Ming",
        ids["am2"]: "陈静 Chen Jing",
        ids["manager"]: "王经理 Wang (Branch manager)",
    }
    assert len(sent) == 1


def test_no_ids_ask_nothing(db: Session) -> None:
    # given no ids, when display names are asked for, then the answer is empty and nothing was sent
    sent = _statements(db)
    assert user_service.display_names(db, set()) == {}
    assert sent == []
