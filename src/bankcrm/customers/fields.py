"""The customer's fields as people read them: one bilingual label per field, and the code table of coded fields.

Used by the history tab and the approval page (and open to the forms), so a field reads the same everywhere.
"""

from __future__ import annotations

from bankcrm.kit.i18n import N_

# field (column, payload key or change-request summary key) → message id of its label.
FIELD_LABELS: dict[str, str] = {
    "created": N_("Creation"),  # the one history row of a customer a source system created
    "name": N_("Name"),
    "name_en": N_("English name"),
    "kind": N_("Kind"),
    "status": N_("Status"),
    "home_unit": N_("Home branch"),
    "home_unit_id": N_("Home branch"),
    "account_manager_id": N_("Primary account manager"),
    "source_channel": N_("Source channel"),
    "id_type": N_("ID type"),
    "id_country": N_("ID issuing country"),
    "id_no": N_("ID number"),
    "id_issue_date": N_("ID issued on"),
    "id_expiry_date": N_("ID expires on"),
    "gender": N_("Gender"),
    "birth_date": N_("Date of birth"),
    "nationality": N_("Nationality"),
    "ethnicity": N_("Ethnicity"),
    "marital_status": N_("Marital status"),
    "education": N_("Education"),
    "employer": N_("Employer"),
    "industry": N_("Industry"),
    "occupation": N_("Occupation"),
    "position": N_("Position"),
    "employed_since": N_("Employed since"),
    "income_band": N_("Annual income"),
    "household_size": N_("Household size"),
    "dependants": N_("Dependants"),
    "household_income": N_("Household annual income (yuan)"),
    "home_ownership": N_("Home ownership"),
    "family_members": N_("Family"),
    "uscc": N_("Unified social credit code"),
    "company_type": N_("Company type"),
    "legal_rep_name": N_("Legal representative"),
    "registered_capital": N_("Registered capital"),
    "capital_currency": N_("Currency"),
    "established_on": N_("Established on"),
    "operating_term_to": N_("Operating term until"),
    "business_scope": N_("Business scope"),
    "registered_address": N_("Registered address"),
    "registration_authority": N_("Registration authority"),
    "licence_expiry": N_("Licence expires on"),
    "industry_section": N_("Industry section"),
    "industry_division": N_("Industry (GB/T 4754-2017)"),
    "enterprise_size": N_("Enterprise size"),
    "listed": N_("Listed company"),
    "stock_code": N_("Stock code"),
    "contact_persons": N_("Contact persons"),
    "phones": N_("Phone"),
    "emails": N_("E-mail"),
    "addresses": N_("Addresses"),
    "wechat_id": N_("WeChat ID"),
    "preferred_channel": N_("Preferred channel"),
    "preferred_time": N_("Preferred time"),
}

# field → the code table (catalogue category) its values come from.
FIELD_CODES: dict[str, str] = {
    "status": "customer_status",
    "source_channel": "source_channel",
    "id_type": "id_type",
    "gender": "gender",
    "ethnicity": "ethnicity",
    "marital_status": "marital_status",
    "education": "education",
    "industry": "industry",
    "occupation": "occupation",
    "income_band": "income_band",
    "home_ownership": "home_ownership",
    "company_type": "company_type",
    "industry_section": "industry",
    "industry_division": "industry",
    "enterprise_size": "enterprise_size",
    "preferred_channel": "contact_channel",
    "preferred_time": "contact_time",
}

# Fields whose values are kept masked; the approval page shows them in clear only to a checker of the unit.
IDENTITY_VALUES = ("name", "name_en", "id_no", "legal_rep_name")
