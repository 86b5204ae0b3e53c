"""Audit events as API clients see them."""

from __future__ import annotations

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
    export=(
        ExportColumn(N_("#"), lambda e: e.seq),
        ExportColumn(N_("Time"), lambda e: e.occurred_at),
        ExportColumn(N_("User"), lambda e: e.actor_username),
        ExportColumn(N_("Action"), lambda e: e.action),
        ExportColumn(N_("Outcome"), lambda e: e.outcome),
        ExportColumn(N_("Object"), lambda e: f"{e.entity_type or ''} {e.entity_id or ''}".strip()),
        ExportColumn(N_("Changes"), lambda e: e.changes or e.detail),
        ExportColumn(N_("Source IP"), lambda e: e.ip),
        ExportColumn(N_("Hash"), lambda e: e.hash),
    ),
    audit_event="audit.export",
    export_limit=100_000,
)
