"""Pydantic shapes of holdings, the 360° view and tasks. Money is in fen (integer minor units) with a currency."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from bankcrm.households.schemas import HouseholdBadge
from bankcrm.kit.i18n import N_
from bankcrm.kit.listing import Column, ExportColumn, Filter, ListSpec, Page
from bankcrm.models.task import TaskStatus
from bankcrm.relationships.schemas import CircleFlag, GroupFlag

# A task's status: the task workflow's states (the pages' tabs name them in lower case).
TaskState = TaskStatus


class CoPartyRead(BaseModel):
    """Another party of the customer's own account: role, and who, when the reader may see that customer."""

    role: str  # code_item account_party_role
    role_label: str
    cif_no: str | None  # None: the party is outside the reader's data scope
    name: str | None  # as the reader may see it (masked without PII rights); None outside scope
    valid_to: date | None = None


class AccountRead(BaseModel):
    """One account as the 360° view shows it (number masked)."""

    account_no: str
    product_code: str
    product: str
    category: str
    currency: str
    status: str
    open_date: date
    close_date: date | None
    rate_bp: int | None
    maturity_date: date | None
    auto_renew: bool | None
    balance: int  # minor units of the currency; negative when overdrawn
    balance_date: date | None
    risk_level: str | None
    minor_units: int = 2  # the currency's: how the balance reads (JPY 0, CNY 2, BHD 3)
    linked_account_no: str | None = None  # a debit card's demand account, masked
    parties: list[CoPartyRead] = []  # the owner's view: joint holders, signatories... of this account


class PartyAccountRead(AccountRead):
    """An account the customer is party to without owning it: its role there (the owner's AUM counts it)."""

    role: str  # code_item account_party_role
    role_label: str
    valid_to: date | None = None  # the party's role ends the day before, when the file gave an end


class LoanRead(BaseModel):
    """One loan contract (number masked) with its five-category classification."""

    contract_no: str
    product_code: str
    product: str
    currency: str
    status: str
    amount: int
    drawn: int
    outstanding: int
    rate_bp: int
    term_months: int
    start_date: date
    maturity_date: date
    repayment_method: str
    guarantee_type: str
    classification: str
    days_overdue: int


class FiguresRead(BaseModel):
    """Derived figures from the nightly batch."""

    as_of: date
    aum: int
    deposit_balance: int
    loan_balance: int
    monthly_avg_balance: int
    product_count: int
    last_txn_date: date | None
    computed_at: datetime


class MonthBalance(BaseModel):
    """AUM at the end of one month (None: no balance delivered that month)."""

    month: str
    aum: int | None


class TransactionRead(BaseModel):
    """One voucher."""

    voucher_no: str
    account_no: str
    txn_time: datetime
    amount: int
    direction: str
    channel: str
    counterparty_name: str | None
    counterparty_bank: str | None
    purpose_code: str | None
    summary: str | None


class TransactionPage(Page[TransactionRead]):
    """One page of vouchers."""


class MaturityRead(BaseModel):
    """A holding maturing soon."""

    maturity_date: date
    holding_kind: Literal["account", "loan"]
    number: str
    product: str
    amount: int
    currency: str


class TaskRead(BaseModel):
    """A follow-up task."""

    id: int
    kind: str
    cif_no: str
    customer_name: str
    holding_kind: str | None
    product_code: str | None
    maturity_date: date | None
    window_days: int | None
    due_date: date
    amount_due: int | None
    status: str
    outcome: str | None
    amount_kept: int | None
    note: str | None
    completed_at: datetime | None


class TaskPage(Page[TaskRead]):
    """One page of tasks."""


def _yuan(fen: int | None) -> str:
    return "" if fen is None else f"{Decimal(fen) / 100:.2f}"


# Follow-up tasks: customer names come from the customer summaries (as the reader may see them); the note stays out.
TASK_LIST = ListSpec(
    name="tasks",
    columns=(
        Column("cif_no", N_("Customer")),
        Column("product_code", N_("Product")),
        Column("maturity_date", N_("Maturity date")),
        Column("window_days", N_("Window")),
        Column("amount_due", N_("Amount due (yuan)")),
        Column("outcome", N_("Outcome")),
    ),
    default_sort="status,due_date",  # open first, soonest first, as the list always was
    tie_breaker="id",
    extra_sorts=("status", "due_date", "kind", "amount_kept"),
    filters=(Filter("status", max_length=10),),
    export=(
        ExportColumn(N_("#"), lambda t: t.id),
        ExportColumn(N_("Kind"), lambda t: t.kind),
        ExportColumn(N_("CIF no."), lambda t: t.cif_no),
        ExportColumn(N_("Name"), lambda t: t.customer_name),
        ExportColumn(N_("Product"), lambda t: t.product_code or ""),
        ExportColumn(N_("Maturity date"), lambda t: t.maturity_date.isoformat() if t.maturity_date else ""),
        ExportColumn(N_("Due date"), lambda t: t.due_date.isoformat()),
        ExportColumn(N_("Amount due (yuan)"), lambda t: _yuan(t.amount_due)),
        ExportColumn(N_("Status"), lambda t: t.status),
        ExportColumn(N_("Outcome"), lambda t: t.outcome or ""),
        ExportColumn(N_("Amount kept (yuan)"), lambda t: _yuan(t.amount_kept)),
    ),
    audit_event="task.export",
)


class TaskOutcome(BaseModel):
    """How a task ended: a maturity outcome and the amount kept (fen), or a playbook follow-up's outcome."""

    # maturity_outcome codes for a MATURITY task, followup_outcome codes for the others (the service checks which).
    outcome: Literal[
        "RENEWED", "OTHER_PRODUCT", "WITHDRAWN", "OTHER_BANK", "TAKEN_UP", "CONTACTED", "DECLINED", "NOT_REACHED"
    ]
    amount_kept: int = Field(0, ge=0, le=10**15)
    note: str | None = Field(None, max_length=500)


class CustomerHeader(BaseModel):
    """The head of the 360° view: only what exists."""

    cif_no: str
    kind: str
    name: str
    status: str
    home_unit: str
    account_manager: str | None


class CustomerView(BaseModel):
    """The 360° view of one customer (masked), for the page and for other bank systems."""

    customer: CustomerHeader
    figures: FiguresRead | None
    balance_series: list[MonthBalance]
    accounts: list[AccountRead]
    # Joint holder, signatory, attorney or guardian of another customer's account: listed, outside this AUM.
    party_accounts: list[PartyAccountRead] = []
    loans: list[LoanRead]
    maturities: list[MaturityRead]
    tasks: list[TaskRead]
    recent_transactions: TransactionPage
    history_url: str
    household: HouseholdBadge | None = None  # members in scope only in its AUM
    guarantee_circles: list[CircleFlag] = []  # current guarantee circles the customer is in
    corporate_groups: list[GroupFlag] = []  # proposed and accepted groups the customer is in


class WeekRead(BaseModel):
    """Funds maturing in one week and the share kept."""

    week_start: date
    maturing: int
    tasks: int
    done: int
    followed_amount: int
    kept: int
    retained_share: float | None


# A customer's vouchers, shown to readers of that customer: account numbers come masked from the
# repository; counterparties are shown as on screen.
TRANSACTION_LIST = ListSpec(
    name="transactions",
    columns=(
        Column("txn_time", N_("Time")),
        Column("account_no", N_("Account no."), sortable=False),
        Column("amount", N_("Amount")),
        Column("channel", N_("Channel")),
        Column("counterparty", N_("Counterparty")),
        Column("purpose", N_("Purpose")),
        Column("summary", N_("Summary"), sortable=False),
    ),
    default_sort="-txn_time,-voucher_no",  # newest first, as the list always was
    tie_breaker="voucher_no",
    # The bounds stay text: the page reads dates as the bank's days and yuan as typed, naming a bad one.
    filters=tuple(Filter(n, max_length=20) for n in ("since", "until", "min_amount", "max_amount", "channel")),
    export=(
        ExportColumn(N_("Voucher no."), lambda t: t.voucher_no),
        ExportColumn(N_("Time"), lambda t: t.txn_time),
        ExportColumn(N_("Account no."), lambda t: t.account_no),
        ExportColumn(N_("Direction"), lambda t: t.direction),
        ExportColumn(N_("Amount (yuan)"), lambda t: _yuan(t.amount)),
        ExportColumn(N_("Channel"), lambda t: t.channel),
        ExportColumn(N_("Counterparty"), lambda t: t.counterparty_name or ""),
        ExportColumn(N_("Counterparty bank"), lambda t: t.counterparty_bank or ""),
        ExportColumn(N_("Purpose"), lambda t: t.purpose_code or ""),
        ExportColumn(N_("Summary"), lambda t: t.summary or ""),
    ),
    audit_event="transaction.export",
)


def _share(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}"


# Funds maturing per week: sixteen rows of sums, computed in the service and sorted there.
MATURITY_LIST = ListSpec(
    name="maturities",
    columns=(
        Column("week_start", N_("Week of")),
        Column("maturing", N_("Maturing (yuan)")),
        Column("tasks", N_("Tasks")),
        Column("done", N_("Done")),
        Column("followed_amount", N_("Followed up (yuan)")),
        Column("kept", N_("Kept (yuan)")),
        Column("retained_share", N_("Retained share")),
    ),
    default_sort="week_start",
    tie_breaker="week_start",  # one row per week
    export=(
        ExportColumn(N_("Week of"), lambda w: w.week_start.isoformat()),
        ExportColumn(N_("Maturing (yuan)"), lambda w: _yuan(w.maturing)),
        ExportColumn(N_("Tasks"), lambda w: w.tasks),
        ExportColumn(N_("Done"), lambda w: w.done),
        ExportColumn(N_("Followed up (yuan)"), lambda w: _yuan(w.followed_amount)),
        ExportColumn(N_("Kept (yuan)"), lambda w: _yuan(w.kept)),
        ExportColumn(N_("Retained share (%)"), lambda w: _share(w.retained_share)),
    ),
    audit_event="maturity.export",
)


class LoanListRow(BaseModel):
    """One loan contract on the loans list: number masked, customer name as the reader may see it."""

    id: int
    contract_no: str
    cif_no: str
    customer_name: str
    product_code: str
    product: str
    unit_code: str
    currency: str
    minor_units: int = 2
    classification: str
    class_label: str
    status: str
    status_label: str
    amount: int  # minor units of the currency
    outstanding: int
    rate_bp: int
    start_date: date
    maturity_date: date
    days_overdue: int


class LoanPage(Page[LoanListRow]):
    """One page of loan contracts."""


def _minor(amount: int, digits: int) -> str:
    return f"{Decimal(amount).scaleb(-digits):.{digits}f}"


# Loan contracts of customers in the reader's scope: contract numbers masked, names as on screen;
# the class and status read in the reader's language, their codes beside them for programs.
LOAN_LIST = ListSpec(
    name="loans",
    columns=(
        Column("cif_no", N_("Customer")),
        Column("contract_no", N_("Contract no."), sortable=False),
        Column("product_code", N_("Product")),
        Column("unit_code", N_("Branch")),
        Column("classification", N_("Class")),
        Column("status", N_("Status")),
        Column("outstanding", N_("Outstanding")),
        Column("days_overdue", N_("Days overdue")),
        Column("maturity_date", N_("Maturity date")),
    ),
    default_sort="-outstanding",
    tie_breaker="id",
    filters=(
        Filter("loan_class", max_length=20),
        Filter("status", max_length=12),
        Filter("branch", max_length=20),
        Filter("product", max_length=20),
    ),
    export=(
        ExportColumn(N_("Contract no."), lambda r: r.contract_no),
        ExportColumn(N_("CIF no."), lambda r: r.cif_no),
        ExportColumn(N_("Name"), lambda r: r.customer_name),
        ExportColumn(N_("Product"), lambda r: r.product),
        ExportColumn(N_("Branch"), lambda r: r.unit_code),
        ExportColumn(N_("Class"), lambda r: r.class_label),
        ExportColumn(N_("Class code"), lambda r: r.classification),
        ExportColumn(N_("Status"), lambda r: r.status_label),
        ExportColumn(N_("Status code"), lambda r: r.status),
        ExportColumn(N_("Currency"), lambda r: r.currency),
        ExportColumn(N_("Amount"), lambda r: _minor(r.amount, r.minor_units)),
        ExportColumn(N_("Outstanding"), lambda r: _minor(r.outstanding, r.minor_units)),
        ExportColumn(N_("Days overdue"), lambda r: r.days_overdue),
        ExportColumn(N_("Start date"), lambda r: r.start_date.isoformat()),
        ExportColumn(N_("Maturity date"), lambda r: r.maturity_date.isoformat()),
    ),
    audit_event="loan.export",
)
