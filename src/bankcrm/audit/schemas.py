"""Audit events as API clients see them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from bankcrm.kit.i18n import N_
from bankcrm.kit.listing import Column, ExportColumn, Filter, ListSpec, Page


class AuditEventRead(BaseModel):
    """One audit event with its chain hashes."""

    model_config = ConfigDict(from_attributes=True)

    seq: int
    occurred_at: datetime
    actor_user_id: int | None
    actor_username: str | None
    action: str
    outcome: str
    entity_type: str | None
    entity_id: str | None
    changes: str | None
    detail: str | None
    ip: str | None
    prev_hash: str
    hash: str


class AuditPage(Page[AuditEventRead]):
    """One page of audit events, newest first unless sorted otherwise."""


@dataclass(frozen=True)
class AuditLine:
    """An event as exported: the event, its sentence and its outcome in the reader's language."""

    event: AuditEventRead
    sentence: str
    outcome_label: str


AUDIT_LIST = ListSpec(
    name="audit-log",
    columns=(
        Column("seq", N_("#")),
        Column("occurred_at", N_("Time")),
        Column("actor_username", N_("User")),
        Column("action", N_("Action")),
        Column("outcome", N_("Outcome")),
        Column("entity", N_("Object"), sortable=False),
        Column("changes", N_("Changes"), sortable=False),
        Column("ip", N_("Source IP"), sortable=False),
    ),
    default_sort="-seq",
    tie_breaker="seq",
    # Dates stay text here: AuditFilters reads them as days in the bank's zone and names a bad one.
    filters=(
        Filter("actor"),
        Filter("action"),
        Filter("entity_type"),
        Filter("outcome", max_length=20),
        Filter("date_from", max_length=20),
        Filter("date_to", max_length=20),
    ),
    default_size=50,
    # The log holds no customer data beyond what users typed into it; the hashes prove it unaltered.
    # People read the sentence and the outcome in their language; programs read the codes beside them.
    export=(
        ExportColumn(N_("#"), lambda x: x.event.seq),
        ExportColumn(N_("Time"), lambda x: x.event.occurred_at),
        ExportColumn(N_("User"), lambda x: x.event.actor_username),
        ExportColumn(N_("Event"), lambda x: x.sentence),
        ExportColumn(N_("Outcome"), lambda x: x.outcome_label),
        ExportColumn(N_("Action code"), lambda x: x.event.action),
        ExportColumn(N_("Outcome code"), lambda x: x.event.outcome),
        ExportColumn(N_("Object"), lambda x: f"{x.event.entity_type or ''} {x.event.entity_id or ''}".strip()),
        ExportColumn(N_("Changes"), lambda x: x.event.changes or x.event.detail),
        ExportColumn(N_("Source IP"), lambda x: x.event.ip),
        ExportColumn(N_("Hash"), lambda x: x.event.hash),
    ),
    audit_event="audit.export",
    export_limit=100_000,
)
