"""Tags (客户标签): a catalogue of tags as data, and which customers carry each, with history.

A tag is applied by hand (``manual``), computed by the nightly batch from a rule (``rule``) or delivered
in a file (``imported``). A ``customer_tag`` row is one period a customer carried a tag: ``removed_at``
None while it does; removing it closes the row (who, when), so the history of who tagged whom stays.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bankcrm.kit.time import utcnow
from bankcrm.models.base import Base


class Tag(Base):
    """One tag of the catalogue (shipped in reference_data/catalogue/tag.csv, or added by an administrator)."""

    __tablename__ = "tag"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    label_en: Mapped[str] = mapped_column(String(100))
    label_zh: Mapped[str] = mapped_column(String(100))
    description_en: Mapped[str] = mapped_column(String(400), default="")
    description_zh: Mapped[str] = mapped_column(String(400), default="")
    kind: Mapped[str] = mapped_column(String(10))  # manual | rule | imported
    colour: Mapped[str] = mapped_column(String(12))  # one of tags.catalogue.PALETTE
    # The permission a user needs to apply or remove it by hand (manual tags; None: customer.write).
    permission: Mapped[str | None] = mapped_column(String(60))
    rule: Mapped[str | None] = mapped_column(Text)  # JSON rule specification (kind rule)
    active: Mapped[bool] = mapped_column(default=True)
    shipped: Mapped[bool] = mapped_column(default=False)  # from the catalogue file (a sync keeps it in line)
    sort_order: Mapped[int] = mapped_column(default=100)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CustomerTag(Base):
    """One period a customer carried a tag: who or what applied it, and who or what removed it."""

    __tablename__ = "customer_tag"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    tag_code: Mapped[str] = mapped_column(ForeignKey("tag.code"))
    source: Mapped[str] = mapped_column(String(10))  # manual | rule | file
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_batch.id"), index=True)  # source file
    note: Mapped[str | None] = mapped_column(String(200))
    expires_on: Mapped[date | None]
    applied_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))  # None: the nightly batch
    applied_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    removed_at: Mapped[datetime | None]  # None: the customer carries the tag
    # The delivery whose "remove" row closed it (a corrected re-delivery reopens it before loading again).
    removed_batch_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_batch.id"), index=True)

    __table_args__ = (
        Index("ix_customer_tag_customer", "customer_id", "tag_code"),
        Index("ix_customer_tag_tag", "tag_code", "removed_at"),
    )
