"""d-separation with a witness: the open path when two sets are d-connected.

networkx answers yes or no (``nx.is_d_separator``); people also need to see *which* path
stays open. This is the reachability ("Bayes-ball") search of Koller & Friedman
(Probabilistic Graphical Models, 2009, Algorithm 3.1) with back-pointers.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Iterable

import networkx as nx

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
    """Whether ``given`` d-separates ``xs`` from ``ys`` (networkx's implementation)."""
    return nx.is_d_separator(graph, set(xs), set(ys), set(given))
