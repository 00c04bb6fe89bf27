"""Paths between two nodes: the causal (directed) ones, and every path with its status.

A path is open given a set ``Z`` when every non-collider on it is outside ``Z`` and every
collider is in ``Z`` or has a descendant in ``Z``; otherwise the first node that breaks this
rule blocks it (Pearl, Causality, 2nd ed. 2009, Definition 1.2.3). The number of paths can
grow exponentially with the size of the graph, so :func:`all_paths` and :func:`causal_paths`
stop at ``cap`` paths; the search never follows a branch that cannot reach the target, so the
work per path found stays polynomial. Each function refuses a cyclic graph or an unknown
node with ``ValueError`` (:mod:`mechmap.analysis.inputs`).
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass

import networkx as nx

from mechmap.analysis.inputs import check_dag, check_nodes

OPEN, BLOCKED = "open", "blocked"
NON_COLLIDER_GIVEN = "conditioned on, and not a collider on this path"
COLLIDER_NOT_GIVEN = "a collider on this path, and neither it nor a descendant is conditioned on"


@dataclass(frozen=True)
class PathStatus:
    """One path, whether it is causal (every arrow points towards the target) and whether the
    conditioning set leaves it open; for a blocked path, the first node that blocks it."""

    nodes: tuple[str, ...]
    text: str  # e.g. "x <- c -> y"
    causal: bool
    open: bool
    blocked_by: str | None = None
    reason: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "path": list(self.nodes),
            "text": self.text,
            "causal": self.causal,
            "status": OPEN if self.open else BLOCKED,
            "blocked_by": self.blocked_by,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Paths:
    """Every path between ``source`` and ``target`` (the first ``cap`` when ``truncated``),
    in lexicographic order of their node names."""

    source: str
    target: str
    given: tuple[str, ...]
    paths: list[PathStatus]
    truncated: bool = False

    @property
    def open_paths(self) -> list[PathStatus]:
        return [p for p in self.paths if p.open]

    @property
    def summary(self) -> str:
        given = f" given {', '.join(self.given)}" if self.given else ""
        more = " (stopped at the cap: there are more)" if self.truncated else ""
        return (
            f"{len(self.paths)} path(s) between {self.source} and {self.target}{more}, "
            f"{len(self.open_paths)} open{given}."
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "from": self.source,
            "to": self.target,
            "given": list(self.given),
            "paths": [p.as_dict() for p in self.paths],
            "truncated": self.truncated,
            "summary": self.summary,
        }


def _require(graph: nx.DiGraph, nodes: str | Iterable[str]) -> set[str]:
    check_dag(graph)
    return check_nodes(graph, "", nodes)


def ancestors(graph: nx.DiGraph, nodes: Iterable[str]) -> list[str]:
    """Every node with a directed path into one of ``nodes`` (sorted).

    >>> ancestors(nx.DiGraph([("a", "b"), ("b", "c")]), ["c"])
    ['a', 'b']
    """
    nodes = _require(graph, nodes)
    return sorted(set().union(*(nx.ancestors(graph, v) for v in nodes)))


def descendants(graph: nx.DiGraph, nodes: Iterable[str]) -> list[str]:
    """Every node reached by a directed path from one of ``nodes`` (sorted).

    >>> descendants(nx.DiGraph([("a", "b"), ("b", "c")]), ["a"])
    ['b', 'c']
    """
    nodes = _require(graph, nodes)
    return sorted(set().union(*(nx.descendants(graph, v) for v in nodes)))


def mediators(graph: nx.DiGraph, x: str, y: str) -> list[str]:
    """The nodes strictly between ``x`` and ``y`` on directed paths from ``x`` to ``y``.

    >>> mediators(nx.DiGraph([("x", "m"), ("m", "y"), ("x", "y"), ("y", "d")]), "x", "y")
    ['m']
    """
    _require(graph, [x, y])
    return sorted((nx.descendants(graph, x) & nx.ancestors(graph, y)) - {x, y})


def path_text(graph: nx.DiGraph, nodes: Iterable[str]) -> str:
    """A path written with its arrows, e.g. ``x <- c -> y``."""
    nodes = list(nodes)
    parts = nodes[:1]
    for a, b in itertools.pairwise(nodes):
        parts += ["->" if graph.has_edge(a, b) else "<-", b]
    return " ".join(parts)


def causal_paths(graph: nx.DiGraph, x: str, y: str, cap: int | None = None) -> list[list[str]]:
    """Every directed path from ``x`` to ``y``, sorted (the first ``cap`` of them when a cap
    is given).

    >>> g = nx.DiGraph([("x", "m"), ("m", "y"), ("x", "y"), ("c", "x"), ("c", "y")])
    >>> causal_paths(g, "x", "y")
    [['x', 'm', 'y'], ['x', 'y']]
    """
    _require(graph, [x, y])
    if x == y:
        return [[x]]
    reaching = nx.ancestors(graph, y) | {y}
    if x not in reaching:
        return []
    found: list[list[str]] = []
    path = [x]
    stack = [iter(sorted(graph.successors(x)))]
    while stack:  # depth first, children in name order: paths come out sorted
        w = next(stack[-1], None)
        if w is None:
            stack.pop()
            path.pop()
        elif w == y:
            found.append([*path, y])
            if cap is not None and len(found) >= cap:
                break
        elif w in reaching:
            path.append(w)
            stack.append(iter(sorted(graph.successors(w))))
    return found


def _simple_paths(skeleton: nx.Graph, x: str, y: str) -> Iterator[list[str]]:
    """Simple x-y paths of an undirected graph in lexicographic order, never entering a
    branch from which ``y`` cannot be reached."""
    path, on_path = [x], {x}

    def reaches(start: str) -> bool:
        seen, stack = {start}, [start]
        while stack:
            v = stack.pop()
            if v == y:
                return True
            for w in skeleton[v]:
                if w not in seen and w not in on_path:
                    seen.add(w)
                    stack.append(w)
        return False

    stack = [iter(sorted(skeleton[x]))]
    while stack:
        w = next(stack[-1], None)
        if w is None:
            stack.pop()
            on_path.discard(path.pop())
        elif w == y:
            yield [*path, y]
        elif w not in on_path and reaches(w):
            path.append(w)
            on_path.add(w)
            stack.append(iter(sorted(skeleton[w])))


def path_status(graph: nx.DiGraph, nodes: list[str], given: Collection[str] = ()) -> PathStatus:
    """Whether ``given`` leaves the path ``nodes`` open, and if not the first node that
    blocks it, and why.

    >>> g = nx.DiGraph([("x", "c"), ("y", "c")])
    >>> path_status(g, ["x", "c", "y"]).reason
    'a collider on this path, and neither it nor a descendant is conditioned on'
    """
    _require(graph, nodes)
    given = check_nodes(graph, "given", given)
    opens_colliders = given.union(*(nx.ancestors(graph, z) for z in given))
    return _status(graph, nodes, given, opens_colliders)


def _status(graph, nodes, given, opens_colliders) -> PathStatus:
    text = path_text(graph, nodes)
    causal = all(graph.has_edge(a, b) for a, b in itertools.pairwise(nodes))
    for a, v, b in zip(nodes, nodes[1:], nodes[2:], strict=False):
        if graph.has_edge(a, v) and graph.has_edge(b, v):
            if v not in opens_colliders:
                return PathStatus(tuple(nodes), text, causal, False, v, COLLIDER_NOT_GIVEN)
        elif v in given:
            return PathStatus(tuple(nodes), text, causal, False, v, NON_COLLIDER_GIVEN)
    return PathStatus(tuple(nodes), text, causal, True)


def all_paths(
    graph: nx.DiGraph, x: str, y: str, given: Collection[str] = (), cap: int = 1000
) -> Paths:
    """Every path between ``x`` and ``y`` whatever the direction of its arrows, each with its
    status given ``given``; at most ``cap`` of them (``truncated`` says when there are more).

    >>> g = nx.DiGraph([("c", "x"), ("c", "y"), ("x", "y")])
    >>> [(p.text, p.open) for p in all_paths(g, "x", "y", given=["c"]).paths]
    [('x <- c -> y', False), ('x -> y', True)]
    """
    _require(graph, [x, y])
    given_set = check_nodes(graph, "given", given)
    if x == y:
        raise ValueError("the two ends of a path must differ")
    if given_set & {x, y}:
        raise ValueError("the conditioning set may not contain an end of the path")
    if cap < 1:
        raise ValueError("cap must be at least 1")
    opens_colliders = given_set.union(*(nx.ancestors(graph, z) for z in given_set))
    skeleton = graph.to_undirected(as_view=True)
    found: list[PathStatus] = []
    truncated = False
    for nodes in _simple_paths(skeleton, x, y):
        if len(found) == cap:
            truncated = True
            break
        found.append(_status(graph, nodes, given_set, opens_colliders))
    return Paths(x, y, tuple(sorted(given_set)), found, truncated)
