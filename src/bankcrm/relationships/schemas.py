"""Pydantic shapes of customer links. Shares are basis points of a percent (6000 = 60 %); money is fen."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, Field, WithJsonSchema

from bankcrm.kit.codes import FixedCode
from bankcrm.kit.i18n import N_
from bankcrm.kit.listing import Column, ExportColumn, Filter, ListSpec, Page
from bankcrm.kit.time import Day

# A number, or a decimal as text: pydantic's default schema allows any string, which it then refuses.
DECIMAL_SCHEMA = {"anyOf": [{"type": "number"}, {"type": "string", "pattern": r"^[+-]?[0-9]+(\.[0-9]+)?$"}]}


class LinkCreate(BaseModel):
    """A new link from the customer in the URL to the customer with ``to_cif_no``."""

    to_cif_no: str = Field(min_length=1, max_length=20)
    # Fixed: the service's rules (which kinds of customer a type joins) are written per type.
    link_type: Annotated[str, FixedCode("link_type")]
    share_pct: Annotated[Decimal, WithJsonSchema(DECIMAL_SCHEMA)] | None = Field(
        None, description="SHAREHOLDER_OF only: percent, at most two decimals"
    )
    amount: int | None = Field(None, le=10**15, description="GUARANTOR_FOR only: fen")
    valid_from: Day | None = Field(None, description="Defaults to today in the bank's zone")


class LinkEnd(BaseModel):
    """Ending a link: the last day it holds (defaults to today in the bank's zone)."""

    valid_to: Day | None = None


class LinkRead(BaseModel):
    """One link as one of its two customers sees it; the other customer is masked, or hidden when out of scope."""

    id: int
    link_type: str
    label: str
    direction: Literal["outgoing", "incoming"]
    other_cif_no: str | None
    other_name: str
    other_kind: str | None
    share_pct_bp: int | None
    amount: int | None
    valid_from: date
    valid_to: date | None
    active: bool


class GraphNode(BaseModel):
    """A customer in a graph; ``masked`` nodes (outside the reader's scope) carry only a kind and an opaque id."""

    id: str = Field(description="Opaque node id, unique within this answer only")
    kind: str
    masked: bool
    cif_no: str | None = None
    name: str | None = None
    role: str | None = Field(None, description="Groups: CORE, MEMBER or CONTROLLER")
    depth: int | None = Field(None, description="Links away from the centre (customer graph) or the core (group)")
    center: bool = False


class GraphEdge(BaseModel):
    """An active link between two nodes; share and amount are left out when both ends are masked."""

    source: str
    target: str
    link_type: str
    label: str
    share_pct_bp: int | None = None
    amount: int | None = None
    control: bool | None = Field(None, description="Groups: whether the link counts as control")


class Graph(BaseModel):
    """Nodes and edges, ready for an ECharts graph series."""

    nodes: list[GraphNode]
    edges: list[GraphEdge]
    truncated: bool = Field(False, description="True when the graph was cut at its node limit")


class PathStep(BaseModel):
    """One customer on the path from a group's core; ``link_type`` joins it to the step before."""

    node: str
    cif_no: str | None
    link_type: str | None
    forward: bool | None = Field(None, description="True: control runs from the step before to this one")


class GroupMemberRead(BaseModel):
    """A customer of a group, masked outside the reader's scope, with its path from the core."""

    node: str
    kind: str
    masked: bool
    cif_no: str | None
    name: str | None
    role: str
    depth: int
    path: list[PathStep]
    loan_balance: int | None = Field(None, description="Loans outstanding (fen); null outside scope")
    guarantees_given: int | None = Field(None, description="Active guarantees given (fen); null outside scope")


class GroupSummary(BaseModel):
    """A corporate group as listed; totals (fen) are null when a member is outside the reader's scope."""

    id: int
    status: str
    status_label: str
    core_cif_no: str | None
    core_name: str | None
    member_count: int
    controller_count: int
    totals_hidden: bool
    credit_exposure: int | None
    loan_balance: int | None
    guarantees_given: int | None
    deposit_balance: int | None
    replaces_id: int | None
    derived_at: datetime
    refreshed_at: datetime
    decided_at: datetime | None


class GroupRead(GroupSummary):
    """A corporate group with its members, paths, review and graph."""

    members: list[GroupMemberRead]
    triggered_by: str | None
    decided_by: str | None
    reason: str | None
    graph: Graph


class GroupPage(Page[GroupSummary]):
    """One page of groups."""


# Corporate groups: the service hides the totals of a group with a customer outside the reader's scope,
# and the core company's name when the core is outside it.
GROUP_LIST = ListSpec(
    name="corporate-groups",
    columns=(
        Column("id", N_("Group")),
        Column("core", N_("Core company"), sortable=False),
        Column("status", N_("Status")),
        Column("member_count", N_("Members")),
        Column("credit_exposure", N_("Credit exposure (yuan)")),
        Column("deposit_balance", N_("Deposits (yuan)")),
        Column("derived_at", N_("Derived")),
    ),
    default_sort="-derived_at,-id",  # newest first, as the list always was
    tie_breaker="id",
    extra_sorts=("controller_count", "refreshed_at", "decided_at"),
    filters=(Filter("status", max_length=20),),
    export=(
        ExportColumn(N_("Group"), lambda g: g.id),
        ExportColumn(N_("CIF no."), lambda g: g.core_cif_no or ""),
        ExportColumn(N_("Core company"), lambda g: g.core_name or ""),
        ExportColumn(N_("Status"), lambda g: g.status),
        ExportColumn(N_("Members"), lambda g: g.member_count),
        ExportColumn(N_("Credit exposure (yuan)"), lambda g: _yuan(g.credit_exposure)),
        ExportColumn(N_("Deposits (yuan)"), lambda g: _yuan(g.deposit_balance)),
        ExportColumn(N_("Derived"), lambda g: g.derived_at),
    ),
    audit_event="corporate_group.export",
)


class GroupReject(BaseModel):
    """Rejecting a proposed group: the reason is required."""

    reason: str = Field("", max_length=2000)


class CircleSummary(BaseModel):
    """A guarantee circle as listed; the total (fen) is null when a member is outside the reader's scope."""

    id: int
    status: str
    member_count: int
    total_hidden: bool
    total_amount: int | None
    derived_at: datetime
    refreshed_at: datetime
    ended_at: datetime | None


class MemberExposure(BaseModel):
    """A member's credit exposure (fen): loans outstanding and active guarantees given."""

    loan_balance: int
    guarantees_given: int


class CircleRead(CircleSummary):
    """A guarantee circle with its members (masked outside scope) and the guarantees between them."""

    members: list[GraphNode]
    graph: Graph
    exposures: dict[str, MemberExposure] = Field(
        default_factory=dict, description="Per node id of a member in scope: loans outstanding and guarantees given"
    )


class CirclePage(Page[CircleSummary]):
    """One page of circles."""


def _yuan(fen: int | None) -> str:
    return "" if fen is None else f"{Decimal(fen) / 100:.2f}"


# Guarantee circles: the service already hides a total with a member outside the reader's scope.
CIRCLE_LIST = ListSpec(
    name="guarantee-circles",
    columns=(
        Column("id", N_("Circle")),
        Column("member_count", N_("Customers")),
        Column("total_amount", N_("Guaranteed inside the circle (yuan)")),
        Column("derived_at", N_("Found")),
        Column("ended_at", N_("Ended")),
    ),
    default_sort="-total_amount",
    tie_breaker="id",
    extra_sorts=("refreshed_at",),
    filters=(Filter("status", max_length=20),),
    export=(
        ExportColumn(N_("Circle"), lambda c: c.id),
        ExportColumn(N_("Status"), lambda c: c.status),
        ExportColumn(N_("Customers"), lambda c: c.member_count),
        ExportColumn(N_("Guaranteed inside the circle (yuan)"), lambda c: _yuan(c.total_amount)),
        ExportColumn(N_("Found"), lambda c: c.derived_at),
        ExportColumn(N_("Ended"), lambda c: c.ended_at),
    ),
    audit_event="guarantee_circle.export",
)


class DeriveReport(BaseModel):
    """What one derivation found and changed."""

    links: int
    groups: int
    proposed: int
    unchanged: int
    outdated: int
    not_reproposed: int = Field(description="Groups derived again exactly as a rejected proposal: not proposed again")
    circles: int
    circles_new: int
    circles_ended: int
    seconds: float


class CircleFlag(BaseModel):
    """A current guarantee circle a customer belongs to (flagged on the 360° view)."""

    circle_id: int
    member_count: int


class GroupFlag(BaseModel):
    """A proposed or accepted corporate group a customer belongs to (flagged on the 360° view)."""

    group_id: int
    status: str
    status_label: str
    member_count: int
