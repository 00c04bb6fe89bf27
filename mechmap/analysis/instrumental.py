"""Instrumental variables: instruments and conditional instruments for the effect of X on Y.

``I`` is an instrument for the total effect of X on Y given a set ``W`` (Brito & Pearl, UAI
2002; van der Zander, Textor & Liśkiewicz, IJCAI 2015, "Efficiently finding conditional
instruments for causal inference"; in the sound and complete form of Henckel, Buttenschön &
Maathuis, Biometrika 2024, "Graphical tools for selecting conditional instrumental sets") iff

- neither ``I`` nor ``W`` holds X or a node on or below a proper causal path from X to Y
  (so in particular no descendant of Y);
- ``W`` d-connects ``I`` and X;
- ``W`` d-separates ``I`` and Y in the proper back-door graph (the DAG without the first
  arrow of every proper causal path from X to Y).

Whether some ``W`` makes a given node an instrument is NP-hard to decide (van der Zander et
al.), so, like DAGitty, we list the *ancestral* instruments: those with a ``W`` among the
ancestors of ``I`` and Y. For them the separator of ``I`` and Y nearest to Y works whenever
any does, and an ancestral instrument exists whenever any conditional instrument does. We
take that separator in the moral graph of the ancestors with the nodes ``W`` may not hold
eliminated, so each candidate costs one graph search. A node that is an instrument only given
a descendant (a collider opened on purpose) is not listed. ``W = []`` makes ``I`` an
unconditional instrument. Latent nodes are never instruments nor in ``W``; nodes conditioned
on whatever one does (DAGitty's "adjusted" and "selected" nodes) go in as ``include``: they
are in every ``W`` and are never instruments. A question that makes no sense (a cyclic
graph, an unknown node, the exposure as outcome) is refused with ``ValueError``
(:mod:`mechmap.analysis.inputs`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

import networkx as nx

from mechmap.analysis.adjustment import TOTAL, adjustment_problem
from mechmap.analysis.dsep import find_open_path
from mechmap.analysis.inputs import check_include, check_nodes
from mechmap.analysis.separators import Graph, eliminate, moral_graph


@dataclass(frozen=True, order=True)
class Instrument:
    """``instrument`` is an instrument for the effect given ``given`` (sorted)."""

    instrument: str
    given: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {"instrument": self.instrument, "given": list(self.given)}


@dataclass(frozen=True)
class Instruments:
    """Every node that is an instrument for the effect of ``exposure`` on ``outcome``, each
    with one conditioning set that makes it one (empty for an unconditional instrument)."""

    exposure: str
    outcome: str
    instruments: list[Instrument]

    @property
    def summary(self) -> str:
        what = f"the effect of {self.exposure} on {self.outcome}"
        if not self.instruments:
            return f"No instrument for {what}."
        plain = sum(1 for i in self.instruments if not i.given)
        return (
            f"{len(self.instruments)} instrument(s) for {what}: {plain} unconditional, "
            f"{len(self.instruments) - plain} conditional."
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "exposure": self.exposure,
            "outcome": self.outcome,
            "instruments": [i.as_dict() for i in self.instruments],
            "summary": self.summary,
        }


def _nearest_separator(graph: Graph, near: str, far: str) -> frozenset[str] | None:
    """The minimal separator of ``near`` and ``far`` closest to ``near``, or ``None`` if they
    are adjacent."""
    border = graph[near]
    if far in border:
        return None
    seen, stack = {far}, [far]
    while stack:
        v = stack.pop()
        for n in graph[v]:
            if n not in seen and n not in border and n != near:
                seen.add(n)
                stack.append(n)
    return frozenset(v for v in border if graph[v] & seen)


def instruments(
    graph: nx.DiGraph,
    exposure: str,
    outcome: str,
    latent: Collection[str] = (),
    include: Collection[str] = (),
) -> Instruments:
    """Every instrument for the total effect of ``exposure`` on ``outcome``, with the set
    nearest the outcome that makes it one.

    >>> g = nx.DiGraph([("z", "x"), ("x", "y"), ("u", "x"), ("u", "y")])
    >>> [i.as_dict() for i in instruments(g, "x", "y", latent=["u"]).instruments]
    [{'instrument': 'z', 'given': []}]
    >>> g.add_edges_from([("c", "z"), ("c", "y")])
    >>> [i.as_dict() for i in instruments(g, "x", "y", latent=["u"]).instruments]
    [{'instrument': 'z', 'given': ['c']}]
    """
    problem = adjustment_problem(graph, [exposure], [outcome], latent, TOTAL)
    result = Instruments(exposure, outcome, [])
    forced = check_include(graph, {exposure}, {outcome}, include)
    not_in_w = set(problem.forbidden) | {exposure}
    if forced & not_in_w:
        return result
    backdoor = problem.graph
    parents = {v: list(backdoor.predecessors(v)) for v in backdoor}
    above_forced = forced.union(*(nx.ancestors(backdoor, v) for v in forced))
    above_outcome = above_forced | {outcome} | nx.ancestors(backdoor, outcome)
    found = []
    for candidate in sorted(set(graph) - not_in_w - forced - {outcome}):
        relevant = above_outcome | {candidate} | nx.ancestors(backdoor, candidate)
        moral = moral_graph(parents, relevant)
        for v in forced:  # conditioned on: paths through it are blocked
            for n in moral.pop(v):
                moral[n].discard(v)
        moral = eliminate(moral, sorted(not_in_w & relevant))
        separator = _nearest_separator(moral, outcome, candidate)
        if separator is None:
            continue
        given = separator | forced
        # the same question as nx.is_d_separator, but the search stops at the first open
        # path, which most candidates have
        if find_open_path(graph, [candidate], [exposure], given) is not None:
            found.append(Instrument(candidate, tuple(sorted(given))))
    return Instruments(exposure, outcome, found)


def is_instrument(
    graph: nx.DiGraph,
    exposure: str,
    outcome: str,
    instrument: str,
    given: Iterable[str] = (),
    latent: Collection[str] = (),
) -> bool:
    """Whether ``instrument`` is an instrument for the effect of ``exposure`` on ``outcome``
    given ``given``, by the definition in the module docstring.

    >>> g = nx.DiGraph([("z", "x"), ("x", "y"), ("c", "z"), ("c", "y")])
    >>> is_instrument(g, "x", "y", "z"), is_instrument(g, "x", "y", "z", ["c"])
    (False, True)
    """
    problem = adjustment_problem(graph, [exposure], [outcome], latent, TOTAL)
    (instrument,) = check_nodes(graph, "instrument", [instrument])
    given = check_nodes(graph, "given", given)
    not_allowed = set(problem.forbidden) | {exposure, outcome}
    if instrument in not_allowed or instrument in given or given & not_allowed:
        return False
    return not nx.is_d_separator(graph, {instrument}, {exposure}, given) and nx.is_d_separator(
        problem.graph, {instrument}, {outcome}, given
    )
