"""Pydantic shapes of account-manager assignments. Shares are basis points of a percent (7000 = 70 %); money is fen."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from bankcrm.kit.i18n import N_
from bankcrm.kit.ids import RowId
from bankcrm.kit.listing import Column, ExportColumn, Filter, ListSpec, Page
from bankcrm.models.assignment import AssignmentRequestStatus

# A request's status as the API takes and shows it: the assignment_request workflow's states.
RequestStatus = AssignmentRequestStatus
# The badge colour of each status on the pages (the label comes from the workflow catalogue).
STATUS_BADGES: dict[AssignmentRequestStatus, str] = {
    AssignmentRequestStatus.SUBMITTED: "bg-yellow-lt",
    AssignmentRequestStatus.APPROVED: "bg-green-lt",
    AssignmentRequestStatus.REJECTED: "bg-red-lt",
}

Role = Literal["primary", "co"]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
CifNo = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)]


class ManagerShare(BaseModel):
    """One manager asked for: primary or co-manager, with a share in basis points."""

    manager_id: RowId
    role: Role
    share_bp: int = Field(ge=0, le=10_000, description="Basis points of a percent: 7000 = 70 %")


class ChangeCreate(BaseModel):
    """The complete new set of managers of one customer (exactly one primary, shares summing to 10000)."""

    managers: list[ManagerShare] = Field(max_length=20)
    reason: Reason


class TransferCreate(BaseModel):
    """Hand every role of manager ``from`` to manager ``to``: on the CIF numbers given, or on all their customers."""

    from_manager_id: RowId
    to_manager_id: RowId
    cif_nos: list[CifNo] | None = Field(None, max_length=1000, description="None or empty: every customer in scope")
    reason: Reason


class Decision(BaseModel):
    """A checker's decision; a rejection needs a reason."""

    approve: bool
    reason: Reason | None = None


class AssignmentRead(BaseModel):
    """One assignment row (current or past); ``id`` is None for a primary known only from the customer record."""

    id: int | None
    manager_id: int
    manager_username: str
    manager_name: str
    role: Role
    share_bp: int
    valid_from: date | None
    valid_to: date | None
    request_id: int | None
    ended_request_id: int | None


class CustomerManagers(BaseModel):
    """A customer's managers today, every assignment it has had (newest first) and its pending request."""

    cif_no: str
    name: str
    current: list[AssignmentRead]
    history: list[AssignmentRead]
    pending_request_id: int | None
    # True when the customer record names a primary that no assignment row holds (set outside assignments).
    recorded_outside: bool


class ItemRead(BaseModel):
    """One customer of a request: managers when submitted and managers asked for."""

    cif_no: str
    name: str
    before: list[AssignmentRead]
    after: list[AssignmentRead]


class RequestRead(BaseModel):
    """An assignment request as the inbox and its page show it."""

    id: int
    kind: Literal["transfer", "change"]
    status: AssignmentRequestStatus
    reason: str
    from_manager: str | None
    to_manager: str | None
    unit: str
    customer_count: int
    maker: str
    checker: str | None
    decision_reason: str | None
    submitted_at: datetime
    decided_at: datetime | None
    items: list[ItemRead]


class RequestPage(Page[RequestRead]):
    """One page of requests."""


# Manager changes: the export names managers and counts, never the customers themselves.
ASSIGNMENT_REQUEST_LIST = ListSpec(
    name="assignment-requests",
    columns=(
        Column("id", N_("#")),
        Column("kind", N_("Request")),
        Column("customer_count", N_("Customers")),
        Column("unit", N_("Unit")),
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
        ExportColumn(N_("From manager"), lambda r: r.from_manager or ""),
        ExportColumn(N_("To manager"), lambda r: r.to_manager or ""),
        ExportColumn(N_("Unit"), lambda r: r.unit),
        ExportColumn(N_("Customers"), lambda r: r.customer_count),
        ExportColumn(N_("Maker"), lambda r: r.maker),
        ExportColumn(N_("Checker"), lambda r: r.checker or ""),
        ExportColumn(N_("Status"), lambda r: r.status),
        ExportColumn(N_("Submitted"), lambda r: r.submitted_at),
        ExportColumn(N_("Decided"), lambda r: r.decided_at),
    ),
    audit_event="assignment_request.export",
)


class PortfolioManager(BaseModel):
    """The manager whose portfolio is shown."""

    id: int
    username: str
    display_name: str
    unit: str
    active: bool


class PortfolioItem(BaseModel):
    """One customer of the portfolio (masked as in lists), with the manager's role and share and its figures."""

    cif_no: str
    name: str
    kind: str
    status: str
    role: Role
    share_bp: int
    aum: int | None
    deposit_balance: int | None
    loan_balance: int | None


class PortfolioTotals(BaseModel):
    """Sums over every customer of the portfolio in the viewer's scope (not only this page), fen.

    ``*_credited`` weights each customer's figure by the manager's share: floor(Σ figure × share_bp / 10000).
    """

    customers: int
    primary: int
    co: int
    by_status: dict[str, int]
    aum: int
    deposit_balance: int
    loan_balance: int
    aum_credited: int
    deposit_credited: int
    loan_credited: int
    figures_as_of: date | None


class Portfolio(BaseModel):
    """A manager's customers inside the viewer's data scope; out-of-scope customers are neither listed nor counted."""

    manager: PortfolioManager
    totals: PortfolioTotals
    items: list[PortfolioItem]
    total: int
    page: int
    size: int


def _yuan(fen: int | None) -> str:
    return "" if fen is None else f"{Decimal(fen) / 100:.2f}"


# A manager's portfolio: names come from the customer summaries, as on the customer list.
PORTFOLIO_LIST = ListSpec(
    name="portfolio",
    columns=(
        Column("cif_no", N_("Customer")),
        Column("status", N_("Status")),
        Column("role", N_("Role")),
        Column("share_bp", N_("Manager's share")),
        Column("aum", N_("AUM (yuan)")),
        Column("deposit_balance", N_("Deposits (yuan)")),
        Column("loan_balance", N_("Loans (yuan)")),
    ),
    default_sort="role",  # primary first
    tie_breaker="cif_no",
    default_size=50,
    export=(
        ExportColumn(N_("CIF no."), lambda c: c.cif_no),
        ExportColumn(N_("Name"), lambda c: c.name),
        ExportColumn(N_("Kind"), lambda c: c.kind),
        ExportColumn(N_("Status"), lambda c: c.status),
        ExportColumn(N_("Role"), lambda c: c.role),
        ExportColumn(N_("Manager's share (%)"), lambda c: f"{Decimal(c.share_bp) / 100:.2f}"),
        ExportColumn(N_("AUM (yuan)"), lambda c: _yuan(c.aum)),
        ExportColumn(N_("Deposits (yuan)"), lambda c: _yuan(c.deposit_balance)),
        ExportColumn(N_("Loans (yuan)"), lambda c: _yuan(c.loan_balance)),
    ),
    audit_event="portfolio.export",
)
