"""Corporate groups and guarantee circles computed from link arrays with scipy's sparse graph routines.

Pure functions over numpy arrays (no database): the nightly job loads the active links in one
query, calls :func:`groups_from` and :func:`circles_from`, and stores the result in bulk.

The core company of a group: the corporate member no other corporate member controls. When
there are several such members, or none because ownership runs in a cycle, the candidates are the
corporate members of the source strongly connected sets of the corporate control graph, and the
core is the candidate controlling (directly or through others) the most corporate members;
ties go to the lowest customer id.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np
import numpy.typing as npt
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import breadth_first_order, connected_components, shortest_path

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# Link types as small integers in the arrays (the loading query maps the codes).
SHAREHOLDER, CONTROLLER, SUBSIDIARY, GUARANTOR = 1, 2, 3, 4
TYPE_CODES = {SHAREHOLDER: "SHAREHOLDER_OF", CONTROLLER: "ACTUAL_CONTROLLER_OF", SUBSIDIARY: "SUBSIDIARY_OF"}
CORE, MEMBER, INDIVIDUAL_CONTROLLER = "CORE", "MEMBER", "CONTROLLER"


@dataclass(frozen=True)
class LinkArrays:
    """Active links as parallel arrays: customer ids, type code, share (bp), amount (fen), corporate flags."""

    src: IntArray
    dst: IntArray
    kind: npt.NDArray[np.int8]
    share_bp: IntArray
    amount: IntArray
    src_corporate: BoolArray
    dst_corporate: BoolArray

    @classmethod
    def from_rows(cls, rows: Sequence[Sequence[int]]) -> LinkArrays:
        """From (from_id, to_id, kind, share_bp, amount, from_corporate, to_corporate) rows."""
        flat = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=len(rows) * 7)
        data = flat.reshape(-1, 7)
        return cls(
            src=data[:, 0].copy(),
            dst=data[:, 1].copy(),
            kind=data[:, 2].astype(np.int8),
            share_bp=data[:, 3].copy(),
            amount=data[:, 4].copy(),
            src_corporate=data[:, 5].astype(bool),
            dst_corporate=data[:, 6].astype(bool),
        )


@dataclass(frozen=True)
class GroupNode:
    """A customer of a derived group, with the step that joins it to the core."""

    customer_id: int
    role: str
    depth: int
    parent_customer_id: int | None
    via_link_type: str | None
    via_forward: bool | None


@dataclass(frozen=True)
class DerivedGroup:
    """A derived group: its core, its nodes (core first), corporate member ids and the guarantees they gave."""

    core_customer_id: int
    nodes: list[GroupNode]
    member_ids: list[int]
    guarantees_given: int

    @property
    def fingerprint(self) -> str:
        """Identity of the member set: the sha256 of the sorted corporate member ids."""
        return _digest(",".join(map(str, sorted(self.member_ids))))

    @property
    def shape(self) -> str:
        """Identity of everything stored per node (roles, depths, paths)."""
        parts = sorted(
            f"{n.customer_id}:{n.role}:{n.depth}:{n.parent_customer_id}:{n.via_link_type}:{n.via_forward}"
            for n in self.nodes
        )
        return _digest("|".join(parts))


@dataclass(frozen=True)
class DerivedCircle:
    """A guarantee circle: its members and the amount guaranteed by links inside it (fen)."""

    member_ids: list[int]
    total_amount: int

    @property
    def fingerprint(self) -> str:
        """Identity of the member set."""
        return _digest(",".join(map(str, sorted(self.member_ids))))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _index(links: LinkArrays) -> tuple[IntArray, IntArray, IntArray, BoolArray]:
    """Customer ids of the nodes, each link's ends as node indexes, and which nodes are corporate."""
    count = len(links.src)
    nodes, inverse = np.unique(np.concatenate([links.src, links.dst]), return_inverse=True)
    s, d = inverse[:count].astype(np.int64), inverse[count:].astype(np.int64)
    corporate = np.zeros(len(nodes), dtype=bool)
    corporate[s[links.src_corporate]] = True
    corporate[d[links.dst_corporate]] = True
    return nodes.astype(np.int64), s, d, corporate


def _matrix(rows: IntArray, cols: IntArray, n: int) -> csr_matrix:
    return coo_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=(n, n)).tocsr()


def groups_from(links: LinkArrays, threshold_bp: int) -> list[DerivedGroup]:
    """Weakly connected parts of the control graph holding at least two corporate customers."""
    if len(links.src) == 0:
        return []
    nodes, s, d, corporate = _index(links)
    n = len(nodes)
    kind = links.kind
    control = (kind == CONTROLLER) | (kind == SUBSIDIARY) | ((kind == SHAREHOLDER) & (links.share_bp > threshold_bp))
    # SUBSIDIARY_OF reads subsidiary → parent; control runs the other way.
    ctrl_from = np.where(kind == SUBSIDIARY, d, s)[control]
    ctrl_to = np.where(kind == SUBSIDIARY, s, d)[control]
    ctrl_type = kind[control].astype(np.int64)
    if len(ctrl_from) == 0:
        return []
    graph = _matrix(ctrl_from, ctrl_to, n)
    _, part = connected_components(graph, directed=True, connection="weak")
    corporates_in_part = np.bincount(part, weights=corporate.astype(np.float64))
    grouped = corporates_in_part[part] >= 2
    if not grouped.any():
        return []
    cores = _cores(graph, part, grouped, corporate, nodes, ctrl_from, ctrl_to, n)
    depth, parent = _paths(graph, cores, n)
    via_type, via_forward = _steps(ctrl_from, ctrl_to, ctrl_type, parent, n)
    given = np.zeros(n, dtype=np.int64)
    guarantee = kind == GUARANTOR
    np.add.at(given, s[guarantee], links.amount[guarantee])

    members = np.flatnonzero(grouped)
    members = members[np.lexsort((depth[members], part[members]))]
    bounds = np.flatnonzero(np.diff(part[members])) + 1
    ids, depths, parents = nodes.tolist(), depth.tolist(), parent.tolist()
    types, forwards, corp = via_type.tolist(), via_forward.tolist(), corporate.tolist()
    given_list = given.tolist()
    groups = []
    for chunk in np.split(members, bounds):
        group_nodes = []
        member_ids = []
        total_given = 0
        for i in chunk.tolist():
            is_core = parents[i] < 0
            role = CORE if is_core else (MEMBER if corp[i] else INDIVIDUAL_CONTROLLER)
            group_nodes.append(
                GroupNode(
                    customer_id=ids[i],
                    role=role,
                    depth=depths[i],
                    parent_customer_id=None if is_core else ids[parents[i]],
                    via_link_type=None if is_core else TYPE_CODES[types[i]],
                    via_forward=None if is_core else bool(forwards[i]),
                )
            )
            if corp[i]:
                member_ids.append(ids[i])
                total_given += given_list[i]
        group_nodes.sort(key=lambda g: (g.depth, g.customer_id))
        groups.append(DerivedGroup(group_nodes[0].customer_id, group_nodes, sorted(member_ids), total_given))
    return groups


def _cores(
    graph: csr_matrix,
    part: IntArray,
    grouped: BoolArray,
    corporate: BoolArray,
    nodes: IntArray,
    ctrl_from: IntArray,
    ctrl_to: IntArray,
    n: int,
) -> IntArray:
    """The core node of each grouped part (see the module's docstring for the rule)."""
    between = corporate[ctrl_from] & corporate[ctrl_to]
    corp_graph = _matrix(ctrl_from[between], ctrl_to[between], n)
    _, strong = connected_components(corp_graph, directed=True, connection="strong")
    entered = np.zeros(strong.max() + 1, dtype=bool)
    crossing = strong[ctrl_from[between]] != strong[ctrl_to[between]]
    entered[strong[ctrl_to[between]][crossing]] = True
    candidate = corporate & grouped & ~entered[strong]
    candidates = np.flatnonzero(candidate)
    per_part = np.bincount(part[candidates], minlength=part.max() + 1)
    single = candidates[per_part[part[candidates]] == 1]
    cores = list(single.tolist())
    ambiguous = candidates[per_part[part[candidates]] > 1]
    if len(ambiguous):
        by_part = np.argsort(part, kind="stable")
        starts = np.searchsorted(part[by_part], np.arange(part.max() + 2))
        ambiguous = ambiguous[np.argsort(part[ambiguous], kind="stable")]
        for chunk in np.split(ambiguous, np.flatnonzero(np.diff(part[ambiguous])) + 1):
            p = int(part[chunk[0]])
            inside = by_part[starts[p] : starts[p + 1]]
            cores.append(_most_controlling(graph, inside, corporate, nodes, chunk))
    return np.array(cores, dtype=np.int64)


def _most_controlling(
    graph: csr_matrix, inside: IntArray, corporate: BoolArray, nodes: IntArray, candidates: IntArray
) -> int:
    """Among one part's candidates, the one reaching the most corporate members; ties: lowest customer id."""
    local = graph[inside][:, inside]
    position = {node: k for k, node in enumerate(inside.tolist())}
    best: tuple[int, int] | None = None
    chosen = int(candidates[0])
    for node in candidates.tolist():
        reached = breadth_first_order(local, position[node], directed=True, return_predecessors=False)
        score = (-int(corporate[inside[reached]].sum()), int(nodes[node]))
        if best is None or score < best:
            best, chosen = score, node
    return chosen


def _paths(graph: csr_matrix, cores: IntArray, n: int) -> tuple[IntArray, IntArray]:
    """Depth and previous node of every node on a shortest undirected path from its part's core.

    One search from a virtual node joined to every core reaches each part from its own core.
    """
    undirected = (graph + graph.T).tocoo()
    virtual = n
    rows = np.concatenate([undirected.row, np.full(len(cores), virtual)])
    cols = np.concatenate([undirected.col, cores])
    extended = _matrix(rows.astype(np.int64), cols.astype(np.int64), n + 1)
    dist, pred = shortest_path(
        extended, method="D", directed=True, unweighted=True, indices=virtual, return_predecessors=True
    )
    reached = np.isfinite(dist[:n])
    depth = np.where(reached, dist[:n] - 1, -1).astype(np.int64)
    parent = pred[:n].astype(np.int64)
    parent[(parent == virtual) | ~reached] = -1
    return depth, parent


def _steps(
    ctrl_from: IntArray, ctrl_to: IntArray, ctrl_type: IntArray, parent: IntArray, n: int
) -> tuple[IntArray, BoolArray]:
    """For each node, the type of a control link joining it to its parent, and whether control runs parent → node."""
    keys = ctrl_from * n + ctrl_to
    order = np.lexsort((ctrl_type, keys))
    keys, types = keys[order], ctrl_type[order]
    node = np.arange(n, dtype=np.int64)
    has_parent = parent >= 0
    forward_key = np.where(has_parent, parent * n + node, -1)
    backward_key = np.where(has_parent, node * n + parent, -1)

    def lookup(wanted: IntArray) -> tuple[BoolArray, IntArray]:
        at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
        return keys[at] == wanted, types[at]

    found_forward, type_forward = lookup(forward_key)
    _, type_backward = lookup(backward_key)
    return np.where(found_forward, type_forward, type_backward), found_forward


def circles_from(links: LinkArrays) -> list[DerivedCircle]:
    """Strongly connected sets of two or more customers in the guarantee graph (guarantor → guaranteed)."""
    guarantee = links.kind == GUARANTOR
    if not guarantee.any():
        return []
    nodes, inverse = np.unique(np.concatenate([links.src[guarantee], links.dst[guarantee]]), return_inverse=True)
    count = int(guarantee.sum())
    s, d = inverse[:count].astype(np.int64), inverse[count:].astype(np.int64)
    n = len(nodes)
    _, label = connected_components(_matrix(s, d, n), directed=True, connection="strong")
    size = np.bincount(label)
    in_circle = size[label] >= 2
    if not in_circle.any():
        return []
    inside = (label[s] == label[d]) & in_circle[s]
    total = np.zeros(len(size), dtype=np.int64)
    np.add.at(total, label[s][inside], links.amount[guarantee][inside])
    members = np.flatnonzero(in_circle)
    members = members[np.argsort(label[members], kind="stable")]
    ids = nodes[members]
    labels = label[members]
    bounds = np.flatnonzero(np.diff(labels)) + 1
    totals = total.tolist()
    return [
        DerivedCircle(sorted(chunk_ids.tolist()), totals[int(chunk_label[0])])
        for chunk_ids, chunk_label in zip(np.split(ids, bounds), np.split(labels, bounds), strict=True)
    ]
