"""Graphs of customers for ECharts: a customer's network to depth 2, and the nodes and edges of groups and circles.

Customers outside the reader's scope are masked nodes: a kind and an opaque id valid in one answer
only, never a name or CIF number. A link's share and amount are shown only when at least one of its
ends is in scope, and a customer's graph is never expanded through a customer the reader cannot see.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.catalogue import service as catalogue
from bankcrm.customers.service import reads as customer_reads
from bankcrm.models.customer import Customer
from bankcrm.models.relationship import CustomerLink
from bankcrm.relationships import repository
from bankcrm.relationships.schemas import Graph, GraphEdge, GraphNode
from bankcrm.relationships.service.links import TYPE_TABLE

MAX_NODES = 150  # beyond this a graph is unreadable; the answer says it was cut
MAX_LINKS = 2_000  # links read per step of a customer's graph


class NodeBook:
    """The customers of one answer: who is visible, their names as the reader may see them, opaque ids."""

    def __init__(self, db: Session, principal: Principal, customer_ids: set[int]) -> None:
        self.customers: dict[int, Customer] = repository.customers_by_id(db, customer_ids)
        self.visible: set[int] = customer_reads.visible_ids(db, principal, customer_ids)
        shown = [self.customers[i] for i in sorted(self.visible)]
        self.names = {c.id: s.name for c, s in zip(shown, customer_reads.summaries(db, principal, shown), strict=True)}
        self._ids: dict[int, str] = {}

    def node_id(self, customer_id: int) -> str:
        """The opaque id of a customer in this answer (n1, n2 ... in the order first met)."""
        if customer_id not in self._ids:
            self._ids[customer_id] = f"n{len(self._ids) + 1}"
        return self._ids[customer_id]

    def cif_no(self, customer_id: int) -> str | None:
        """The CIF number, or None outside scope."""
        return self.customers[customer_id].cif_no if customer_id in self.visible else None

    def node(self, customer_id: int, **extra: object) -> GraphNode:
        """A node, masked outside scope."""
        customer = self.customers[customer_id]
        shown = customer_id in self.visible
        return GraphNode.model_validate(
            {
                "id": self.node_id(customer_id),
                "kind": customer.kind,
                "masked": not shown,
                "cif_no": customer.cif_no if shown else None,
                "name": self.names.get(customer_id) if shown else None,
                **extra,
            }
        )

    def edge(self, link: CustomerLink, labels: dict[str, str], control: bool | None = None) -> GraphEdge:
        """An edge; its share and amount only when an end is visible."""
        detailed = link.from_customer_id in self.visible or link.to_customer_id in self.visible
        return GraphEdge(
            source=self.node_id(link.from_customer_id),
            target=self.node_id(link.to_customer_id),
            link_type=link.link_type,
            label=labels.get(link.link_type, link.link_type),
            share_pct_bp=link.share_pct_bp if detailed else None,
            amount=link.amount if detailed else None,
            control=control,
        )


def type_labels(db: Session, locale: str) -> dict[str, str]:
    """Link types' labels in the reader's language."""
    return catalogue.labels_of(db, TYPE_TABLE, locale)


def customer_graph(db: Session, principal: Principal, cif_no: str, *, today: date, locale: str) -> Graph:
    """A customer in scope and its active links to depth 2 (expanded only through visible customers)."""
    center = customer_reads.get_customer(db, principal, cif_no)
    depth: dict[int, int] = {center.id: 0}
    first = repository.active_links_touching(db, {center.id}, today, MAX_LINKS)
    for lk in first:
        depth.setdefault(lk.to_customer_id if lk.from_customer_id == center.id else lk.from_customer_id, 1)
    near = {i for i, d in depth.items() if d == 1}
    seen_near = customer_reads.visible_ids(db, principal, near)
    second = repository.active_links_touching(db, seen_near, today, MAX_LINKS)
    for lk in second:
        depth.setdefault(lk.from_customer_id, 2)
        depth.setdefault(lk.to_customer_id, 2)
    kept = sorted(depth, key=lambda i: (depth[i], i))[:MAX_NODES]
    truncated = len(kept) < len(depth) or len(first) == MAX_LINKS or len(second) == MAX_LINKS
    keep = set(kept)
    book = NodeBook(db, principal, keep)
    nodes = [book.node(i, depth=depth[i], center=i == center.id) for i in kept]
    labels = type_labels(db, locale)
    edges, done = [], set()
    for lk in [*first, *second]:
        if lk.id not in done and lk.from_customer_id in keep and lk.to_customer_id in keep:
            done.add(lk.id)
            edges.append(book.edge(lk, labels))
    return Graph(nodes=nodes, edges=edges, truncated=truncated)
