"""The customer information file: customers, their contacts, family, change requests and field history.

PII classes (ARCHITECTURE §6) are marked next to each column: C2 values are stored encrypted
(``*_enc``, AES-GCM token with its key version) beside an HMAC blind index (``*_index``) for exact
lookup and a masked copy (``*_masked``) for lists, so a list never needs to decrypt.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bankcrm.kit.time import utcnow
from bankcrm.models.base import Base
from bankcrm.models.org import OrgUnit


class CodeItem(Base):
    """One entry of a reference code table (industry, ID type, ethnicity, ...), labels in both languages."""

    __tablename__ = "code_item"

    category: Mapped[str] = mapped_column(String(40), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    parent_code: Mapped[str | None] = mapped_column(String(40))
    label_en: Mapped[str] = mapped_column(String(200))
    label_zh: Mapped[str] = mapped_column(String(200))
    sort_order: Mapped[int]


class Counter(Base):
    """Named monotonic counters (CIF numbers); a number handed out is never handed out again."""

    __tablename__ = "counter"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class Customer(Base):
    """One customer, individual or corporate; identity fields change only through approval."""

    __tablename__ = "customer"

    id: Mapped[int] = mapped_column(primary_key=True)
    cif_no: Mapped[str] = mapped_column(String(20), unique=True)  # C1
    kind: Mapped[str] = mapped_column(String(12))  # individual | corporate
    status: Mapped[str] = mapped_column(String(12))  # code_item customer_status
    name: Mapped[str] = mapped_column(String(200))  # C1; masked on screen for individuals
    name_en: Mapped[str | None] = mapped_column(String(200))
    name_pinyin: Mapped[str] = mapped_column(String(400))
    name_initials: Mapped[str] = mapped_column(String(100))
    # ID document of an individual (C2), or the unified social credit code of a company (public, C1).
    id_type: Mapped[str | None] = mapped_column(String(20))
    # Issuing country (ISO 3166-1 alpha-2) of an individual's ID document; (type, country, number) is one document.
    id_country: Mapped[str | None] = mapped_column(String(2))
    id_no_enc: Mapped[str | None] = mapped_column(Text)
    id_no_index: Mapped[str | None] = mapped_column(String(64), index=True)
    id_no_masked: Mapped[str | None] = mapped_column(String(40))
    uscc: Mapped[str | None] = mapped_column(String(18), unique=True)
    home_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    account_manager_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    source_channel: Mapped[str | None] = mapped_column(String(20))
    wechat_id: Mapped[str | None] = mapped_column(String(60))
    preferred_channel: Mapped[str | None] = mapped_column(String(20))
    preferred_time: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    home_unit: Mapped[OrgUnit] = relationship(lazy="joined")
    individual: Mapped[IndividualProfile | None] = relationship(back_populates="customer", lazy="joined")
    corporate: Mapped[CorporateProfile | None] = relationship(back_populates="customer", lazy="joined")
    search_keys: Mapped[list[CustomerSearchKey]] = relationship(cascade="all, delete-orphan", lazy="select")

    __table_args__ = (Index("ix_customer_id_document", "id_type", "id_country", "id_no_index"),)


# Byte order on both databases, so that a prefix is a key range (PostgreSQL's default collation may not be).
SEARCH_KEY_TYPE = String(160).with_variant(String(160, collation="C"), "postgresql")


class CustomerSearchKey(Base):
    """One key under which a customer is found by name, pinyin or initials (see kit.search_keys)."""

    __tablename__ = "customer_search_key"

    key: Mapped[str] = mapped_column(SEARCH_KEY_TYPE, primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class IndividualProfile(Base):
    """Basic, work and family sections of an individual customer."""

    __tablename__ = "individual_profile"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), primary_key=True)
    gender: Mapped[str | None] = mapped_column(String(1))
    birth_date: Mapped[date | None] = mapped_column(index=True)
    nationality: Mapped[str | None] = mapped_column(String(3))
    ethnicity: Mapped[str | None] = mapped_column(String(4))
    id_issue_date: Mapped[date | None]
    id_expiry_date: Mapped[date | None]
    marital_status: Mapped[str | None] = mapped_column(String(4))
    education: Mapped[str | None] = mapped_column(String(4))
    employer: Mapped[str | None] = mapped_column(String(200))
    industry: Mapped[str | None] = mapped_column(String(4))
    occupation: Mapped[str | None] = mapped_column(String(4))
    position: Mapped[str | None] = mapped_column(String(100))
    employed_since: Mapped[date | None]
    income_band: Mapped[str | None] = mapped_column(String(4))
    household_size: Mapped[int | None]
    dependants: Mapped[int | None]
    household_income: Mapped[int | None] = mapped_column(BigInteger)  # yearly, fen (CNY minor units)
    home_ownership: Mapped[str | None] = mapped_column(String(12))

    customer: Mapped[Customer] = relationship(back_populates="individual")


class CorporateProfile(Base):
    """Business licence, industry and size of a corporate customer."""

    __tablename__ = "corporate_profile"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), primary_key=True)
    company_type: Mapped[str | None] = mapped_column(String(20))
    legal_rep_name: Mapped[str | None] = mapped_column(String(100))
    registered_capital: Mapped[int | None] = mapped_column(BigInteger)  # minor units of capital_currency
    capital_currency: Mapped[str | None] = mapped_column(String(3))
    established_on: Mapped[date | None]
    operating_term_to: Mapped[date | None]  # None: long-term (长期)
    business_scope: Mapped[str | None] = mapped_column(Text)
    registered_address: Mapped[str | None] = mapped_column(String(300))
    registration_authority: Mapped[str | None] = mapped_column(String(200))
    licence_expiry: Mapped[date | None]
    industry_section: Mapped[str | None] = mapped_column(String(1))
    industry_division: Mapped[str | None] = mapped_column(String(2))
    enterprise_size: Mapped[str | None] = mapped_column(String(10))
    listed: Mapped[bool] = mapped_column(default=False)
    stock_code: Mapped[str | None] = mapped_column(String(12))

    customer: Mapped[Customer] = relationship(back_populates="corporate")


class CustomerContact(Base):
    """A phone (C2, encrypted), e-mail or address of a customer, with validity and a preferred flag."""

    __tablename__ = "customer_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(10))  # phone | email | address
    purpose: Mapped[str] = mapped_column(String(20))  # mobile/home/work, or an address_type code
    value: Mapped[str | None] = mapped_column(String(300))  # e-mails and addresses
    value_enc: Mapped[str | None] = mapped_column(Text)  # phones, C2
    value_index: Mapped[str | None] = mapped_column(String(64), index=True)
    value_masked: Mapped[str] = mapped_column(String(300))
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]
    preferred: Mapped[bool] = mapped_column(default=False)


class FamilyMember(Base):
    """A member of an individual's family, linked to their own customer record when there is one."""

    __tablename__ = "family_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    relation: Mapped[str] = mapped_column(String(20))
    member_customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"))


class ContactPerson(Base):
    """A company's contact person: legal representative, finance officer, authorised agent."""

    __tablename__ = "contact_person"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    phone_enc: Mapped[str | None] = mapped_column(Text)  # C2
    phone_masked: Mapped[str | None] = mapped_column(String(30))


class ChangeRequestStatus(StrEnum):
    """The states of the ``change_request`` workflow (workflow_state.csv; a test keeps them equal)."""

    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


class ChangeRequest(Base):
    """A maker's request to create a customer or change identity fields, waiting for a checker.

    The requested values are C2-bearing, so the payload is stored encrypted; ``summary`` holds
    the masked rendering shown in the inbox.
    """

    __tablename__ = "change_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # create | update
    customer_kind: Mapped[str] = mapped_column(String(12))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), index=True)  # workflow change_request
    fields: Mapped[str] = mapped_column(String(400))  # comma-separated field names
    payload_enc: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)  # JSON of masked {field: [old, new]}
    id_no_index: Mapped[str | None] = mapped_column(String(64), index=True)  # pending-duplicate guard
    id_country: Mapped[str | None] = mapped_column(String(2))  # with id_no_index: the document's issuing country
    home_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    maker_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    maker_name: Mapped[str] = mapped_column(String(120))
    checker_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    checker_name: Mapped[str | None] = mapped_column(String(120))
    reason: Mapped[str | None] = mapped_column(String(500))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]

    home_unit: Mapped[OrgUnit] = relationship(lazy="joined")
    customer: Mapped[Customer | None] = relationship(lazy="joined")


class FieldChange(Base):
    """One field's change on a customer: old → new (C2 masked), who, when, through which request."""

    __tablename__ = "customer_field_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(60))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    changed_by_name: Mapped[str] = mapped_column(String(120))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    change_request_id: Mapped[int | None] = mapped_column(ForeignKey("change_request.id"))
