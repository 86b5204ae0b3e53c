"""The bank's org tree: head office, branches, sub-branches, outlets."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bankcrm.kit.time import utcnow
from bankcrm.models.base import Base


class OrgUnitKind(Base):
    """Catalogue of unit kinds (head office, branch, ...), ordered by depth."""

    __tablename__ = "org_unit_kind"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    label_en: Mapped[str] = mapped_column(String(60))
    label_zh: Mapped[str] = mapped_column(String(60))
    level: Mapped[int]


class OrgUnit(Base):
    """One unit of the org tree; ``path`` ('/1/4/9/') makes subtree filters a prefix match."""

    __tablename__ = "org_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name_en: Mapped[str] = mapped_column(String(120))
    name_zh: Mapped[str] = mapped_column(String(120))
    kind_code: Mapped[str] = mapped_column(ForeignKey("org_unit_kind.code"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    path: Mapped[str] = mapped_column(String(255), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    kind: Mapped[OrgUnitKind] = relationship(lazy="joined")
    parent: Mapped[OrgUnit | None] = relationship(remote_side=[id])

    def name(self, locale: str) -> str:
        """The unit's name in the reader's language."""
        return self.name_zh if locale == "zh_CN" else self.name_en
