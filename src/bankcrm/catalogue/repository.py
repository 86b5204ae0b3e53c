"""Queries on the code tables (reference data, not scoped: every signed-in user may read them)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.models.customer import CodeItem


def codes(db: Session, category: str) -> list[CodeItem]:
    """One code table in display order."""
    stmt = select(CodeItem).where(CodeItem.category == category)
    return list(db.scalars(stmt.order_by(CodeItem.sort_order, CodeItem.code)))


def codes_of(db: Session, categories: Iterable[str]) -> list[CodeItem]:
    """Several code tables in one query, each in display order."""
    stmt = select(CodeItem).where(CodeItem.category.in_(list(categories)))
    return list(db.scalars(stmt.order_by(CodeItem.category, CodeItem.sort_order, CodeItem.code)))
