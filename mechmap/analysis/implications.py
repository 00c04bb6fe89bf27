"""Testable implications: the conditional independencies a DAG implies among measured nodes.

Two measured nodes that no arrow joins are d-separated by some set of measured nodes unless
latent nodes tie them together; every such pair gives a testable implication
``x ⊥ y | Z``. :func:`basis_implications` gives one implication per such pair, grouped into
statements ``x ⊥ y1, y2, ... | Z`` as in DAGitty's local Markov basis (Textor et al., Int J
Epidemiol 2016;45:1887). For a pair with no common ancestor ``Z`` is empty. Otherwise, a node
is independent of every node that is not its descendant given its parents (the local Markov
property), so ``Z`` is the parents of one of the two; where both qualify, the smaller set
(on a tie, the parents of the node first in name order). Where neither does (a latent
parent; an ``include`` node below it) ``Z`` is a smallest separating set, found for that
pair alone. ``smallest=True`` takes a smallest set for every pair, for tests on data where
each covariate costs power. Both give every pair, so either answers every question the
other does.

Separating sets are the vertex separators of x and y in the moral graph of the ancestors of x
and y (Lauritzen, Dawid, Larsen & Leimer, Networks 1990;20:491), with latent nodes
eliminated so that no set contains one (van der Zander, Liśkiewicz & Textor, Artif Intell
2019;270:1): a smallest one is a minimum vertex cut (Menger's theorem, by maximum flow), and
:func:`all_implications` lists every minimal one of every pair. Nodes conditioned on
whatever one does (DAGitty's "selected" nodes) go in as ``include``: every set then contains
them. A cyclic graph or an unknown node is refused with ``ValueError``
(:mod:`mechmap.analysis.inputs`).

>>> g = nx.DiGraph([("a", "b"), ("a", "c"), ("b", "d"), ("c", "d"), ("e", "d")])
>>> [str(s) for s in basis_implications(g).statements]
['a _||_ e', 'b _||_ c | a', 'b _||_ e', 'c _||_ e', 'd _||_ a | b, c, e']
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from functools import cached_property

import networkx as nx

from mechmap.analysis.inputs import check_dag, check_nodes
from mechmap.analysis.separators import (
    Graph,
    eliminate,
    minimal_separators,
    minimum_separator,
    moral_graph,
)

BASIS, ALL = "basis", "all"
_AS_BYTES = bytes.maketrans(b"01", b"\x00\x01")  # a mask's binary digits as 0/1 bytes


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


@dataclass(frozen=True, order=True)
class Independence:
    """``x`` is independent of each of ``ys`` given ``given`` (both sorted): one
    implication per member of ``ys``, all with the same set."""

    x: str
    ys: tuple[str, ...]
    given: tuple[str, ...] = ()

    def __str__(self) -> str:
        given = f" | {', '.join(self.given)}" if self.given else ""
        return f"{self.x} _||_ {', '.join(self.ys)}{given}"

    def pairs(self) -> Iterator[Implication]:
        for y in self.ys:
            yield Implication(*sorted((self.x, y)), self.given)

    def as_dict(self) -> dict[str, object]:
        return {"x": self.x, "y": list(self.ys), "given": list(self.given)}


@dataclass(frozen=True)
class Implications:
    """Testable implications among the measured nodes, as statements that each give one set
    for one node and several others (:attr:`implications` has one per pair).

    ``untestable_pairs``: unjoined measured pairs that no set of measured nodes separates
    (latent nodes tie them), so they imply nothing testable; ``skipped_pairs``: pairs that only
    sets larger than ``max_given`` separate; ``truncated``: the listing stopped at the cap.
    """

    kind: str  # BASIS or ALL
    statements: list[Independence]
    untestable_pairs: list[tuple[str, str]] = field(default_factory=list)
    skipped_pairs: list[tuple[str, str]] = field(default_factory=list)
    truncated: bool = False

    @cached_property
    def implications(self) -> list[Implication]:
        """One implication per pair and set, in name order."""
        return sorted(i for s in self.statements for i in s.pairs())

    @property
    def pair_count(self) -> int:
        return sum(len(s.ys) for s in self.statements)

    @property
    def summary(self) -> str:
        n = self.pair_count
        if self.kind == BASIS:
            text = (
                f"{n} testable implication(s) in a basis, in {len(self.statements)} statement(s)."
            )
        else:
            text = f"{n} testable implication(s) (every minimal separating set)."
        if self.untestable_pairs:
            text += (
                f" {len(self.untestable_pairs)} unjoined pair(s) imply nothing testable "
                "(latent nodes connect them)."
            )
        if self.skipped_pairs:
            text += f" {len(self.skipped_pairs)} pair(s) skipped: their sets are too large."
        if self.truncated:
            text += f" Only the first {n}: there are more."
        return text

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "implications": [s.as_dict() for s in self.statements],
            "pairs": self.pair_count,
            "untestable_pairs": [list(p) for p in self.untestable_pairs],
            "skipped_pairs": [list(p) for p in self.skipped_pairs],
            "truncated": self.truncated,
            "summary": self.summary,
        }


class _Pairs:
    """The nodes of a checked question with their ancestry as bitmasks (bit ``i`` is the
    ``i``-th node in name order), and, on demand, the undirected graph in which the
    separators of one pair (avoiding latent and ``include`` nodes) are the vertex
    separators."""

    def __init__(self, graph: nx.DiGraph, latent: Collection[str], include: Collection[str]):
        check_dag(graph)
        self.graph = graph
        self.hidden = check_nodes(graph, "latent", latent)
        self.forced = check_nodes(graph, "include", include)
        self.measured = sorted(set(graph) - self.hidden - self.forced)
        self.names = sorted(graph)
        self.bit = {v: 1 << i for i, v in enumerate(self.names)}
        self.parents = {v: list(graph.predecessors(v)) for v in graph}
        order = list(nx.topological_sort(graph))
        self.up: dict[str, int] = {}  # each node and its ancestors: one OR per arrow
        for v in order:
            self.up[v] = self.bit[v] | self.mask(self.up[p] for p in self.parents[v])
        self.down: dict[str, int] = {}  # each node and its descendants
        for v in reversed(order):
            self.down[v] = self.bit[v] | self.mask(self.down[c] for c in graph.successors(v))
        self.above_forced = self.mask(self.up[v] for v in self.forced)

    @staticmethod
    def mask(masks: Iterator[int]) -> int:
        result = 0
        for m in masks:
            result |= m
        return result

    def members(self, mask: int) -> tuple[str, ...]:
        """The names of a mask's bits, in name order (the work is C loops over n digits)."""
        return tuple(itertools.compress(self.names, bin(mask)[:1:-1].encode().translate(_AS_BYTES)))

    def unjoined(self) -> Iterator[tuple[str, str]]:
        """Every pair of measured nodes no arrow joins, in name order."""
        for i, x in enumerate(self.measured):
            joined = set(self.graph.pred[x]) | set(self.graph.succ[x])
            yield from ((x, y) for y in self.measured[i + 1 :] if y not in joined)

    def separation(self, x: str, y: str) -> Graph:
        relevant = set(self.members(self.above_forced | self.up[x] | self.up[y]))
        moral = moral_graph(self.parents, relevant)
        for v in self.forced:  # conditioned on: paths through it are blocked
            for n in moral.pop(v):
                moral[n].discard(v)
        return eliminate(moral, sorted(self.hidden & relevant))

    def smallest(self, x: str, y: str) -> tuple[str, ...] | None:
        """A smallest separating set of the pair (with the include nodes), or ``None``."""
        separator = minimum_separator(self.separation(x, y), x, y)
        return None if separator is None else tuple(sorted(separator | self.forced))


def basis_implications(
    graph: nx.DiGraph,
    latent: Collection[str] = (),
    max_given: int | None = None,
    include: Collection[str] = (),
    smallest: bool = False,
) -> Implications:
    """One testable implication for every pair of measured nodes that no arrow joins and
    some set of measured nodes d-separates, with the set the module docstring describes
    (with ``smallest``, a smallest one); pairs whose set would hold more than ``max_given``
    nodes take a smallest set instead, or are skipped.

    >>> g = nx.DiGraph([("a", "b"), ("b", "c"), ("a", "d"), ("d", "c")])
    >>> [str(i) for i in basis_implications(g).implications]
    ['a _||_ c | b, d', 'b _||_ d | a']
    >>> basis_implications(g, latent=["d"]).untestable_pairs
    [('a', 'c')]
    """
    pairs = _Pairs(graph, latent, include)
    if smallest:
        return _separated_one_by_one(pairs, pairs.unjoined(), max_given)
    bit, up, down, forced = pairs.bit, pairs.up, pairs.down, pairs.forced
    # A node's parents (with the include nodes) separate it from every non-descendant (local
    # Markov, then weak union for the include nodes), unless a parent is latent or an
    # include node is below it (conditioning on a descendant may open a path).
    local = {
        v: tuple(sorted(forced.union(pairs.parents[v])))
        for v in pairs.measured
        if not pairs.hidden.intersection(pairs.parents[v]) and not bit[v] & pairs.above_forced
    }
    if max_given is not None:
        local = {v: given for v, given in local.items() if len(given) <= max_given}
    measured, usable = pairs.mask(map(bit.get, pairs.measured)), pairs.mask(map(bit.get, local))
    # Where both ends' parents separate a pair, the smaller set wins (on a tie, the first
    # name): ``better[v]`` holds the nodes that would win against v.
    better, ahead = {}, 0
    for v in sorted(local, key=lambda v: (len(local[v]), v)):
        better[v], ahead = ahead, ahead | bit[v]
    # ``related[v]``: the nodes sharing an ancestor with v (v's ancestors' descendants)
    related: dict[str, int] = {}
    for v in nx.topological_sort(graph):
        related[v] = down[v] | pairs.mask(related[p] for p in pairs.parents[v])
    statements: list[Independence] = []
    unsettled: list[tuple[str, str]] = []  # pairs no parents separate
    for x in pairs.measured:
        joined = pairs.mask(map(bit.get, itertools.chain(graph.pred[x], graph.succ[x])))
        unjoined = measured & ~bit[x] & ~joined
        later = unjoined & ~((bit[x] << 1) - 1)
        if not forced:  # no common ancestor: the empty set separates (once per pair)
            if apart := later & ~related[x]:
                statements.append(Independence(x, pairs.members(apart)))
            unjoined, later = unjoined & related[x], later & related[x]
        if x in local:
            if mine := unjoined & ~down[x] & ~(better[x] & ~up[x]):
                statements.append(Independence(x, pairs.members(mine), local[x]))
            neither = later & down[x] & ~usable
        else:
            neither = later & (~usable | up[x])
        unsettled += ((x, y) for y in pairs.members(neither))
    found = _separated_one_by_one(pairs, unsettled, max_given)
    return Implications(
        BASIS,
        sorted(statements + found.statements),
        found.untestable_pairs,
        found.skipped_pairs,
    )


def _separated_one_by_one(
    pairs: _Pairs, unjoined: Iterator[tuple[str, str]], max_given: int | None
) -> Implications:
    """Each pair with a smallest separating set (a maximum flow per pair)."""
    found: list[Independence] = []
    untestable: list[tuple[str, str]] = []
    skipped: list[tuple[str, str]] = []
    for x, y in unjoined:
        given = pairs.smallest(x, y)
        if given is None:
            untestable.append((x, y))
        elif max_given is not None and len(given) > max_given:
            skipped.append((x, y))
        else:
            found.append(Independence(x, (y,), given))
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
    found: list[Independence] = []
    untestable: list[tuple[str, str]] = []
    pairs = _Pairs(graph, latent, include)
    forced = pairs.forced
    for x, y in pairs.unjoined():
        room = cap - len(found)
        found_sets = minimal_separators(pairs.separation(x, y), {x}, {y})
        separators = list(itertools.islice(found_sets, room + 1))
        if not separators:
            untestable.append((x, y))
        elif len(separators) > room:
            return Implications(ALL, found, untestable, truncated=True)
        else:
            found += sorted(Independence(x, (y,), tuple(sorted(s | forced))) for s in separators)
    return Implications(ALL, found, untestable)
