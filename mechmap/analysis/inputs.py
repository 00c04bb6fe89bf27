"""The checks every graph analysis makes of its question before it answers.

An analysis given a graph it cannot handle, or a question that makes no sense, raises
``ValueError`` with one line saying what is wrong, never a networkx error or a wrong answer:

- the graph must be a DAG: a cycle is named (``the graph has a cycle: a -> b -> a``);
- every node named must be a vertex; an unknown one is worded by
  :class:`mechmap.names.NodeNames`, with "did you mean" (and, for a graph made from a map,
  the node's copies per wave);
- an exposure is not also an outcome, and neither is latent nor in ``include`` (the nodes
  conditioned on whatever one does: an exposure is set by the intervention, not conditioned
  on).

The checks cost one pass over the graph; analyses that call each other in loops check once,
at the public function, and run the searches on the checked question.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

import networkx as nx

from mechmap.names import NodeNames


def check_dag(graph: nx.DiGraph) -> None:
    """``ValueError`` unless ``graph`` is a directed graph without a cycle.

    >>> check_dag(nx.DiGraph([("a", "b"), ("b", "c"), ("c", "a")]))
    Traceback (most recent call last):
      ...
    ValueError: the graph has a cycle: a -> b -> c -> a; the analyses need a DAG
    """
    if not isinstance(graph, nx.DiGraph):
        raise ValueError(f"the graph must be a networkx DiGraph, not {type(graph).__name__}")
    if not nx.is_directed_acyclic_graph(graph):
        cycle = [a for a, _ in nx.find_cycle(graph)]
        arrows = " -> ".join(str(v) for v in [*cycle, cycle[0]])
        raise ValueError(f"the graph has a cycle: {arrows}; the analyses need a DAG")


def check_nodes(graph: nx.DiGraph, what: str, nodes: str | Iterable[str]) -> set[str]:
    """The set of ``nodes`` (a string is one node, not its letters); ``ValueError`` naming
    ``what`` they are (``exposure``...; ``""`` for plain nodes) and what to write instead if
    one is not a vertex of ``graph``.

    >>> check_nodes(nx.DiGraph([("wai", "goal")]), "exposure", ["wia"])
    Traceback (most recent call last):
      ...
    ValueError: exposure: unknown node 'wia' (did you mean 'wai'?)
    """
    nodes = {nodes} if isinstance(nodes, str) else set(nodes)
    missing = sorted((v for v in nodes if v not in graph), key=str)
    if missing:
        NodeNames.of_graph(graph).require(str(missing[0]), what)
        # its text names a vertex, but it is not that vertex (3 and "3")
        raise ValueError(f"{what + ': ' if what else ''}unknown node {missing[0]!r}")
    return nodes


def check_effect(
    graph: nx.DiGraph,
    exposures: str | Iterable[str],
    outcomes: str | Iterable[str],
    latent: Collection[str] = (),
) -> tuple[frozenset[str], frozenset[str]]:
    """The exposures and outcomes of an effect, checked with the graph and the latent
    nodes (see the module docstring).

    >>> check_effect(nx.DiGraph([("x", "y")]), ["x"], ["x"])
    Traceback (most recent call last):
      ...
    ValueError: exposure and outcome are the same node: x
    """
    check_dag(graph)
    xs = frozenset(check_nodes(graph, "exposure", exposures))
    ys = frozenset(check_nodes(graph, "outcome", outcomes))
    hidden = check_nodes(graph, "latent", latent)
    if not xs or not ys:
        raise ValueError("give at least one exposure and one outcome")
    if xs & ys:
        raise ValueError(f"exposure and outcome are the same node: {listed(xs & ys)}")
    if (xs | ys) & hidden:
        raise ValueError(
            f"{listed((xs | ys) & hidden)} is latent: an effect on or of an unmeasured node "
            "cannot be estimated"
        )
    return xs, ys


def check_include(
    graph: nx.DiGraph, exposures: Collection[str], outcomes: Collection[str], include: Iterable[str]
) -> set[str]:
    """The set of nodes conditioned on whatever one does (DAGitty's "adjusted" and
    "selected" nodes), checked against the (checked) exposures and outcomes.

    >>> check_include(nx.DiGraph([("x", "y")]), {"x"}, {"y"}, ["x"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
      ...
    ValueError: x is an exposure, so it cannot be in include (the nodes conditioned on ...
    """
    forced = check_nodes(graph, "include", include)
    for ends, what, why in (
        (exposures, "an exposure", "an exposure is set by the intervention"),
        (outcomes, "an outcome", "it is what the effect is on"),
    ):
        if forced & set(ends):
            raise ValueError(
                f"{listed(forced & set(ends))} is {what}, so it cannot be in include (the "
                f"nodes conditioned on whatever one does): {why}"
            )
    return forced


def listed(nodes: Iterable[str]) -> str:
    """Node names for a message: sorted, comma-separated."""
    return ", ".join(sorted(map(str, nodes)))
