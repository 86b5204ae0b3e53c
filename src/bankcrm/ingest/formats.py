"""The file contract (docs/ingest-formats.md) as data: the columns of each file type and their rules."""

from __future__ import annotations

from dataclasses import dataclass

TEXT = "text"
NUMBER = "number"  # account or contract number: 6-32 letters or digits
CODE = "code"
DATE = "date"
DATETIME = "datetime"
AMOUNT = "amount"  # in the minor units of the row's currency (checks.DIGITS), which the file type's plan finds
RATE = "rate"
INT = "int"
FLAG = "flag"

# How a column's value is shown in a reject (ARCHITECTURE §6: C2 values masked on the server).
MASK_NUMBER = "number"  # account, contract and CIF numbers: last 4 characters kept
MASK_AMOUNT = "amount"  # balances and amounts: not shown at all
MASK_TEXT = "text"  # free text that may name or describe a person: first characters kept


@dataclass(frozen=True)
class Column:
    """One column: its kind, whether it must have a value, and the code table or bounds it is checked against."""

    name: str
    kind: str
    required: bool = True
    code_table: str | None = None
    max_len: int = 200
    minimum: int | None = None  # ints: smallest value; amounts: 0 = not negative, 1 = more than 0, None = any sign
    maximum: int | None = None
    mask: str | None = None  # C2: how a reject shows it (MASK_*); None = C1, shown as delivered


@dataclass(frozen=True)
class FileFormat:
    """A file type: its columns in order and the column that keys a row inside the file (None: its plan checks)."""

    name: str
    columns: tuple[Column, ...]
    key: str | None

    @property
    def names(self) -> list[str]:
        """Column names in contract order."""
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column | None:
        """The column of this name, or None for a column the contract does not know."""
        return next((c for c in self.columns if c.name == name), None)


ACCOUNTS = FileFormat(
    "accounts",
    (
        Column("account_no", NUMBER, mask=MASK_NUMBER),
        Column("cif_no", TEXT, max_len=11, mask=MASK_NUMBER),
        Column("product_code", CODE, code_table="product"),
        Column("branch_code", CODE, code_table="org_unit"),
        Column("currency", CODE, code_table="currency"),
        Column("status", CODE, code_table="account_status"),
        Column("open_date", DATE),
        Column("close_date", DATE, required=False),
        Column("rate", RATE, required=False),
        Column("maturity_date", DATE, required=False),
        Column("auto_renew", FLAG, required=False),
        # negative only for products that allow an overdraft (the plan checks)
        Column("balance", AMOUNT, mask=MASK_AMOUNT),
        Column("linked_account_no", NUMBER, required=False, mask=MASK_NUMBER),  # a debit card's demand account
    ),
    key="account_no",
)

LOANS = FileFormat(
    "loans",
    (
        Column("contract_no", NUMBER, mask=MASK_NUMBER),
        Column("cif_no", TEXT, max_len=11, mask=MASK_NUMBER),
        Column("product_code", CODE, code_table="product"),
        Column("branch_code", CODE, code_table="org_unit"),
        Column("currency", CODE, code_table="currency"),
        Column("status", CODE, code_table="loan_status"),
        Column("amount", AMOUNT, minimum=1, mask=MASK_AMOUNT),
        Column("drawn", AMOUNT, minimum=0, mask=MASK_AMOUNT),
        Column("outstanding", AMOUNT, minimum=0, mask=MASK_AMOUNT),
        Column("rate", RATE),
        Column("term_months", INT, minimum=1, maximum=600),
        Column("start_date", DATE),
        Column("maturity_date", DATE),
        Column("repayment_method", CODE, code_table="repayment_method"),
        Column("guarantee_type", CODE, code_table="guarantee_type"),
        Column("classification", CODE, code_table="loan_class"),
        Column("days_overdue", INT, minimum=0, maximum=99_999),
    ),
    key="contract_no",
)

BALANCES = FileFormat(
    "balances",
    (Column("account_no", NUMBER, mask=MASK_NUMBER), Column("balance", AMOUNT, mask=MASK_AMOUNT)),  # sign: as accounts
    key="account_no",
)

TRANSACTIONS = FileFormat(
    "transactions",
    (
        Column("voucher_no", TEXT, max_len=40),
        Column("account_no", NUMBER, mask=MASK_NUMBER),
        Column("txn_time", DATETIME),
        Column("amount", AMOUNT, minimum=1, mask=MASK_AMOUNT),
        Column("direction", CODE, code_table="direction"),
        Column("channel", CODE, code_table="txn_channel"),
        Column("counterparty_name", TEXT, required=False, mask=MASK_TEXT),
        Column("counterparty_bank", TEXT, required=False),
        Column("purpose_code", CODE, required=False, code_table="txn_purpose"),
        Column("summary", TEXT, required=False, mask=MASK_TEXT),
    ),
    key="voucher_no",
)

# A link is keyed by its two customers and its type (either order for symmetric types): the links plan
# rejects repeats, so there is no single key column.
LINKS = FileFormat(
    "links",
    (
        Column("from_cif_no", TEXT, max_len=11, mask=MASK_NUMBER),
        Column("to_cif_no", TEXT, max_len=11, mask=MASK_NUMBER),
        Column("link_type", CODE, code_table="link_type"),
        Column("share_pct", TEXT, required=False, max_len=20),  # checked by the links rule itself
        Column("amount", AMOUNT, required=False, mask=MASK_AMOUNT),
        Column("valid_from", DATE, required=False),
        Column("valid_to", DATE, required=False),
    ),
    key=None,
)

# An account's parties besides its owner (docs/ingest-formats.md "account_parties"): keyed by account,
# customer and role, which the plan checks (a CIF number merged into another counts as its survivor's).
ACCOUNT_PARTIES = FileFormat(
    "account_parties",
    (
        Column("account_no", NUMBER, mask=MASK_NUMBER),
        Column("cif_no", TEXT, max_len=11, mask=MASK_NUMBER),
        Column("role", CODE, code_table="account_party_role"),
        Column("valid_from", DATE, required=False),
        Column("valid_to", DATE, required=False),
    ),
    key=None,
)

# Customers as a source system delivers them (docs/ingest-formats.md "customers"); the customers
# module's own validation checks each row (ingest/service/customer_plan.py), so most columns are plain text here.
CUSTOMERS = FileFormat(
    "customers",
    (
        Column("kind", TEXT, max_len=12),
        Column("source_customer_id", TEXT, max_len=64, mask=MASK_NUMBER),
        Column("branch_code", CODE, code_table="org_unit"),
        Column("name", TEXT, mask=MASK_TEXT),
        Column("name_en", TEXT, required=False, mask=MASK_TEXT),
        Column("status", TEXT, required=False, max_len=12),
        Column("id_type", TEXT, required=False, max_len=20),
        Column("id_country", TEXT, required=False, max_len=20),  # ISO 3166-1 alpha-2, checked by the row rule
        Column("id_no", TEXT, required=False, max_len=60, mask=MASK_NUMBER),
        Column("id_issue_date", DATE, required=False),
        Column("id_expiry_date", DATE, required=False),
        Column("birth_date", DATE, required=False),
        Column("gender", TEXT, required=False, max_len=1),
        Column("nationality", TEXT, required=False, max_len=2),
        Column("ethnicity", TEXT, required=False, max_len=20),
        Column("marital_status", TEXT, required=False, max_len=20),
        Column("education", TEXT, required=False, max_len=20),
        Column("industry", TEXT, required=False, max_len=20),
        Column("occupation", TEXT, required=False, max_len=20),
        Column("income_band", TEXT, required=False, max_len=20),
        Column("employer", TEXT, required=False, mask=MASK_TEXT),
        Column("position", TEXT, required=False),
        Column("mobile", TEXT, required=False, max_len=60, mask=MASK_NUMBER),
        Column("phone_home", TEXT, required=False, max_len=60, mask=MASK_NUMBER),
        Column("phone_work", TEXT, required=False, max_len=60, mask=MASK_NUMBER),
        Column("email", TEXT, required=False, mask=MASK_TEXT),
        Column("address", TEXT, required=False, max_len=300, mask=MASK_TEXT),
        Column("uscc", TEXT, required=False, max_len=60),
        Column("legal_rep_name", TEXT, required=False, max_len=100, mask=MASK_TEXT),
        Column("company_type", TEXT, required=False, max_len=20),
        Column("enterprise_size", TEXT, required=False, max_len=20),
        Column("registered_capital", AMOUNT, required=False, minimum=0, mask=MASK_AMOUNT),
        Column("capital_currency", TEXT, required=False, max_len=3),
        Column("established_on", DATE, required=False),
        Column("licence_expiry", DATE, required=False),
        Column("registered_address", TEXT, required=False),
        Column("business_scope", TEXT, required=False, max_len=2000),
        Column("industry_division", TEXT, required=False, max_len=2),
    ),
    key="source_customer_id",
)

# Tags delivered by another system (HR, payroll): add or remove one imported tag on one customer. A row is keyed
# by its customer and tag: the tags plan rejects repeats, so there is no single key column.
TAGS = FileFormat(
    "tags",
    (
        Column("cif_no", TEXT, max_len=11, mask=MASK_NUMBER),
        Column("tag", TEXT, max_len=40),  # an imported tag of the catalogue (the plan checks)
        Column("action", CODE, code_table="tag_action"),
        Column("note", TEXT, required=False, mask=MASK_TEXT),
    ),
    key=None,
)

# Leads from the website and campaign systems: a customer's interest (cif_no) or a prospect's (name and phone),
# keyed by the delivering system's own reference (a reference delivered before is left as it is).
LEADS = FileFormat(
    "leads",
    (
        Column("lead_ref", TEXT, max_len=60),
        Column("source", CODE, code_table="lead_source"),
        Column("interest", CODE, code_table="lead_interest"),
        Column("cif_no", TEXT, required=False, max_len=11, mask=MASK_NUMBER),
        Column("name", TEXT, required=False, max_len=100, mask=MASK_TEXT),
        Column("phone", TEXT, required=False, max_len=30, mask=MASK_NUMBER),
        Column("amount", INT, required=False, minimum=0, maximum=10**15, mask=MASK_AMOUNT),  # fen, CNY
        Column("unit", TEXT, required=False, max_len=20),
        Column("note", TEXT, required=False, max_len=1000, mask=MASK_TEXT),
    ),
    key="lead_ref",
)

FORMATS = {f.name: f for f in (ACCOUNTS, LOANS, BALANCES, TRANSACTIONS, LINKS, ACCOUNT_PARTIES, CUSTOMERS, TAGS, LEADS)}
FILE_TYPES = tuple(FORMATS)
