"""The ID algorithm: identification of ``P(y | do(x))`` from the observed distribution.

Shpitser & Pearl (AAAI 2006; Shpitser's thesis, UCLA 2008, p. 40), run on the latent
projection of the DAG (:class:`ADMG`): an acyclic directed mixed graph over the measured
nodes, with a directed arc where a directed path runs through latent nodes only and a
bidirected arc for each pair with a latent common cause. Each line of the algorithm is a
branch of ``ADMG._id``; the result is an expression of :mod:`mechmap.analysis.estimands`.
ID is complete: when it fails it raises :class:`Hedge` (two nested confounded components),
and then no method computes the effect from the measured variables.

>>> import networkx as nx
>>> g = nx.DiGraph([("u", "x"), ("u", "y"), ("x", "m"), ("m", "y")])
>>> from mechmap.analysis.estimands import estimand_text
>>> estimand_text(ADMG(g, {"u"}).identify(frozenset({"y"}), frozenset({"x"})), {"x"}, {"y"})
"P(y | do(x)) = Σ_m P(m | x) Σ_x' P(x') P(y | x', m)"
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

from mechmap.analysis.estimands import ONE, Term, product, ratio, summed


class Hedge(Exception):
    """The effect is not identifiable: ``whole`` is a confounded component (nodes linked by
    bidirected arcs) and ``part`` the one it leaves once the exposure is set."""

    def __init__(self, whole: frozenset[str], part: frozenset[str]):
        super().__init__("hedge")
        self.whole, self.part = whole, part


@dataclass(frozen=True)
class _Observed:
    """The observed distribution, marginal on the current nodes."""


@dataclass(frozen=True)
class _General:
    """A distribution over the current nodes, written as an expression in the observed one."""

    expression: object


class ADMG:
    """The latent projection of a DAG: directed arcs between measured nodes joined by a
    directed path through latent nodes only, and a bidirected arc between two measured
    nodes with a latent common cause reaching both through latent nodes only."""

    def __init__(self, graph: nx.DiGraph, latent: set[str]):
        self.order = [v for v in nx.topological_sort(graph) if v not in latent]
        self.rank = {v: i for i, v in enumerate(self.order)}
        self.parents: dict[str, set[str]] = {v: set() for v in self.order}
        self.siblings: dict[str, set[str]] = {v: set() for v in self.order}
        for a in self.order:
            for b in self._reach(graph, a, latent):
                self.parents[b].add(a)
        for u in latent:
            for a, b in itertools.combinations(sorted(self._reach(graph, u, latent)), 2):
                self.siblings[a].add(b)
                self.siblings[b].add(a)

    @staticmethod
    def _reach(graph: nx.DiGraph, start: str, latent: set[str]) -> set[str]:
        """Measured nodes at the end of directed paths from ``start`` through latent nodes."""
        found, seen, stack = set(), {start}, [start]
        while stack:
            for w in graph.successors(stack.pop()):
                if w in seen:
                    continue
                seen.add(w)
                if w in latent:
                    stack.append(w)
                else:
                    found.add(w)
        return found

    def identify(self, ys: frozenset[str], xs: frozenset[str]) -> object:
        return self._id(ys, xs, _Observed(), frozenset(self.order))

    def _ancestors(self, ys: frozenset[str], nodes: frozenset[str], cut=frozenset()) -> set:
        """Ancestors of ``ys`` (themselves included) in the graph induced on ``nodes``,
        ignoring arrows into ``cut``."""
        seen, stack = set(ys), list(ys)
        while stack:
            v = stack.pop()
            if v in cut:
                continue
            for p in self.parents[v]:
                if p in nodes and p not in seen:
                    seen.add(p)
                    stack.append(p)
        return seen

    def _components(self, nodes: frozenset[str]) -> list[frozenset[str]]:
        """The c-components (connected by bidirected arcs) of the graph induced on ``nodes``."""
        left, found = set(nodes), []
        while left:
            start = min(left, key=self.rank.__getitem__)
            seen, stack = {start}, [start]
            while stack:
                for w in self.siblings[stack.pop()]:
                    if w in left and w not in seen:
                        seen.add(w)
                        stack.append(w)
            left -= seen
            found.append(frozenset(seen))
        return found

    def _sorted(self, nodes: Iterable[str]) -> list[str]:
        return sorted(nodes, key=self.rank.__getitem__)

    def _id(self, ys: frozenset, xs: frozenset, dist, nodes: frozenset) -> object:
        if not xs:  # line 1
            return self._marginal(dist, nodes, ys)
        ancestral = frozenset(self._ancestors(ys, nodes))
        if ancestral != nodes:  # line 2
            return self._id(ys, xs & ancestral, self._restrict(dist, nodes, ancestral), ancestral)
        unaffected = (nodes - xs) - self._ancestors(ys, nodes, cut=xs)
        if unaffected:  # line 3
            return self._id(ys, xs | unaffected, dist, nodes)
        parts = self._components(nodes - xs)
        if len(parts) > 1:  # line 4
            return summed(
                nodes - (ys | xs),
                product(self._id(s, nodes - s, dist, nodes) for s in parts),
            )
        part = parts[0]
        whole = self._components(nodes)
        if whole == [nodes]:  # line 5
            raise Hedge(nodes, part)
        if part in whole:  # line 6
            return summed(
                part - ys,
                product(self._conditional(dist, nodes, v) for v in self._sorted(part)),
            )
        bigger = next(c for c in whole if part < c)  # line 7
        factors = product(self._conditional(dist, nodes, v) for v in self._sorted(bigger))
        return self._id(ys, xs & bigger, _General(factors), bigger)

    def _expression(self, dist, nodes: frozenset) -> object:
        if isinstance(dist, _Observed):
            return Term(nodes)
        return dist.expression

    def _marginal(self, dist, nodes: frozenset, keep: Iterable[str]) -> object:
        """The expression of the marginal of ``dist`` (over ``nodes``) on ``keep``."""
        keep = frozenset(keep)
        if isinstance(dist, _Observed):
            return Term(keep)
        return self._expression(self._restrict(dist, nodes, keep), keep)

    def _restrict(self, dist, nodes: frozenset, keep: frozenset) -> object:
        """The marginal of ``dist`` on ``keep``, as a distribution."""
        if isinstance(dist, _Observed):
            return dist
        return _General(summed(nodes - keep, self._expression(dist, nodes)))

    def _conditional(self, dist, nodes: frozenset, v: str) -> object:
        """``dist(v | the nodes before v)``."""
        before = frozenset(u for u in nodes if self.rank[u] < self.rank[v])
        if isinstance(dist, _Observed):
            return Term(frozenset([v]), before)
        whole = dist.expression
        return ratio(
            summed(nodes - before - {v}, whole),
            summed(nodes - before, whole) if before else ONE,
        )
