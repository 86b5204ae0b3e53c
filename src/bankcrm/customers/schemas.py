"""Request and response shapes for customers, change requests and field history.

Shapes check types and lengths only; the national-standard checks (ID numbers, USCC, mobiles)
live in the service so that every error names its field with a translatable message.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from bankcrm.kit.codes import FixedCode, OpenCode
from bankcrm.kit.i18n import N_
from bankcrm.kit.ids import RowId
from bankcrm.kit.listing import Column, ExportColumn, Filter, ListSpec, Page
from bankcrm.kit.time import Day
from bankcrm.models.customer import ChangeRequestStatus

# A change request's status as the API takes and shows it: the change_request workflow's states.
RequestStatus = ChangeRequestStatus
# The badge colour of each status on the pages (the label comes from the workflow catalogue).
STATUS_BADGES: dict[ChangeRequestStatus, str] = {
    ChangeRequestStatus.SUBMITTED: "bg-yellow-lt",
    ChangeRequestStatus.APPROVED: "bg-green-lt",
    ChangeRequestStatus.REJECTED: "bg-red-lt",
}

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
# Code-table fields (see kit/codes.py): fixed by a national standard or by our rules -> enum of the shipped codes.
CustomerStatus = Annotated[str, FixedCode("customer_status", exclude=("MERGED",))]  # only a merge sets MERGED
CustomerStatusRead = Annotated[str, FixedCode("customer_status")]  # what a customer may be, MERGED included
Ethnicity = Annotated[str, FixedCode("ethnicity")]  # GB/T 3304
IdType = Annotated[str, FixedCode("id_type")]  # each type has its own number check in the service
# An ID document's issuing country, ISO 3166-1 alpha-2; which countries a type allows is checked by the service.
IdCountry = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, min_length=1, max_length=10)]
MaritalStatus = Annotated[str, FixedCode("marital_status")]  # GB/T 2261.2
Education = Annotated[str, FixedCode("education")]  # GB/T 4658
Industry = Annotated[str, FixedCode("industry")]  # GB/T 4754-2017
Occupation = Annotated[str, FixedCode("occupation")]  # GB/T 6565 major groups
EnterpriseSize = Annotated[str, FixedCode("enterprise_size")]  # the statutory SME size classes
# ... a bank's own choices, which it may extend as data -> a code-shaped string; the service checks it exists.
SourceChannel = Annotated[str, OpenCode("source_channel")]
ContactChannel = Annotated[str, OpenCode("contact_channel")]
ContactTime = Annotated[str, OpenCode("contact_time")]
IncomeBand = Annotated[str, OpenCode("income_band")]
HomeOwnership = Annotated[str, OpenCode("home_ownership")]
CompanyType = Annotated[str, OpenCode("company_type")]
AddressType = Annotated[str, OpenCode("address_type")]
FamilyRelation = Annotated[str, OpenCode("family_relation")]
ContactRole = Annotated[str, OpenCode("contact_role")]
Count = Annotated[int, Field(ge=0, le=99)]
Yuan = Annotated[int, Field(ge=0, le=10**13)]  # whole yuan as typed; stored in fen

# Changing these needs a checker's approval (issue 3 §5); everything else changes directly.
IDENTITY_FIELDS = ("name", "id_type", "id_country", "id_no", "uscc", "legal_rep_name", "status", "home_unit_id")


class PhoneIn(BaseModel):
    """A phone number; mobiles are checked with phonenumbers and stored in E.164."""

    number: ShortText
    purpose: Literal["mobile", "home", "work"] = "mobile"
    valid_from: Day | None = None
    valid_to: Day | None = None
    preferred: bool = False


class EmailIn(BaseModel):
    """An e-mail address."""

    address: Text
    valid_from: Day | None = None
    valid_to: Day | None = None
    preferred: bool = False


class AddressIn(BaseModel):
    """A postal address of a given type (address_type code table)."""

    purpose: AddressType
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    valid_from: Day | None = None
    valid_to: Day | None = None
    preferred: bool = False


class FamilyMemberIn(BaseModel):
    """A family member, optionally linked to their own customer record by CIF number."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    relation: FamilyRelation
    member_cif_no: str | None = None


class ContactPersonIn(BaseModel):
    """A company's contact person."""

    role: ContactRole
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    phone: ShortText | None = None


# Each list a customer carries, capped once: create and update take the same types.
Phones = Annotated[list[PhoneIn], Field(max_length=10)]
Emails = Annotated[list[EmailIn], Field(max_length=10)]
Addresses = Annotated[list[AddressIn], Field(max_length=10)]
FamilyMembers = Annotated[list[FamilyMemberIn], Field(max_length=20)]
ContactPersons = Annotated[list[ContactPersonIn], Field(max_length=20)]


class ContactsIn(BaseModel):
    """Contact details shared by both kinds of customer."""

    phones: Phones = Field(default_factory=list)
    emails: Emails = Field(default_factory=list)
    addresses: Addresses = Field(default_factory=list)
    wechat_id: ShortText | None = None
    preferred_channel: ContactChannel | None = None
    preferred_time: ContactTime | None = None


class CustomerCommon(ContactsIn):
    """Fields of every customer."""

    name: Text
    name_en: Text | None = None
    status: CustomerStatus = "PROSPECT"
    home_unit_id: RowId
    account_manager_id: RowId | None = None
    source_channel: SourceChannel | None = None
    # The maker saw the possible-duplicates list and still wants to submit.
    acknowledge_duplicates: bool = False


class IndividualCreate(CustomerCommon):
    """A new individual customer: basic, work, family and contact sections."""

    kind: Literal["individual"] = "individual"
    gender: Literal["M", "F"]
    birth_date: Day
    nationality: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] = "CN"
    ethnicity: Ethnicity | None = None
    id_type: IdType
    id_no: ShortText
    id_country: IdCountry | None = None  # required for a passport or foreign ID card; CN for Chinese documents
    id_issue_date: Day | None = None
    id_expiry_date: Day | None = None
    marital_status: MaritalStatus | None = None
    education: Education | None = None
    employer: Text | None = None
    industry: Industry | None = None
    occupation: Occupation | None = None
    position: Text | None = None
    employed_since: Day | None = None
    income_band: IncomeBand | None = None
    household_size: Count | None = None
    dependants: Count | None = None
    household_income: Yuan | None = None
    home_ownership: HomeOwnership | None = None
    family_members: FamilyMembers = Field(default_factory=list)


class CorporateCreate(CustomerCommon):
    """A new corporate customer: business licence, industry, size and contact persons."""

    kind: Literal["corporate"] = "corporate"
    uscc: ShortText
    company_type: CompanyType | None = None
    legal_rep_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    registered_capital: Yuan | None = None
    capital_currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "CNY"
    established_on: Day | None = None
    operating_term_to: Day | None = None
    business_scope: LongText | None = None
    registered_address: Text | None = None
    registration_authority: Text | None = None
    licence_expiry: Day | None = None
    industry_division: Annotated[str, StringConstraints(pattern=r"^[0-9]{2}$")] | None = None
    enterprise_size: EnterpriseSize | None = None
    listed: bool = False
    stock_code: Annotated[str, StringConstraints(pattern=r"^[0-9A-Z.]{1,12}$")] | None = None
    contact_persons: ContactPersons = Field(default_factory=list)


class CustomerUpdate(BaseModel):
    """A change to a customer; fields left out stay as they are; identity fields go to approval."""

    model_config = ConfigDict(extra="forbid")

    name: Text | None = None
    name_en: Text | None = None
    status: CustomerStatus | None = None
    home_unit_id: RowId | None = None
    account_manager_id: RowId | None = None
    source_channel: SourceChannel | None = None
    id_type: IdType | None = None
    id_country: IdCountry | None = None
    id_no: ShortText | None = None
    uscc: ShortText | None = None
    legal_rep_name: Text | None = None
    wechat_id: ShortText | None = None
    preferred_channel: ContactChannel | None = None
    preferred_time: ContactTime | None = None
    marital_status: MaritalStatus | None = None
    education: Education | None = None
    employer: Text | None = None
    industry: Industry | None = None
    occupation: Occupation | None = None
    position: Text | None = None
    income_band: IncomeBand | None = None
    household_size: Count | None = None
    dependants: Count | None = None
    home_ownership: HomeOwnership | None = None
    company_type: CompanyType | None = None
    enterprise_size: EnterpriseSize | None = None
    business_scope: LongText | None = None
    licence_expiry: Day | None = None
    phones: Phones | None = None
    emails: Emails | None = None
    addresses: Addresses | None = None
    family_members: FamilyMembers | None = None
    contact_persons: ContactPersons | None = None


class Decision(BaseModel):
    """A checker's decision; a rejection needs a reason."""

    approve: bool
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None


class CustomerSummary(BaseModel):
    """A customer in lists and search results; C2 values are masked."""

    cif_no: str
    kind: Literal["individual", "corporate"]
    status: CustomerStatusRead
    name: str
    id_type: str | None
    id_country: str | None = None  # the ID document's issuing country (ISO 3166-1 alpha-2)
    id_no: str | None
    uscc: str | None
    home_unit: str
    account_manager: str | None
    tags: list[str] = Field(default_factory=list, description="Codes of the tags the customer carries now")


class ContactRead(BaseModel):
    """A contact detail as shown (phones masked)."""

    id: int
    channel: str
    purpose: str
    value: str
    valid_from: date | None
    valid_to: date | None
    preferred: bool


class CustomerRead(CustomerSummary):
    """One customer with every section; C2 values masked."""

    name_en: str | None
    profile: dict[str, object]
    contacts: list[ContactRead]
    family_members: list[dict[str, object]]
    contact_persons: list[dict[str, object]]
    pending_fields: list[str]
    created_at: datetime
    updated_at: datetime


class CustomerPage(Page[CustomerSummary]):
    """One page of customers; ``total_capped`` means there are at least ``total`` matches."""

    total_capped: bool = False


class ChangeRequestRead(BaseModel):
    """A change request in the inbox; values masked."""

    id: int
    kind: str
    customer_kind: str
    cif_no: str | None
    status: str
    fields: list[str]
    changes: dict[str, list[object]]
    home_unit: str
    maker: str
    checker: str | None
    reason: str | None
    submitted_at: datetime
    decided_at: datetime | None


class ChangeRequestPage(Page[ChangeRequestRead]):
    """One page of change requests."""


class FieldChangeRead(BaseModel):
    """One entry of a customer's field history (C2 masked)."""

    model_config = ConfigDict(from_attributes=True)

    field: str
    old_value: str | None
    new_value: str | None
    changed_by_name: str
    changed_at: datetime
    change_request_id: int | None


class LabelledFieldChange(FieldChangeRead):
    """A history entry as the reader reads it: the field's label and the values' labels."""

    label: str
    old_label: str | None
    new_label: str | None


class LabelledValue(BaseModel):
    """One field a checker decides: its label, old and new value labels; ``clear`` when shown unmasked."""

    field: str
    label: str
    old: str | None
    new: str | None
    clear: bool = False


class ChangeRequestReview(ChangeRequestRead):
    """A change request as its approval page shows it: every field labelled, duplicates the maker acknowledged."""

    rows: list[LabelledValue]
    in_clear: bool
    duplicates: list[str]
    duplicates_hidden: int


class UnmaskedValue(BaseModel):
    """One C2 value revealed on request (audited)."""

    field: str
    value: str


# The customer list: summaries are masked for the reader by the service before they reach a column or an export.
CUSTOMER_LIST = ListSpec(
    name="customers",
    columns=(
        Column("cif_no", N_("CIF no.")),
        Column("name", N_("Name")),
        Column("kind", N_("Kind")),
        Column("id_no", N_("ID number / USCC"), sortable=False),
        Column("home_unit", N_("Unit")),
        Column("account_manager", N_("Account manager"), sortable=False),
        Column("status", N_("Status")),
    ),
    default_sort="cif_no",
    tie_breaker="cif_no",  # unique, and what a reader sees
    # tag: one code or several, comma-separated; a customer must carry every one of them.
    filters=(
        Filter("q"),
        Filter("kind", max_length=20),
        Filter("status", max_length=20),
        Filter("tag", max_length=200),
    ),
    export=(
        ExportColumn(N_("CIF no."), lambda c: c.cif_no),
        ExportColumn(N_("Kind"), lambda c: c.kind),
        ExportColumn(N_("Status"), lambda c: c.status),
        ExportColumn(N_("Name"), lambda c: c.name),
        ExportColumn(N_("ID type"), lambda c: c.id_type or ""),
        ExportColumn(N_("ID number"), lambda c: c.id_no or ""),
        ExportColumn(N_("USCC"), lambda c: c.uscc or ""),
        ExportColumn(N_("Unit"), lambda c: c.home_unit),
        ExportColumn(N_("Account manager"), lambda c: c.account_manager or ""),
        ExportColumn(N_("Tags"), lambda c: ", ".join(c.tags)),
    ),
    audit_event="customer.export",
)


# The approval inbox: change requests carry masked summaries only; the export leaves the values out.
CHANGE_REQUEST_LIST = ListSpec(
    name="change-requests",
    columns=(
        Column("id", N_("#")),
        Column("kind", N_("Request")),
        Column("customer", N_("Customer"), sortable=False),
        Column("home_unit", N_("Unit")),
        Column("maker", N_("Maker")),
        Column("submitted_at", N_("Submitted")),
    ),
    default_sort="-id",
    tie_breaker="id",
    extra_sorts=("decided_at",),
    filters=(Filter("status", max_length=20),),
    export=(
        ExportColumn(N_("#"), lambda r: r.id),
        ExportColumn(N_("Request"), lambda r: r.kind),
        ExportColumn(N_("Kind"), lambda r: r.customer_kind),
        ExportColumn(N_("CIF no."), lambda r: r.cif_no or ""),
        ExportColumn(N_("Fields"), lambda r: " ".join(r.fields)),
        ExportColumn(N_("Unit"), lambda r: r.home_unit),
        ExportColumn(N_("Maker"), lambda r: r.maker),
        ExportColumn(N_("Checker"), lambda r: r.checker or ""),
        ExportColumn(N_("Status"), lambda r: r.status),
        ExportColumn(N_("Submitted"), lambda r: r.submitted_at),
        ExportColumn(N_("Decided"), lambda r: r.decided_at),
    ),
    audit_event="change_request.export",
)
