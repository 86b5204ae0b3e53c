"""Links between customers (spouse, shareholder, guarantor ...), dated, ended rather than deleted."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from bankcrm.kit.time import utcnow
from bankcrm.models.base import Base


class CustomerLink(Base):
    """One directed link: ``from`` customer is ``link_type`` of ``to`` customer (C1; names are not copied here)."""

    __tablename__ = "customer_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    from_customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    to_customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    link_type: Mapped[str] = mapped_column(String(40))  # code_item link_type
    share_pct_bp: Mapped[int | None]  # SHAREHOLDER_OF only: basis points of a percent, 0..10000
    amount: Mapped[int | None] = mapped_column(BigInteger)  # GUARANTOR_FOR only: fen
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]  # None: open-ended
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    ended_at: Mapped[datetime | None]
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_batch.id"), index=True)  # links file
