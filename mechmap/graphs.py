"""The few graph questions validation asks, answered without importing networkx.

networkx costs ~150 ms to import, a third of the start-up budget of ``mechmap validate``;
the analyses (``mechmap.analysis``) use networkx, validation uses these. Adjacency is a
mapping from each vertex to its successors.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from graphlib import CycleError, TopologicalSorter

Adjacency = Mapping[str, Iterable[str]]


def find_cycles(successors: Adjacency, limit: int = 20) -> list[list[str]]:
    """Up to ``limit`` distinct directed cycles, each as ``[a, b, ..., a]``.

    Each cycle found is broken at its last arrow and the search repeated, so every cycle
    returned is real and each has an arrow the others lack.

    >>> find_cycles({"a": ["b"], "b": ["c"], "c": ["a"]})
    [['a', 'b', 'c', 'a']]
    """
    graph = {v: set(ws) for v, ws in successors.items()}
    cycles: list[list[str]] = []
    while len(cycles) < limit:
        # TopologicalSorter takes predecessors; a cycle in the reversed graph is the same
        # cycle backwards.
        sorter = TopologicalSorter({v: ws for v, ws in graph.items()})
        try:
            sorter.prepare()
            break
        except CycleError as exc:
            backwards = exc.args[1]
        cycle = list(reversed(backwards))
        cycles.append(cycle)
        graph[cycle[-2]].discard(cycle[-1])
    return cycles


def reachable(successors: Adjacency, starts: Iterable[str]) -> set[str]:
    """Every vertex reachable from ``starts`` by directed paths (``starts`` included).

    >>> sorted(reachable({"a": ["b"], "b": [], "c": ["a"]}, ["a"]))
    ['a', 'b']
    """
    seen = set(starts)
    frontier = list(seen)
    while frontier:
        vertex = frontier.pop()
        for nxt in successors.get(vertex, ()):
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return seen


def shortest_path(successors: Adjacency, start: str, goals: set[str]) -> list[str] | None:
    """A shortest directed path from ``start`` to any of ``goals`` (breadth first)."""
    previous: dict[str, str | None] = {start: None}
    frontier = [start]
    while frontier:
        next_frontier = []
        for vertex in frontier:
            for nxt in successors.get(vertex, ()):
                if nxt in previous:
                    continue
                previous[nxt] = vertex
                if nxt in goals:
                    path = [nxt]
                    while (back := previous[path[-1]]) is not None:
                        path.append(back)
                    return path[::-1]
                next_frontier.append(nxt)
        frontier = next_frontier
    return None
