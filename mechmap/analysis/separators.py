"""Minimal vertex separators between two vertex sets of an undirected graph.

The listing moves one vertex at a time from the separator to the source side, starting
from the separator closest to the source: each minimal separator comes out once, with
polynomial delay (O(n^3) per separator), never by trying subsets (Berry, Bordat & Cogis,
Int J Found Comput Sci 2000;11:397; Shen & Liang, Inf Process Lett 1997;64:43). With the
moral graph of an ancestral set it lists minimal d-separators, hence minimal adjustment
sets (van der Zander, Liśkiewicz & Textor, Artif Intell 2019;270:1).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Mapping

Graph = dict[str, set[str]]

SOURCE, TARGET = "\x00source", "\x00target"  # cannot clash with a node name
IN, OUT = 0, 1  # the two halves of a vertex in the flow network


def moral_graph(parents: Mapping[str, Iterable[str]], keep: set[str]) -> Graph:
    """The moral graph of the DAG induced on ``keep`` (which must be ancestral)."""
    graph: Graph = {v: set() for v in keep}
    for child in keep:
        ps = [p for p in parents[child] if p in keep]
        for p in ps:
            graph[p].add(child)
            graph[child].add(p)
        for i, a in enumerate(ps):  # marry the parents
            for b in ps[i + 1 :]:
                graph[a].add(b)
                graph[b].add(a)
    return graph


def eliminate(graph: Graph, vertices: Iterable[str]) -> Graph:
    """Remove ``vertices`` but keep every path through them (their neighbours become a
    clique), so that separators of the result are the separators avoiding ``vertices``."""
    result = {v: set(ns) for v, ns in graph.items()}
    for v in vertices:
        neighbours = result.pop(v) - {v}
        for n in neighbours:
            result[n].discard(v)
            result[n] |= neighbours - {n}
    return result


def contract(graph: Graph, group: set[str], name: str) -> Graph:
    """Merge ``group`` into one vertex ``name``."""
    result: Graph = {v: set(ns) - group for v, ns in graph.items() if v not in group}
    merged = set().union(*(graph[v] for v in group)) - group
    result[name] = merged
    for n in merged:
        result[n].add(name)
    return result


def _component(adjacent: dict[int, int], start: int, removed: int) -> int:
    """The vertices (a bitmask) connected to the ``start`` vertices avoiding ``removed``;
    ``adjacent`` maps each vertex's bit to the mask of its neighbours."""
    reach = frontier = start
    allowed = ~removed
    while frontier:
        step = 0
        while frontier:  # one OR per vertex of the frontier, lowest bit first
            low = frontier & -frontier
            step |= adjacent[low]
            frontier ^= low
        frontier = step & allowed & ~reach
        reach |= frontier
    return reach


def _close_to(adjacent: dict[int, int], side: int, border: int, target: int) -> int | None:
    """The minimal separator closest to the connected vertex set ``side`` (which holds the
    source), given ``border``, the neighbours of ``side``; ``None`` if that touches the
    target."""
    if border & target:
        return None
    far = _component(adjacent, target, side | border)
    separator = 0
    while border:
        low = border & -border
        if adjacent[low] & far:
            separator |= low
        border ^= low
    return separator


def _members(mask: int) -> Iterator[int]:
    while mask:
        low = mask & -mask
        yield low
        mask ^= low


def minimal_separators(graph: Graph, source: set[str], target: set[str]) -> Iterator[frozenset]:
    """Every minimal set of vertices (outside ``source`` and ``target``) whose removal
    disconnects ``source`` from ``target``; nothing if they are adjacent; the empty set
    alone if they are not connected at all.

    >>> g = {"x": {"a", "b"}, "a": {"x", "y"}, "b": {"x", "y"}, "y": {"a", "b"}}
    >>> sorted(sorted(s) for s in minimal_separators(g, {"x"}, {"y"}))
    [['a', 'b']]
    """
    if source & target:
        return
    graph = contract(contract(graph, source, SOURCE), target, TARGET)
    # Vertex sets as bitmasks over the vertices in name order (so the order separators come
    # out in, hence a capped listing, never depends on the order of a set): a search step
    # is one OR of neighbour masks per vertex reached.
    bit = {v: 1 << i for i, v in enumerate(sorted(graph))}
    name = {b: v for v, b in bit.items()}
    adjacent = {bit[v]: sum(bit[n] for n in ns) for v, ns in graph.items()}
    start, target_bit = bit[SOURCE], bit[TARGET]
    if not _component(adjacent, start, 0) & target_bit:
        yield frozenset()
        return
    first = _close_to(adjacent, start, adjacent[start], target_bit)
    if first is None:
        return
    seen = {first}
    queue = [first]
    while queue:
        separator = queue.pop()
        yield frozenset(name[b] for b in _members(separator))
        near = _component(adjacent, start, separator)
        for vertex in _members(separator):
            # Moving the vertex to the source side: the side's neighbours are the rest of
            # the separator and the vertex's neighbours outside the side (the source side of
            # a minimal separator is a full component, so its neighbours are the separator).
            border = (separator | adjacent[vertex]) & ~(near | vertex)
            moved = _close_to(adjacent, near | vertex, border, target_bit)
            if moved is not None and moved not in seen:
                seen.add(moved)
                queue.append(moved)


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
