"""A customer's insight as the API answers it: tier, RFM and trend from the snapshot, with the tags the customer
carries now (tags module), the segments the customer is in now (segments module, those the reader sees) and the
month's contribution lines (value module, for holders of value.read)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.customers.service import reads as customer_reads
from bankcrm.insight.schemas import CustomerInsightRead
from bankcrm.insight.service import reads
from bankcrm.segments.service import members as segments
from bankcrm.tags.service import manual as tags
from bankcrm.value.schemas import READ as VALUE_READ
from bankcrm.value.service import reads as contribution


def customer_insight(
    db: Session, principal: Principal, cif_no: str, month: date | None, *, locale: str
) -> CustomerInsightRead:
    """A customer in scope (404 otherwise, audited). The contribution is of ``month``, else of the snapshot month
    shown, else of the newest month computed; None for a caller who may not see contribution."""
    found = reads.insight(db, principal, cif_no, month, locale=locale)
    carried = tags.customer_tags(db, principal, cif_no, locale=locale)
    customer = customer_reads.get_customer(db, principal, cif_no)
    member_of = segments.of_customer(db, principal, customer.id)
    lines = None
    if principal.can(VALUE_READ):
        shown = month or (reads.parse_month(found.month) if found.month else None)
        lines = contribution.customer_month(db, principal, cif_no, shown, locale)
    return CustomerInsightRead(**found.model_dump(), tags=carried, segments=member_of, contribution=lines)
