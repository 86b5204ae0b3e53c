"""The customers side of a merge of two customers: their fields side by side, and the survivor adopting values.

The matching module decides and performs merges; every change to a customer's own fields goes through
here, so a merge leaves field history and an audit event like any other change.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.customers import repository
from bankcrm.customers.service import records
from bankcrm.customers.service.names import display_name, display_name_en
from bankcrm.kit.crypto import FieldCipher
from bankcrm.models.customer import Customer

MERGED_STATUS = repository.MERGED  # code of customer_status: only a merge sets it (one definition, the repository's)

CUSTOMER_COLUMNS = ("home_unit_id", "source_channel", "wechat_id", "preferred_channel", "preferred_time")
INDIVIDUAL_COLUMNS = (
    "gender",
    "birth_date",
    "nationality",
    "ethnicity",
    "id_issue_date",
    "id_expiry_date",
    "marital_status",
    "education",
    "employer",
    "industry",
    "occupation",
    "position",
    "income_band",
)
CORPORATE_COLUMNS = (
    "legal_rep_name",
    "company_type",
    "registered_capital",
    "capital_currency",
    "established_on",
    "licence_expiry",
    "registered_address",
    "business_scope",
    "industry_division",
    "enterprise_size",
)
CONTACTS = {"phones": "phone", "emails": "email", "addresses": "address"}

# The fields a reviewer compares and chooses between, per kind, in display order.
FIELDS: dict[str, tuple[str, ...]] = {
    "individual": (
        "name",
        "name_en",
        "id_type",
        "id_country",
        "id_no",
        *INDIVIDUAL_COLUMNS,
        *CONTACTS,
        *CUSTOMER_COLUMNS,
    ),
    "corporate": ("name", "name_en", "uscc", *CORPORATE_COLUMNS, *CONTACTS, *CUSTOMER_COLUMNS),
}


def customer_by_id(db: Session, customer_id: int) -> Customer | None:
    """A customer by row id, regardless of scope (the caller has checked it)."""
    return repository.customer_by_id(db, customer_id)


def _profile(customer: Customer) -> Any:
    return customer.individual if customer.kind == "individual" else customer.corporate


def raw_value(db: Session, cipher: FieldCipher | None, customer: Customer, field: str) -> Any:
    """A field's stored value in clear (contacts shaped as the validated input; those and the ID need ``cipher``)."""
    if field in CONTACTS:
        assert cipher is not None
        return records.current_entries(db, cipher, customer, CONTACTS[field])
    if field == "id_no":
        assert cipher is not None
        return records.id_no_of(cipher, customer)
    if field in ("name", "name_en", "id_type", "id_country", "uscc") or field in CUSTOMER_COLUMNS:
        return getattr(customer, field)
    profile = _profile(customer)
    return getattr(profile, field, None) if profile is not None else None


def shown_values(db: Session, principal: Principal, customer: Customer) -> dict[str, Any]:
    """Each compared field's value as ``principal`` may see it: names by the name rule, C2 masked."""
    out: dict[str, Any] = {}
    for field in FIELDS[customer.kind]:
        if field == "name":
            out[field] = display_name(principal, customer)
        elif field == "name_en":
            out[field] = display_name_en(principal, customer)
        elif field == "id_no":
            out[field] = customer.id_no_masked
        elif field in CONTACTS:
            shown = [c.value_masked for c in repository.contacts(db, customer.id) if c.channel == CONTACTS[field]]
            out[field] = "; ".join(shown) or None
        elif field == "legal_rep_name":
            out[field] = records.masked(customer.kind, field, raw_value(db, None, customer, field))
        else:
            value = raw_value(db, None, customer, field)
            out[field] = value.isoformat() if hasattr(value, "isoformat") else value
    return out


def adopt(
    db: Session, principal: Principal, cipher: FieldCipher, survivor: Customer, other: Customer, fields: list[str]
) -> list[str]:
    """The survivor takes ``other``'s value of each of ``fields``; one history entry per changed field."""
    changes: dict[str, tuple[Any, Any]] = {}
    profile = _profile(survivor)
    for field in fields:
        if field not in FIELDS[survivor.kind]:
            continue
        old, new = raw_value(db, cipher, survivor, field), raw_value(db, cipher, other, field)
        if old == new:
            continue
        changes[field] = (old, new)
        if field in CONTACTS:
            records.replace_contacts(db, cipher, survivor, CONTACTS[field], new)
        elif field == "name":
            records.set_name(survivor, new, survivor.name_en)
        elif field == "name_en":
            records.set_name(survivor, survivor.name, new)
        elif field in ("id_type", "id_country", "id_no"):
            # (type, issuing country, number) are one document: each part chosen comes from ``other``
            id_type = other.id_type if field == "id_type" or "id_type" in fields else survivor.id_type
            country = other.id_country if field == "id_country" or "id_country" in fields else survivor.id_country
            number = new if field == "id_no" else records.id_no_of(cipher, survivor)
            if id_type and number:
                records.set_id_no(cipher, survivor, id_type, number, country)
            else:
                survivor.id_type, survivor.id_country = id_type, country
        elif field == "uscc":
            other.uscc = None  # unique: the merged customer gives its code up (unmerge restores it)
            db.flush()
            survivor.uscc = new
        elif field in CUSTOMER_COLUMNS:
            setattr(survivor, field, new)
        elif profile is not None:
            setattr(profile, field, new)
    if changes:
        records.record_changes(db, principal, survivor, changes, action="customer.merge")
    return sorted(changes)


def mark_merged(db: Session, principal: Principal, customer: Customer) -> None:
    """The merged customer keeps its row, status MERGED: out of lists, its number an alias of the survivor."""
    old = customer.status
    customer.status = MERGED_STATUS
    customer.search_keys = []  # a name search no longer finds it (unmerge restores the keys)
    records.record_changes(db, principal, customer, {"status": (old, MERGED_STATUS)}, action="customer.merge")
