"""Reading source records: a customer's sources, and the CIF customer a source's own number stands for."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.catalogue import service as catalogue
from bankcrm.customers.service import reads
from bankcrm.kit import masking
from bankcrm.kit.crypto import FieldCipher
from bankcrm.matching import repository
from bankcrm.matching.repository import reviews as review_repository
from bankcrm.matching.schemas import MergeInForce, SourceRecordRead
from bankcrm.matching.service.feed import delivered_values
from bankcrm.models.matching import CustomerSource

MASKED_NUMBERS = ("id_no",)
MASKED_PHONES = ("mobile", "phone_home", "phone_work")
PERSON_NAMES = ("name", "name_en")


def _masked(principal: Principal, kind: str, values: dict[str, Any]) -> dict[str, str]:
    """Delivered values as the customer page shows the customer's own: ID and phones masked, names as allowed."""
    out: dict[str, str] = {}
    for key, value in values.items():
        text = str(value)
        if key in MASKED_NUMBERS:
            text = masking.mask_id_number(text)
        elif key in MASKED_PHONES:
            text = masking.mask_phone(text)
        elif key == "legal_rep_name" or (
            key in PERSON_NAMES and kind == "individual" and not principal.can("customer.name.read")
        ):
            text = masking.mask_person_name(text)
        out[key] = text
    return out


def customer_sources(
    db: Session, principal: Principal, cipher: FieldCipher, cif_no: str, locale: str
) -> list[SourceRecordRead]:
    """A customer's source records in scope (404, audited, outside it), values masked; then the records still
    waiting in an open arrival review that names this customer as the candidate (``review_id`` set).

    A record waiting for a create request is not anyone's yet (its customer does not exist until a checker
    approves): it shows under no CIF, and the lookup by its source number answers an empty page.
    """
    customer = reads.get_customer(db, principal, cif_no)
    systems = {s.code: (s.label_zh if locale.startswith("zh") else s.label_en) for s in repository.source_systems(db)}
    methods = catalogue.labels_of(db, "match_method", locale)

    def read(r: CustomerSource, review_id: int | None = None) -> SourceRecordRead:
        return SourceRecordRead(
            source=r.source,
            source_label=systems.get(r.source, r.source),
            source_customer_id=r.source_customer_id,
            kind=r.kind,
            match_method=r.match_method,
            match_method_label=methods.get(r.match_method, r.match_method) if r.match_method else None,
            match_probability=r.match_probability,
            first_seen=r.first_seen,
            last_seen=r.last_seen,
            values=_masked(principal, r.kind, delivered_values(cipher, r)),
            review_id=review_id,
        )

    linked = [read(r) for r in repository.sources_of(db, customer.id)]
    return linked + [read(r, review_id) for r, review_id in repository.waiting_on(db, customer.id)]


def merges_into(db: Session, principal: Principal, cif_no: str) -> list[MergeInForce]:
    """The merges in force into this customer (in scope: 404, audited, outside it), newest first."""
    customer = reads.get_customer(db, principal, cif_no)
    return [
        MergeInForce(merged_cif_no=m.merged_cif_no, merged_at=m.merged_at)
        for m in review_repository.merges_of(db, customer.id)
    ]


def cif_for_key(db: Session, source: str, source_customer_id: str) -> str | None:
    """The CIF number a source's own customer number is linked to (None: unknown, or not linked yet)."""
    record = repository.source_by_key(db, source, source_customer_id)
    if record is None or record.customer_id is None:
        return None
    return reads.cif_of(db, record.customer_id)
