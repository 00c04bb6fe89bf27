"""Crossing reduction: the order of the items within each layer of a layered drawing.

Arrows between two neighbouring layers cross once for every pair whose ends come in the
opposite order in the two layers, so the drawing's crossings are set here, before any
coordinate exists. The method is Sugiyama, Tagawa and Toda's (1981) layer-by-layer sweep:
each item moves to the barycentre of its neighbours in the layer just fixed, sweeping down
and up a few times, keeping the best order seen; then adjacent swaps that remove crossings
(the "transpose" step of Gansner et al. 1993) while the graph is small enough to afford it.

Items belong to bands (0 above the main flow, 1 the flow, 2 below): an item never leaves its
band, so context drawn above the flow stays above it. An item may also carry a fixed
``rank`` (a drafter's ``order:`` hint): ranked items keep their relative order and take the
places the sweep chose for that group, so a hint steers without undoing the rest.

>>> layers = [["a", "b"], ["c", "d"]]
>>> edges = [("a", "d"), ("b", "c")]
>>> best = reduce_crossings(layers, edges, band={}, rank={})
>>> best, crossings(best, edges)
([['a', 'b'], ['d', 'c']], 0)
"""

from __future__ import annotations

import random
from bisect import bisect_right, insort
from collections.abc import Mapping, Sequence

Layers = list[list[str]]

# Sweeps beyond this many rarely help (Gansner et al. use 24 on far larger graphs).
_SWEEPS = 12
# Fresh starts from shuffled orders for graphs small enough to afford them.
_RESTARTS = 30
_RESTART_BUDGET = 6000  # restarts x items: small maps get all of them, big ones few
# Transpose costs O(width^2) per layer pair per pass; above this many items it is skipped.
_TRANSPOSE_LIMIT = 600


def crossings(layers: Layers, edges: Sequence[tuple[str, str]]) -> int:
    """Pairs of edges between neighbouring layers whose ends come in opposite orders."""
    position = {item: i for layer in layers for i, item in enumerate(layer)}
    layer_of = {item: k for k, layer in enumerate(layers) for item in layer}
    between: dict[int, list[tuple[int, int]]] = {}
    for a, b in edges:
        between.setdefault(layer_of[a], []).append((position[a], position[b]))
    return sum(_inversions(pairs) for pairs in between.values())


def _inversions(pairs: list[tuple[int, int]]) -> int:
    """Pairs (i, j) with i's first end before j's and its second end strictly after."""
    seen: list[int] = []
    count = 0
    for _, second in sorted(pairs):
        count += len(seen) - bisect_right(seen, second)
        insort(seen, second)
    return count


def reduce_crossings(
    layers: Layers,
    edges: Sequence[tuple[str, str]],
    *,
    band: Mapping[str, int],
    rank: Mapping[str, int],
) -> Layers:
    """A new order of each layer with few crossings; every edge joins neighbouring layers.

    The sweep is greedy, so it starts again from a few shuffled orders (a fixed seed: the
    same map always draws the same way) and keeps the best result; large graphs get one
    start, which is where nearly all of the gain is.
    """
    predecessors: dict[str, list[str]] = {item: [] for layer in layers for item in layer}
    successors: dict[str, list[str]] = {item: [] for layer in layers for item in layer}
    for a, b in edges:
        successors[a].append(b)
        predecessors[b].append(a)
    size = sum(len(layer) for layer in layers)
    shuffler = random.Random(1981)
    starts = [[list(layer) for layer in layers]]
    for _ in range(min(_RESTARTS, _RESTART_BUDGET // max(size, 1))):
        starts.append([shuffler.sample(layer, len(layer)) for layer in layers])
    best, best_count = None, -1
    for start in starts:
        found = _swept(start, edges, predecessors, successors, band, rank)
        if size <= _TRANSPOSE_LIMIT:
            found = _transposed(found, edges, predecessors, successors, band, rank)
        count = crossings(found, edges)
        if best is None or count < best_count:
            best, best_count = found, count
        if best_count == 0:
            break
    return best


def _swept(layers, edges, predecessors, successors, band, rank) -> Layers:
    """Barycentre sweeps down and up from the given order; the best order seen."""
    current = [
        _arranged(layer, {v: float(i) for i, v in enumerate(layer)}, band, rank) for layer in layers
    ]
    best, best_count = [list(layer) for layer in current], crossings(current, edges)
    for sweep in range(_SWEEPS):
        downward = sweep % 2 == 0
        indices = range(1, len(current)) if downward else range(len(current) - 2, -1, -1)
        neighbours = predecessors if downward else successors
        for k in indices:
            fixed = current[k - 1] if downward else current[k + 1]
            place = {item: i for i, item in enumerate(fixed)}
            key = {}
            for i, item in enumerate(current[k]):
                near = [place[n] for n in neighbours[item] if n in place]
                key[item] = sum(near) / len(near) if near else float(i)
            current[k] = _arranged(current[k], key, band, rank)
        count = crossings(current, edges)
        if count < best_count:
            best, best_count = [list(layer) for layer in current], count
        if best_count == 0:
            break
    return best


def _arranged(
    layer: list[str], key: Mapping[str, float], band: Mapping[str, int], rank: Mapping[str, int]
) -> list[str]:
    """The layer sorted by band, then by ``key``; ranked items then put in rank order."""
    ordered = sorted(layer, key=lambda item: (band.get(item, 1), key[item]))
    slots = [i for i, item in enumerate(ordered) if item in rank]
    by_band: dict[int, list[int]] = {}
    for i in slots:
        by_band.setdefault(band.get(ordered[i], 1), []).append(i)
    for places in by_band.values():
        ranked = sorted((ordered[i] for i in places), key=lambda item: rank[item])
        for i, item in zip(places, ranked, strict=True):
            ordered[i] = item
    return ordered


def _transposed(layers, edges, predecessors, successors, band, rank) -> Layers:
    """Swap neighbours in a layer while a swap removes crossings (same band, unranked)."""
    position = {item: i for layer in layers for i, item in enumerate(layer)}

    def cost(u: str, v: str) -> int:
        # Crossings among u's and v's edges on both sides when u is above v.
        total = 0
        for side in (predecessors, successors):
            for pu in side[u]:
                total += sum(1 for pv in side[v] if position[pv] < position[pu])
        return total

    improved = True
    while improved:
        improved = False
        for layer in layers:
            for i in range(len(layer) - 1):
                u, v = layer[i], layer[i + 1]
                if band.get(u, 1) != band.get(v, 1) or (u in rank and v in rank):
                    continue
                if cost(v, u) < cost(u, v):
                    layer[i], layer[i + 1] = v, u
                    position[u], position[v] = i + 1, i
                    improved = True
    return layers
