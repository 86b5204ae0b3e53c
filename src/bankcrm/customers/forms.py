"""HTML forms ⇄ customer payloads: form field names are the API's error paths (phones.0.number)."""

from __future__ import annotations

from typing import Any

INDIVIDUAL_SCALARS = [
    "name",
    "name_en",
    "gender",
    "birth_date",
    "nationality",
    "ethnicity",
    "id_type",
    "id_country",
    "id_no",
    "id_issue_date",
    "id_expiry_date",
    "marital_status",
    "education",
    "source_channel",
    "status",
    "home_unit_id",
    "account_manager_id",
    "employer",
    "industry",
    "occupation",
    "position",
    "employed_since",
    "income_band",
    "household_size",
    "dependants",
    "household_income",
    "home_ownership",
    "wechat_id",
    "preferred_channel",
    "preferred_time",
]
CORPORATE_SCALARS = [
    "name",
    "name_en",
    "uscc",
    "company_type",
    "legal_rep_name",
    "registered_capital",
    "capital_currency",
    "established_on",
    "operating_term_to",
    "business_scope",
    "registered_address",
    "registration_authority",
    "licence_expiry",
    "industry_division",
    "enterprise_size",
    "stock_code",
    "source_channel",
    "status",
    "home_unit_id",
    "account_manager_id",
    "wechat_id",
    "preferred_channel",
    "preferred_time",
]
EDIT_SCALARS = [
    "name",
    "name_en",
    "status",
    "home_unit_id",
    "source_channel",
    "id_type",
    "id_country",
    "id_no",
    "uscc",
    "legal_rep_name",
    "wechat_id",
    "preferred_channel",
    "preferred_time",
    "marital_status",
    "education",
    "employer",
    "industry",
    "occupation",
    "position",
    "income_band",
    "household_size",
    "dependants",
    "home_ownership",
    "company_type",
    "enterprise_size",
    "business_scope",
    "licence_expiry",
]
# Fixed slots on the form for list entries: (list, index, purpose or None, value key).
PHONE_SLOTS = 2
ADDRESS_PURPOSES = {"individual": ("HOME", "MAILING"), "corporate": ("OFFICE", "REG_OFFICE")}
# The fields of one person in a list (required ones, then optional ones: blank means None).
PEOPLE_FIELDS = {
    "family_members": (("name", "relation"), ("member_cif_no",)),
    "contact_persons": (("role", "name"), ("phone",)),
}
PEOPLE_OF = {"individual": "family_members", "corporate": "contact_persons"}
MAX_PEOPLE = 20


def to_payload(kind: str, form: dict[str, str]) -> dict[str, Any]:
    """A create payload from a filled-in form; empty fields are left out."""
    scalars = INDIVIDUAL_SCALARS if kind == "individual" else CORPORATE_SCALARS
    data: dict[str, Any] = {f: form[f].strip() for f in scalars if form.get(f, "").strip()}
    data.update(_lists(kind, form))
    key = PEOPLE_OF[kind]
    data[key] = _people(key, form, {})
    if kind == "corporate":
        data["listed"] = form.get("listed") == "on"
    data["acknowledge_duplicates"] = form.get("acknowledge_duplicates") == "on"
    return data


def to_update(kind: str, form: dict[str, str], current: dict[str, Any], kept: dict[str, str]) -> dict[str, Any]:
    """An update payload: only the fields whose posted value differs from what is shown now.

    ``kept`` holds stored values the form leaves blank (people's names, contact persons' phones, links the
    user may not see); a blank slot keeps them, so an untouched blank field is neither sent as a change
    nor erased.
    """
    data: dict[str, Any] = {}
    for field in EDIT_SCALARS:
        if field not in form:
            continue
        posted = form[field].strip()
        if posted != ("" if current.get(field) is None else str(current[field])) and posted:
            data[field] = posted
    lists = _lists(kind, form)
    if lists["phones"]:  # phones are never shown in clear, so an empty slot means "keep them"
        data["phones"] = lists["phones"]
    for key in ("emails", "addresses"):
        if _sorted(lists[key]) != _sorted(current.get(key) or []):
            data[key] = lists[key]
    key = PEOPLE_OF[kind]
    if any(f.startswith(f"{key}.") for f in form):
        # Both sides resolved alike (names and phones are shown blank and kept): only a real change is sent.
        typed, stored = _people(key, form, kept), _people(key, prefill(kind, current), kept)
        if typed != stored:
            data[key] = typed
    return data


def prefill(kind: str, values: dict[str, Any]) -> dict[str, Any]:
    """Put current e-mails, addresses, family members and contact persons into the form's slots."""
    out = dict(values)
    emails = values.get("emails") or []
    if emails:
        out["emails.0.address"] = emails[0]["address"]
    by_purpose = {a["purpose"]: a["text"] for a in values.get("addresses") or []}
    for i, purpose in enumerate(ADDRESS_PURPOSES[kind]):
        if purpose in by_purpose:
            out[f"addresses.{i}.text"] = by_purpose[purpose]
    key = PEOPLE_OF[kind]
    for i, person in enumerate(values.get(key) or []):
        out |= {f"{key}.{i}.{field}": val for field, val in person.items() if val is not None}
    return out


def _people(key: str, form: dict[str, str], kept: dict[str, str]) -> list[dict[str, Any]]:
    """The people in a list's slots: a blank name or optional field keeps the stored one; Remove drops the slot.

    A slot with neither a typed nor a stored name is empty.
    """
    required, optional = PEOPLE_FIELDS[key]
    out = []
    for i in range(MAX_PEOPLE):
        name = form.get(f"{key}.{i}.name", "").strip() or kept.get(f"{key}.{i}.name", "")
        if not name or form.get(f"{key}.{i}.remove"):
            continue
        person: dict[str, Any] = {f: form.get(f"{key}.{i}.{f}", "").strip() for f in required} | {"name": name}
        person |= {f: form.get(f"{key}.{i}.{f}", "").strip() or kept.get(f"{key}.{i}.{f}") for f in optional}
        out.append(person)
    return out


def _sorted(entries: list[dict[str, Any]]) -> list[tuple[tuple[str, Any], ...]]:
    return sorted(tuple(sorted(e.items())) for e in entries)


def _lists(kind: str, form: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    phones = [
        {"number": form[f"phones.{i}.number"].strip(), "purpose": form.get(f"phones.{i}.purpose") or "mobile"}
        for i in range(PHONE_SLOTS)
        if form.get(f"phones.{i}.number", "").strip()
    ]
    emails = [{"address": form["emails.0.address"].strip()}] if form.get("emails.0.address", "").strip() else []
    addresses = [
        {"purpose": purpose, "text": form[f"addresses.{i}.text"].strip()}
        for i, purpose in enumerate(ADDRESS_PURPOSES[kind])
        if form.get(f"addresses.{i}.text", "").strip()
    ]
    return {"phones": phones, "emails": emails, "addresses": addresses}
