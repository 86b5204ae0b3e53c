"""What a checker sees of a change request: every field labelled, identity values in clear to the unit's checker."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bankcrm.access.principal import Actor, Principal
from bankcrm.access.service import units as unit_service
from bankcrm.audit import service as audit_service
from bankcrm.customers import repository
from bankcrm.customers.fields import FIELD_LABELS, IDENTITY_VALUES
from bankcrm.customers.schemas import ChangeRequestReview, FieldChangeRead, LabelledFieldChange, LabelledValue
from bankcrm.customers.service import approval, reads, records
from bankcrm.customers.service.labelling import Labeller, labeller
from bankcrm.kit.crypto import FieldCipher
from bankcrm.kit.i18n import N_, gettext_for
from bankcrm.models.customer import ChangeRequest, ChangeRequestStatus

# Payload keys that are not customer fields.
NOT_FIELDS = frozenset({"kind", "acknowledged_duplicates"})
ORDER = {field: i for i, field in enumerate(FIELD_LABELS)}


def sees_in_clear(principal: Principal, request: ChangeRequest) -> bool:
    """A checker of the request's unit, deciding someone else's waiting request, verifies the values in clear."""
    return (
        request.status == ChangeRequestStatus.SUBMITTED
        and principal.can("customer.approve")
        and unit_service.covers(principal, request.home_unit)
        and request.maker_id != principal.user_id
    )


def review(
    db: Session, principal: Principal, cipher: FieldCipher, request_id: int, locale: str, *, reveal: bool = True
) -> ChangeRequestReview:
    """The request with each field labelled; showing identity values in clear is audited (one event).

    ``reveal=False`` keeps every value masked whoever asks (the JSON API: the checker verifies on the page).
    """
    request = approval.get_request(db, principal, request_id)
    base = reads.request_read(request)
    lab = labeller(db, locale)
    payload = approval.payload_of(cipher, request)
    clear = reveal and sees_in_clear(principal, request)
    rows = _rows(lab, cipher, request, payload, base.changes, clear)
    shown = [r.field for r in rows if r.clear and (r.old or r.new)]
    if shown:
        audit_service.record(
            db,
            Actor.of(principal),
            "pii.unmask",
            entity_type="change_request",
            entity_id=request.id,
            detail=", ".join(shown),
        )
    found = payload.get("acknowledged_duplicates") or []
    visible = [cif for cif in found if repository.customer(db, principal, cif) is not None]
    return ChangeRequestReview(
        **base.model_dump(),
        rows=rows,
        in_clear=bool(shown),
        duplicates=visible,
        duplicates_hidden=len(found) - len(visible),
    )


def _rows(
    lab: Labeller,
    cipher: FieldCipher,
    request: ChangeRequest,
    payload: dict[str, Any],
    summary: dict[str, list[object]],
    clear: bool,
) -> list[LabelledValue]:
    kind = request.customer_kind
    if request.kind == "create":
        new = {k: v for k, v in payload.items() if k not in NOT_FIELDS and v not in (None, [], "", False)}
        old: dict[str, Any] = {}
    else:
        new = {k: v for k, v in payload.items() if k not in NOT_FIELDS}
        old = records.identity_values(cipher, request.customer) if clear and request.customer else {}
    rows = []
    for field in sorted(new, key=lambda f: (ORDER.get(f, len(ORDER)), f)):
        # Only values the masking would hide count as shown in clear (a company's name is never masked).
        in_clear = clear and field in IDENTITY_VALUES and (kind == "individual" or field in ("legal_rep_name", "id_no"))
        before = old.get(field) if in_clear else (summary.get(field) or [None])[0]
        after = new[field] if in_clear else records.masked(kind, field, new[field])
        rows.append(
            LabelledValue(
                field=field,
                label=lab.field(field),
                old=lab.value(field, before),
                new=lab.value(field, after),
                clear=in_clear,
            )
        )
    return rows


def history(db: Session, principal: Principal, cif_no: str, locale: str) -> list[LabelledFieldChange]:
    """The customer's field history, newest first, each field and value labelled (values stay masked)."""
    lab = labeller(db, locale)
    return [_labelled(lab, h) for h in reads.history(db, principal, cif_no)]


def _labelled(lab: Labeller, h: FieldChangeRead) -> LabelledFieldChange:
    if h.field == records.CREATED:  # a source system's customer: one row for its creation, its count of fields
        source = h.changed_by_name.removeprefix(records.SOURCE_PREFIX)
        new = gettext_for(
            lab.locale,
            N_("Created with %(count)s fields from source %(source)s"),
            {"count": h.new_value, "source": source},
        )
        return LabelledFieldChange(**h.model_dump(), label=lab.field(h.field), old_label=None, new_label=new)
    return LabelledFieldChange(
        **h.model_dump(),
        label=lab.field(h.field),
        old_label=lab.value(h.field, h.old_value),
        new_label=lab.value(h.field, h.new_value),
    )
