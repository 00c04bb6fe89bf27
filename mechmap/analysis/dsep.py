"""d-separation with a witness: the open path when two sets are d-connected.

networkx answers yes or no (``nx.is_d_separator``); people also need to see *which* path
stays open. This is the reachability ("Bayes-ball") search of Koller & Friedman
(Probabilistic Graphical Models, 2009, Algorithm 3.1) with back-pointers.

The two sets and the conditioning set must be disjoint (d-separation is defined for
disjoint sets; conditioning on an end would silently drop it from the question), and the
graph a DAG: both are checked (:mod:`mechmap.analysis.inputs`). :func:`find_open_path` is
the search alone, for analyses that have checked their question and ask it many times.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Iterable

import networkx as nx

from mechmap.analysis.inputs import check_dag, check_nodes, listed

UP, DOWN = "up", "down"  # arrived from a child (against the arrow) or from a parent


def open_path(
    graph: nx.DiGraph, xs: Iterable[str], ys: Iterable[str], given: Collection[str] = ()
) -> list[str] | None:
    """A shortest path from ``xs`` to ``ys`` that ``given`` leaves open, or ``None`` if
    ``given`` d-separates them.

    >>> g = nx.DiGraph([("c", "x"), ("c", "y"), ("x", "y")])
    >>> open_path(g, ["x"], ["y"], ["c"])
    ['x', 'y']
    >>> g.remove_edge("x", "y")
    >>> open_path(g, ["x"], ["y"], ["c"]) is None
    True
    """
    xs, ys, given = _checked(graph, xs, ys, given)
    return find_open_path(graph, xs, ys, given)


def _checked(graph, xs, ys, given) -> tuple[set[str], set[str], set[str]]:
    check_dag(graph)
    xs, ys = check_nodes(graph, "first set", xs), check_nodes(graph, "second set", ys)
    given = check_nodes(graph, "given", given)
    if xs & ys:
        raise ValueError(f"{listed(xs & ys)} is in both sets: d-separation needs disjoint sets")
    if (xs | ys) & given:
        raise ValueError(
            f"{listed((xs | ys) & given)} is in a set and also conditioned on: d-separation "
            "needs disjoint sets (leave it out of the conditioning set)"
        )
    return xs, ys, given


def find_open_path(
    graph: nx.DiGraph, xs: Iterable[str], ys: Iterable[str], given: Collection[str] = ()
) -> list[str] | None:
    """:func:`open_path` without its checks: for a DAG, disjoint sets and known nodes."""
    given = set(given)
    targets = set(ys) - given
    # A collider is open when it or one of its descendants is conditioned on.
    opens_colliders = set(given).union(*(nx.ancestors(graph, z) for z in given))
    start = [(x, UP) for x in xs if x not in given]
    previous: dict[tuple[str, str], tuple[str, str] | None] = dict.fromkeys(start)
    queue = deque(start)
    while queue:
        state = queue.popleft()
        vertex, direction = state
        if vertex in targets:
            return _trace(previous, state)
        for following in _moves(graph, vertex, direction, given, opens_colliders):
            if following not in previous:
                previous[following] = state
                queue.append(following)
    return None


def _moves(graph, vertex, direction, given, opens_colliders):
    if direction == UP and vertex not in given:
        yield from ((p, UP) for p in graph.predecessors(vertex))
        yield from ((c, DOWN) for c in graph.successors(vertex))
    elif direction == DOWN:
        if vertex not in given:
            yield from ((c, DOWN) for c in graph.successors(vertex))
        if vertex in opens_colliders:
            yield from ((p, UP) for p in graph.predecessors(vertex))


def _trace(previous, state) -> list[str]:
    path = []
    while state is not None:
        path.append(state[0])
        state = previous[state]
    return path[::-1]


def d_separated(
    graph: nx.DiGraph, xs: Iterable[str], ys: Iterable[str], given: Collection[str] = ()
) -> bool:
    """Whether ``given`` d-separates ``xs`` from ``ys`` (networkx's implementation),
    with the checks of :func:`open_path`."""
    return nx.is_d_separator(graph, *_checked(graph, xs, ys, given))
