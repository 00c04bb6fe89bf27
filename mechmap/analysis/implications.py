"""Testable implications: the conditional independencies a DAG implies among measured nodes.

Two measured nodes that no arrow joins are d-separated by some set of measured nodes unless
latent nodes tie them together; every such pair gives a testable implication
``x ⊥ y | Z``. The separating sets are the vertex separators of x and y in the moral graph of
the ancestors of x and y (Lauritzen, Dawid, Larsen & Leimer, Networks 1990;20:491), with
latent nodes eliminated so that no set contains one (van der Zander, Liśkiewicz & Textor,
Artif Intell 2019;270:1). :func:`basis_implications` gives one implication per pair, with a
smallest separating set (a minimum vertex cut; Menger's theorem, found by maximum flow), in
the spirit of DAGitty's implications per missing edge (Textor et al., Int J Epidemiol
2016;45:1887); :func:`all_implications` lists every minimal separating set of every pair.
Without latent nodes the pairs covered are those of the local Markov basis DAGitty prints
(each node independent of its non-descendants given its parents). Nodes conditioned on
whatever one does (DAGitty's "selected" nodes) go in as ``include``: every set then contains
them. A cyclic graph or an unknown node is refused with ``ValueError``
(:mod:`mechmap.analysis.inputs`).
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field

import networkx as nx

from mechmap.analysis.inputs import check_dag, check_nodes
from mechmap.analysis.separators import Graph, eliminate, minimal_separators, moral_graph

BASIS, ALL = "basis", "all"
IN, OUT = 0, 1  # the two halves of a vertex in the flow network


@dataclass(frozen=True, order=True)
class Implication:
    """``x`` and ``y`` are independent given ``given`` (``x < y``; ``given`` sorted)."""

    x: str
    y: str
    given: tuple[str, ...] = ()

    def __str__(self) -> str:
        given = f" | {', '.join(self.given)}" if self.given else ""
        return f"{self.x} _||_ {self.y}{given}"

    def as_dict(self) -> dict[str, object]:
        return {"x": self.x, "y": self.y, "given": list(self.given)}


@dataclass(frozen=True)
class Implications:
    """Testable implications among the measured nodes.

    ``untestable_pairs``: unjoined measured pairs that no set of measured nodes separates
    (latent nodes tie them), so they imply nothing testable; ``skipped_pairs``: pairs that only
    sets larger than ``max_given`` separate; ``truncated``: the listing stopped at the cap.
    """

    kind: str  # BASIS or ALL
    implications: list[Implication]
    untestable_pairs: list[tuple[str, str]] = field(default_factory=list)
    skipped_pairs: list[tuple[str, str]] = field(default_factory=list)
    truncated: bool = False

    @property
    def summary(self) -> str:
        n = len(self.implications)
        what = "in a basis" if self.kind == BASIS else "(every minimal separating set)"
        text = f"{n} testable implication(s) {what}."
        if self.untestable_pairs:
            text += (
                f" {len(self.untestable_pairs)} unjoined pair(s) imply nothing testable "
                "(latent nodes connect them)."
            )
        if self.skipped_pairs:
            text += f" {len(self.skipped_pairs)} pair(s) skipped: their sets are too large."
        if self.truncated:
            text += " Stopped at the cap: there are more."
        return text

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "implications": [i.as_dict() for i in self.implications],
            "untestable_pairs": [list(p) for p in self.untestable_pairs],
            "skipped_pairs": [list(p) for p in self.skipped_pairs],
            "truncated": self.truncated,
            "summary": self.summary,
        }


def _separation_graphs(
    graph: nx.DiGraph, latent: Collection[str], include: Collection[str]
) -> Iterator[tuple[str, str, Graph]]:
    """For every unjoined pair of measured nodes (in name order), the undirected graph in
    which their separators (avoiding latent and ``include`` nodes) are the vertex separators."""
    check_dag(graph)
    hidden, forced = check_nodes(graph, "latent", latent), check_nodes(graph, "include", include)
    measured = sorted(set(graph) - hidden - forced)
    above = {v: nx.ancestors(graph, v) for v in graph}
    forced_above = forced.union(*(above[v] for v in forced))
    parents = {v: list(graph.predecessors(v)) for v in graph}
    for x, y in itertools.combinations(measured, 2):
        if graph.has_edge(x, y) or graph.has_edge(y, x):
            continue
        relevant = forced_above | {x, y} | above[x] | above[y]
        moral = moral_graph(parents, relevant)
        for v in forced:  # conditioned on: paths through it are blocked
            for n in moral.pop(v):
                moral[n].discard(v)
        yield x, y, eliminate(moral, sorted(hidden & relevant))


def minimum_separator(graph: Graph, x: str, y: str) -> frozenset[str] | None:
    """A smallest set of vertices separating ``x`` from ``y`` (``None`` if they are
    adjacent): the one closest to ``x``, which is unique, so the answer never depends on
    the order of the vertices.

    >>> g = {"x": {"a", "b"}, "a": {"x", "c"}, "b": {"x", "c"}, "c": {"a", "b", "y"},
    ...      "y": {"c"}}
    >>> sorted(minimum_separator(g, "x", "y"))
    ['c']
    """
    if y in graph[x]:
        return None
    # Maximum flow with unit vertex capacities (vertex-disjoint paths, Menger), each vertex
    # v split into (v, IN) -> (v, OUT) and the edges between vertices uncapacitated;
    # augmenting paths found by breadth-first search (Edmonds & Karp).
    through: set[str] = set()  # vertices carrying a path
    carried: set[tuple[str, str]] = set()  # edges u -> w a path follows
    while True:
        reached = _residual_reach(graph, x, y, through, carried)
        if (y, IN) not in reached:
            break
        state = (y, IN)
        while state != (x, OUT):
            before = reached[state]
            (u, side), (w, _) = before, state
            if u == w:  # along (IN -> OUT) or back (OUT -> IN) inside a vertex
                if side == IN:
                    through.add(u)
                else:
                    through.discard(u)
            elif side == OUT:  # along u -> w
                carried.add((u, w))
            else:  # back along w -> u
                carried.discard((w, u))
            state = before
    # What the source still reaches gives the minimum cut closest to x.
    return frozenset(v for v in graph if (v, IN) in reached and (v, OUT) not in reached)


def _residual_reach(
    graph: Graph, x: str, y: str, through: set[str], carried: set[tuple[str, str]]
) -> dict[tuple[str, int], tuple[str, int] | None]:
    """Breadth-first search in the residual network from (x, OUT), with back-pointers;
    stops on reaching (y, IN)."""
    start = (x, OUT)
    before: dict[tuple[str, int], tuple[str, int] | None] = {start: None}
    queue = deque([start])
    while queue:
        state = queue.popleft()
        v, side = state
        if side == OUT:
            moves = [(w, IN) for w in graph[v] if w != x]
            if v in through:
                moves.append((v, IN))
        else:
            moves = [(v, OUT)] if v not in through else []
            moves += [(u, OUT) for u in graph[v] if (u, v) in carried]
        for following in moves:
            if following not in before:
                before[following] = state
                if following == (y, IN):
                    return before
                queue.append(following)
    return before


def basis_implications(
    graph: nx.DiGraph,
    latent: Collection[str] = (),
    max_given: int | None = None,
    include: Collection[str] = (),
) -> Implications:
    """One testable implication for every pair of measured nodes that no arrow joins and
    some set of measured nodes d-separates: ``x ⊥ y | Z`` with ``Z`` a smallest such set.

    >>> g = nx.DiGraph([("a", "b"), ("b", "c"), ("a", "d"), ("d", "c")])
    >>> [str(i) for i in basis_implications(g).implications]
    ['a _||_ c | b, d', 'b _||_ d | a']
    >>> basis_implications(g, latent=["d"]).untestable_pairs
    [('a', 'c')]
    """
    found: list[Implication] = []
    untestable: list[tuple[str, str]] = []
    skipped: list[tuple[str, str]] = []
    forced = tuple(sorted(include))
    for x, y, separation in _separation_graphs(graph, latent, include):
        separator = minimum_separator(separation, x, y)
        if separator is None:
            untestable.append((x, y))
        elif max_given is not None and len(separator) + len(forced) > max_given:
            skipped.append((x, y))
        else:
            found.append(Implication(x, y, tuple(sorted(separator | set(forced)))))
    return Implications(BASIS, found, untestable, skipped)


def all_implications(
    graph: nx.DiGraph,
    latent: Collection[str] = (),
    cap: int = 1000,
    include: Collection[str] = (),
) -> Implications:
    """For every pair of measured nodes that no arrow joins, one implication per minimal
    set of measured nodes that d-separates them. At most ``cap`` implications: the listing
    stops before the first pair whose sets would pass the cap (``truncated``), so every
    pair listed has all of its sets, whatever the order the sets are found in.

    >>> g = nx.DiGraph([("a", "b"), ("b", "c"), ("a", "d"), ("d", "c"), ("c", "e")])
    >>> [str(i) for i in all_implications(g).implications if i.x == "a" and i.y == "e"]
    ['a _||_ e | b, d', 'a _||_ e | c']
    """
    if cap < 1:
        raise ValueError("cap must be at least 1")
    found: list[Implication] = []
    untestable: list[tuple[str, str]] = []
    forced = set(include)
    for x, y, separation in _separation_graphs(graph, latent, include):
        room = cap - len(found)
        separators = list(itertools.islice(minimal_separators(separation, {x}, {y}), room + 1))
        if not separators:
            untestable.append((x, y))
        elif len(separators) > room:
            return Implications(ALL, found, untestable, truncated=True)
        else:
            found += sorted(Implication(x, y, tuple(sorted(s | forced))) for s in separators)
    return Implications(ALL, found, untestable)
