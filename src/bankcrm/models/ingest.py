"""Files delivered by source systems: one batch per (source, type, business date), one run per attempt."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bankcrm.kit.time import utcnow
from bankcrm.models.base import Base


class IngestBatch(Base):
    """The rows one (source, type, business date) delivery put in the database; a re-delivery replaces them."""

    __tablename__ = "ingest_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(40))
    file_type: Mapped[str] = mapped_column(String(20))
    business_date: Mapped[date]
    checksum: Mapped[str] = mapped_column(String(64))  # SHA-256 of the file as delivered
    current_run_id: Mapped[int | None]

    __table_args__ = (UniqueConstraint("source", "file_type", "business_date"),)


class IngestRun(Base):
    """One completed load of a file: counts, who, when; a killed load leaves no run (one transaction)."""

    __tablename__ = "ingest_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("ingest_batch.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    checksum: Mapped[str] = mapped_column(String(64))
    encoding: Mapped[str] = mapped_column(String(10))
    replaced: Mapped[bool]  # a corrected re-delivery that replaced an earlier run's rows
    rows_in: Mapped[int]
    rows_loaded: Mapped[int]
    rows_rejected: Mapped[int]
    actor: Mapped[str] = mapped_column(String(60))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime] = mapped_column(default=utcnow)
    header: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")  # JSON: the file's column names
    # The run whose rejected rows this one re-ran (the file itself is not read again).
    rerun_of: Mapped[int | None] = mapped_column(index=True)


class IngestReject(Base):
    """One rejected row: where (line, field), why, and the row masked; the row as delivered only encrypted.

    ``raw`` holds the masked values (C2 columns masked, unknown text starred, cut to
    ``ingest_reject_max_chars``); ``raw_enc`` the delivered values, cut to the same length, encrypted
    with associated data ``ingest_reject|raw|<run id>.<line>``. Rows stored before the masking have none.
    """

    __tablename__ = "ingest_reject"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("ingest_run.id", ondelete="CASCADE"), index=True)
    line_no: Mapped[int]
    field: Mapped[str] = mapped_column(String(60))
    reason: Mapped[str] = mapped_column(String(300))  # a gettext msgid, shown in the reader's language
    params: Mapped[str] = mapped_column(Text, default="{}")  # JSON for the msgid's placeholders
    raw: Mapped[str] = mapped_column(Text)  # JSON list of masked values (C1 only)
    raw_enc: Mapped[str | None] = mapped_column(Text)  # C2: the delivered row, encrypted


class IngestPriorRow(Base):
    """What an accounts or loans delivery changed: each row's values before it (null: it created the row).

    A corrected re-delivery first undoes the earlier delivery with these, then loads the correction,
    so a row the correction leaves out ends as it was before the earlier delivery. Kept for
    ``ingest_undo_days`` (business days of the file type), then pruned by later loads.
    """

    __tablename__ = "ingest_prior_row"

    batch_id: Mapped[int] = mapped_column(ForeignKey("ingest_batch.id"), primary_key=True)
    table_name: Mapped[str] = mapped_column(String(40), primary_key=True)  # account | loan_contract
    row_id: Mapped[int] = mapped_column(primary_key=True)
    prior: Mapped[str | None] = mapped_column(Text)  # JSON of the columns the delivery set
