"""The few graph questions validation asks, answered without importing networkx.

networkx costs ~150 ms to import, a third of the start-up budget of ``mechmap validate``;
the analyses (``mechmap.analysis``) use networkx, validation uses these. Adjacency is a
mapping from each vertex to its successors.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
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


def adjacency(
    vertices: Iterable[str], arrows: Iterable[tuple[str, str]]
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Successors and predecessors of each vertex, from a list of arrows.

    >>> adjacency(["a", "b"], [("a", "b")])
    ({'a': ['b'], 'b': []}, {'a': [], 'b': ['a']})
    """
    successors: dict[str, list[str]] = {v: [] for v in vertices}
    predecessors: dict[str, list[str]] = {v: [] for v in successors}
    for a, b in arrows:
        successors[a].append(b)
        predecessors[b].append(a)
    return successors, predecessors


def reachable(successors: Adjacency, starts: Iterable[str], depth: int | None = None) -> set[str]:
    """Every vertex reachable from ``starts`` by directed paths (``starts`` included), or
    only by paths of at most ``depth`` arrows.

    >>> sorted(reachable({"a": ["b"], "b": ["c"], "c": []}, ["a"]))
    ['a', 'b', 'c']
    >>> sorted(reachable({"a": ["b"], "b": ["c"], "c": []}, ["a"], depth=1))
    ['a', 'b']
    """
    seen = set(starts)
    frontier, taken = list(seen), 0
    while frontier and (depth is None or taken < depth):
        frontier = [n for v in frontier for n in successors.get(v, ()) if n not in seen]
        seen.update(frontier)
        taken += 1
    return seen


def caused_only_within(candidates: Collection[str], predecessors: Adjacency) -> set[str]:
    """The candidates whose causes are all such candidates, recursively: the sources among
    them, then those caused by nothing but what is already in.

    >>> sorted(caused_only_within({"a", "b", "d"}, {"a": [], "b": ["a"], "d": ["c"]}))
    ['a', 'b']
    """
    inside: set[str] = set()
    while joining := {
        v for v in candidates if v not in inside and set(predecessors.get(v, ())) <= inside
    }:
        inside |= joining
    return inside


def reaching_sources(predecessors: Adjacency, sources: list[str]) -> dict[str, int]:
    """For every vertex of a DAG, a bitmask of the ``sources`` that reach it.

    Bit ``i`` stands for ``sources[i]`` (a source reaches itself). One pass in topological
    order, with Python integers as bitsets: O((V + E) * S / 64) instead of a search per
    vertex.

    >>> masks = reaching_sources({"a": [], "b": ["a"], "c": ["b"], "d": []}, ["a", "d"])
    >>> masks["c"], masks["d"]
    (1, 2)
    """
    bits = {source: 1 << i for i, source in enumerate(sources)}
    masks: dict[str, int] = {}
    for vertex in TopologicalSorter(predecessors).static_order():
        mask = bits.get(vertex, 0)
        for parent in predecessors.get(vertex, ()):
            mask |= masks[parent]
        masks[vertex] = mask
    return masks


def path_from_source(
    predecessors: Adjacency, masks: dict[str, int], bit: int, target: str
) -> list[str]:
    """A directed path to ``target`` from the source whose bit is ``bit`` (see above),
    found by walking back through parents that the source reaches."""
    path = [target]
    while masks.get(path[-1], 0) & bit and not _is_source(predecessors, masks, bit, path[-1]):
        path.append(next(p for p in predecessors[path[-1]] if masks[p] & bit))
    return path[::-1]


def _is_source(predecessors: Adjacency, masks: dict[str, int], bit: int, vertex: str) -> bool:
    return not any(masks[p] & bit for p in predecessors.get(vertex, ()))
