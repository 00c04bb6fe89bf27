"""A layered layout with time-ordered columns: where every box and arrow of a map goes.

The drawing reads left to right. Each column is a wave, in time order, and every vertex of a
wave lies wholly inside its column; a column holds as many layers as the longest chain of
arrows inside the wave needs. Context with many targets travels in a band above the flow
(or below it) instead of across it. The steps are Sugiyama's:

1. layers: a vertex's layer is the longest chain of arrows before it inside its column;
   a vertex with nothing before it moves as late as its first target allows, so arrows stay
   short;
2. long arrows get a waypoint in every layer they pass through;
3. the order within each layer is chosen to remove crossings (:mod:`.ordering`);
4. heights: each layer is placed as close to its neighbours as the order and the spacing
   allow (a weighted isotonic regression, solved exactly by pooling adjacent violators),
   sweeping back and forth, waypoints weighted so long arrows run straight;
5. arrows are cubic curves with level tangents through their waypoints; a label sits on its
   own arrow, in the middle gap of the arrow, moved along the curve until it is clear of the
   labels already placed.

Pinned vertices (``pos`` hints) are put where the drafter said after the rest is laid out,
and their arrows are drawn directly. Coordinates are points, y grows downward.

>>> out = layered_layout([Vertex("a", 40, 20, 0), Vertex("b", 40, 20, 1)], [("a", "b")], {})
>>> out.centres["a"][0] < out.centres["b"][0]
True
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter

from mechmap.diagrams.ordering import reduce_crossings
from mechmap.mapfile.graphs import adjacency, caused_only_within

Point = tuple[float, float]
TOP, FLOW, BOTTOM = 0, 1, 2


@dataclass(frozen=True)
class Vertex:
    """A box to place: its size, its column (time order), band and the drafter's hints.

    ``floats``: a banded box that belongs to no column (timeless context) and may move to
    just before its first target, wherever that is.
    """

    id: str
    width: float
    height: float
    column: int
    band: int = FLOW
    rank: int | None = None
    pin: Point | None = None
    shape: str = "box"
    floats: bool = False


@dataclass(frozen=True)
class Spacing:
    """Gaps, in points: between boxes in a layer, between layers, around columns."""

    node: float = 14.0
    layer: float = 46.0
    column: float = 16.0
    band: float = 18.0
    waypoint: float = 7.0
    heading: float = 22.0


DEFAULT_SPACING = Spacing()


@dataclass(frozen=True)
class Route:
    """An arrow as a cubic Bezier chain ``p0 c c p1 c c p2 …`` and where its label sits."""

    points: tuple[Point, ...]
    tip: Point
    label: Point | None = None


@dataclass(frozen=True)
class Layout:
    """Box centres, arrow routes, each column's horizontal extent and the flow's top/bottom;
    ``origin`` is where a pinned position's (0, 0) ended up once the layout was framed."""

    width: float
    height: float
    centres: Mapping[str, Point]
    routes: Mapping[tuple[str, str], Route]
    columns: Mapping[int, tuple[float, float]] = field(default_factory=dict)
    flow: tuple[float, float] = (0.0, 0.0)
    origin: Point = (0.0, 0.0)


def layered_layout(
    vertices: Sequence[Vertex],
    arrows: Sequence[tuple[str, str]],
    labels: Mapping[tuple[str, str], tuple[float, float]],
    spacing: Spacing = DEFAULT_SPACING,
) -> Layout:
    """Lay out ``vertices`` and ``arrows``; ``labels`` gives each labelled arrow's text size."""
    by_id = {v.id: v for v in vertices}
    unknown = [a for arrow in arrows for a in arrow if a not in by_id]
    if unknown:
        raise ValueError(f"arrow end '{unknown[0]}' is not a vertex")
    floating = _floating(vertices, arrows)
    layer = _layers(vertices, arrows, floating)
    chains, layers = _waypoints(vertices, arrows, layer)
    band = {v.id: v.band for v in vertices}
    for arrow, chain in chains.items():
        for waypoint in chain[1:-1]:
            band[waypoint] = _arrow_band(by_id[arrow[0]], by_id[arrow[1]])
    rank = {v.id: v.rank for v in vertices if v.rank is not None}
    links = [pair for chain in chains.values() for pair in itertools.pairwise(chain)]
    ordered = _ordered(
        tuple(map(tuple, layers)), tuple(links), tuple(band.items()), tuple(rank.items())
    )
    layers = [list(items) for items in ordered]
    height = {
        item: by_id[item].height if item in by_id else spacing.waypoint
        for items in layers
        for item in items
    }
    x, extents = _columns_x(vertices, layers, layer, chains, labels, spacing, floating)
    y = _heights(layers, links, height, band, spacing, set(by_id))
    centres = {v.id: (x[layer[v.id]], y[v.id]) for v in vertices}
    centres.update({v.id: v.pin for v in vertices if v.pin is not None})
    flow_items = [i for items in layers for i in items if band[i] == FLOW]
    flow = (
        min((y[i] - height[i] / 2 for i in flow_items), default=0.0),
        max((y[i] + height[i] / 2 for i in flow_items), default=0.0),
    )
    routes = _routes(by_id, chains, centres, x, y, layer, labels, layers)
    return _framed(Layout(0.0, 0.0, centres, routes, extents, flow), by_id, spacing)


# Box sizes do not change the order, and a figure is laid out at several label widths.
@functools.lru_cache(maxsize=16)
def _ordered(layers, links, band, rank) -> tuple[tuple[str, ...], ...]:
    found = reduce_crossings(list(map(list, layers)), links, band=dict(band), rank=dict(rank))
    return tuple(map(tuple, found))


# -- 1. layers and waypoints ---------------------------------------------------------------


def _layers(
    vertices: Sequence[Vertex], arrows: Sequence[tuple[str, str]], floating: set[str]
) -> dict[str, int]:
    """Global layer of each vertex: columns in order, each as deep as its inner chains.

    A banded source (context above the flow) belongs to no column: it floats to the layer
    just before its first target, wherever that is, so its arrows drop in from above
    instead of running the width of the figure.
    """
    column = {v.id: v.column for v in vertices}
    inner = [
        (a, b)
        for a, b in arrows
        if column[a] == column[b] and a not in floating and b not in floating
    ]
    children, parents = adjacency(column, inner)
    try:
        order = list(TopologicalSorter(parents).static_order())
    except CycleError:
        raise ValueError("the arrows inside a column form a cycle") from None
    depth: dict[str, int] = {}
    for v in order:
        depth[v] = max((depth[p] + 1 for p in parents[v]), default=0)
    for v in reversed(order):  # sources move as late as their first target allows
        if not parents[v] and children[v]:
            depth[v] = min(depth[c] for c in children[v]) - 1
    deepest: dict[int, int] = {}
    for v in vertices:
        if v.id not in floating:
            deepest[v.column] = max(deepest.get(v.column, 0), depth[v.id])
    start, offset = 0, {}
    for c in sorted(deepest):
        offset[c] = start
        start += deepest[c] + 1
    layer = {v.id: offset[v.column] + depth[v.id] for v in vertices if v.id not in floating}
    targets: dict[str, list[str]] = {v: [] for v in floating}
    for a, b in arrows:
        if a in floating:
            targets[a].append(b)
    waiting = set(floating)
    while waiting:  # a floating cause goes just before its earliest effect, effects first
        for v in [v for v in waiting if not waiting & set(targets[v])]:
            layer[v] = min(layer[b] for b in targets[v]) - 1
            waiting.discard(v)
    lowest = min(layer.values(), default=0)
    return {v: k - min(lowest, 0) for v, k in layer.items()}


def _floating(vertices: Sequence[Vertex], arrows: Sequence[tuple[str, str]]) -> set[str]:
    """Floating (banded, timeless), unpinned vertices with arrows out whose causes all float
    too: exogenous context, and chains of it (see :func:`_layers`)."""
    causing = {a for a, _ in arrows}
    candidates = {
        v.id for v in vertices if v.floats and v.band != FLOW and v.pin is None and v.id in causing
    }
    return caused_only_within(candidates, adjacency((v.id for v in vertices), arrows)[1])


def _waypoints(vertices, arrows, layer):
    """Each arrow's chain of items (its ends and one waypoint per layer between), and the
    layers as lists of items in the vertices' given order."""
    layers: list[list[str]] = [[] for _ in range(max(layer.values(), default=-1) + 1)]
    for v in vertices:
        layers[layer[v.id]].append(v.id)
    pinned = {v.id for v in vertices if v.pin is not None}
    chains: dict[tuple[str, str], list[str]] = {}
    for a, b in arrows:
        if layer[b] <= layer[a] or a in pinned or b in pinned:
            chains[(a, b)] = [a, b]  # drawn directly, not through the layers
            continue
        chain = [a]
        for k in range(layer[a] + 1, layer[b]):
            waypoint = f"\0{a}\0{b}\0{k}"
            layers[k].append(waypoint)
            chain.append(waypoint)
        chains[(a, b)] = [*chain, b]
    return chains, layers


def _arrow_band(source: Vertex, target: Vertex) -> int:
    return source.band if source.band != FLOW else target.band


# -- 4. heights ----------------------------------------------------------------------------


def _heights(layers, links, height, band, spacing: Spacing, real: set[str]) -> dict[str, float]:
    """Vertical centre of every item: layers pulled towards their neighbours, then bands
    packed above and below the flow."""
    neighbours: dict[str, list[tuple[str, float]]] = {i: [] for items in layers for i in items}
    for a, b in links:
        weight = 1.0 if a in real and b in real else 2.0 if a in real or b in real else 8.0
        neighbours[a].append((b, weight))
        neighbours[b].append((a, weight))
    gap = {item: spacing.node if item in real else spacing.waypoint / 2 for item in height}
    y: dict[str, float] = {}
    for items in layers:
        top = 0.0
        for item in items:
            y[item] = top + height[item] / 2
            top += height[item] + gap[item]
        shift = top / 2
        for item in items:
            y[item] -= shift
    for sweep in range(8):
        order = layers if sweep % 2 == 0 else layers[::-1]
        for items in order:
            wanted, weights = [], []
            for item in items:
                near = neighbours[item]
                total = sum(w for _, w in near)
                wanted.append(sum(y[n] * w for n, w in near) / total if total else y[item])
                weights.append(total or 0.1)
            separation = [
                (height[a] + height[b]) / 2 + max(gap[a], gap[b])
                for a, b in itertools.pairwise(items)
            ]
            for item, value in zip(items, _ordered_fit(wanted, weights, separation), strict=True):
                y[item] = value
    flow = [i for items in layers for i in items if band[i] == FLOW]
    top = min((y[i] - height[i] / 2 for i in flow), default=0.0) - spacing.heading
    bottom = max((y[i] + height[i] / 2 for i in flow), default=0.0)
    for items in layers:
        edge = top - spacing.band
        for item in reversed([i for i in items if band[i] == TOP]):
            y[item] = edge - height[item] / 2
            edge -= height[item] + gap[item]
        edge = bottom + spacing.band
        for item in [i for i in items if band[i] == BOTTOM]:
            y[item] = edge + height[item] / 2
            edge += height[item] + gap[item]
    return y


def _ordered_fit(wanted: list[float], weights: list[float], separation: list[float]):
    """Positions closest to ``wanted`` (weighted least squares) that keep the order with at
    least ``separation`` between neighbours: isotonic regression by pooling adjacent
    violators, after subtracting the cumulative separation."""
    offset = [0.0]
    for s in separation:
        offset.append(offset[-1] + s)
    blocks: list[list[float]] = []  # [weighted mean, weight, count]
    for target, weight, base in zip(wanted, weights, offset, strict=True):
        blocks.append([target - base, weight, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            mean, w, n = blocks.pop()
            previous = blocks[-1]
            total = previous[1] + w
            previous[0] = (previous[0] * previous[1] + mean * w) / total
            previous[1], previous[2] = total, previous[2] + n
    fitted = [mean for mean, _, n in blocks for _ in range(n)]
    return [value + base for value, base in zip(fitted, offset, strict=True)]


# -- x, and the columns' extents -----------------------------------------------------------


def _columns_x(vertices, layers, layer, chains, labels, spacing: Spacing, floating: set[str]):
    """Centre x of each layer and each column's extent; a gap fits the labels placed in it."""
    width = [0.0] * len(layers)
    column_of = [0] * len(layers)
    for v in vertices:
        width[layer[v.id]] = max(width[layer[v.id]], v.width)
        if v.id not in floating:
            column_of[layer[v.id]] = v.column
    for k in range(1, len(layers)):  # a layer of floating context only: the column before
        if not any(i in layer and i not in floating for i in layers[k]):
            column_of[k] = column_of[k - 1]
    label_room = [0.0] * len(layers)
    for arrow, chain in chains.items():
        routed = len(chain) - 1 == layer[arrow[1]] - layer[arrow[0]]  # through the layers
        if arrow in labels and routed:
            gap = layer[arrow[0]] + (len(chain) - 2) // 2
            label_room[gap] = max(label_room[gap], labels[arrow][0] + 8)
    x, left = [], 0.0
    extents: dict[int, tuple[float, float]] = {}
    for k in range(len(layers)):
        if k and column_of[k] != column_of[k - 1]:
            left += 2 * spacing.column
        x.append(left + width[k] / 2)
        start = extents[column_of[k]][0] if column_of[k] in extents else left - spacing.column
        extents[column_of[k]] = (start, left + width[k] + spacing.column)
        left += width[k] + max(spacing.layer, label_room[k])
    return x, extents


# -- 5. arrows -----------------------------------------------------------------------------


def _routes(by_id, chains, centres, x, y, layer, labels, layers) -> dict:
    """Each arrow's curve: out of its source's right side, through its waypoints, into its
    target's left side; arrows at one side of a box are spread by where they go."""
    ports = _ports(by_id, chains, centres, y)
    placed = _Occupied()
    for v in by_id.values():
        cx, cy = centres[v.id]
        placed.add((cx - v.width / 2, cy - v.height / 2, cx + v.width / 2, cy + v.height / 2))
    half = [max((by_id[i].width for i in items if i in by_id), default=0.0) / 2 for items in layers]
    routes = {}
    for arrow, chain in chains.items():
        start, end = ports[(arrow, 0)], ports[(arrow, 1)]
        stops = [start]
        for k, waypoint in enumerate(chain[1:-1], layer[chain[0]] + 1):
            stops += [(x[k] - half[k], y[waypoint]), (x[k] + half[k], y[waypoint])]
        backward = end[0] <= start[0]
        tip_gap = 9.0 if not backward else -9.0
        stops.append((end[0] - tip_gap, end[1]))
        points = [stops[0]]
        for (x0, y0), (x1, y1) in itertools.pairwise(stops):
            reach = (x1 - x0) / 2 if not backward else 40.0
            points += [(x0 + reach, y0), (x1 - reach, y1), (x1, y1)]
        routes[arrow] = Route(tuple(points), end)
    # Labels last, so that each can keep clear of every other arrow's line as well.
    lines = _Occupied(cell=24.0)  # many small entries: small cells
    for arrow, route in routes.items():
        for point in sampled(route.points, 8):
            lines.add_point(*point, arrow)
    for arrow in [a for a in routes if a in labels]:
        spot = _label_spot(routes[arrow].points, labels[arrow], placed, lines, arrow)
        routes[arrow] = Route(routes[arrow].points, routes[arrow].tip, spot)
    return routes


def cubic_pieces(points: Sequence[Point]) -> list[Sequence[Point]]:
    """A route's points ``p0 c c p1 c c p2 …`` as its cubic pieces ``(p0 c c p1)``, …"""
    return [points[i : i + 4] for i in range(0, len(points) - 3, 3)]


class _Occupied:
    """Boxes already placed, bucketed on a coarse grid so a new label is checked only
    against its neighbours (a thousand-box map has thousands of labels)."""

    def __init__(self, cell: float = 96.0) -> None:
        self.cell = cell
        self.cells: dict[tuple[int, int], list[tuple[tuple[float, ...], object]]] = {}

    def _keys(self, box):
        c = self.cell
        for i in range(int(box[0] // c), int(box[2] // c) + 1):
            for j in range(int(box[1] // c), int(box[3] // c) + 1):
                yield (i, j)

    def add(self, box, owner: object = None) -> None:
        for key in self._keys(box):
            self.cells.setdefault(key, []).append((box, owner))

    def add_point(self, x: float, y: float, owner: object) -> None:
        key = (int(x // self.cell), int(y // self.cell))
        self.cells.setdefault(key, []).append(((x, y, x, y), owner))

    def clear(self, box, owner: object = None) -> bool:
        """Whether ``box`` meets nothing placed here, except what ``owner`` placed."""
        return not any(
            _overlap(box, other) and (owner is None or whose != owner)
            for key in self._keys(box)
            for other, whose in self.cells.get(key, ())
        )


def _ports(by_id, chains, centres, y) -> dict:
    """Where each arrow leaves its source (key (arrow, 0)) and enters its target (1)."""
    outgoing: dict[str, list[tuple[float, tuple]]] = {}
    incoming: dict[str, list[tuple[float, tuple]]] = {}

    def height_of(item: str) -> float:
        return centres[item][1] if item in centres else y[item]

    for arrow, chain in chains.items():
        outgoing.setdefault(chain[0], []).append((height_of(chain[1]), arrow))
        incoming.setdefault(chain[-1], []).append((height_of(chain[-2]), arrow))
    ports = {}
    for side, groups in ((0, outgoing), (1, incoming)):
        for vertex, arrows in groups.items():
            box, (cx, cy) = by_id[vertex], centres[vertex]
            arrows.sort()
            spread = box.height * 0.3
            for i, (_, arrow) in enumerate(arrows):
                dy = 0.0 if len(arrows) == 1 else spread * (2 * i / (len(arrows) - 1) - 1)
                reach = _boundary(box, dy)
                forward = centres[arrow[1]][0] > centres[arrow[0]][0]
                sign = (1 if side == 0 else -1) * (1 if forward else -1)
                ports[(arrow, side)] = (cx + sign * reach, cy + dy)
    return ports


def _boundary(box: Vertex, dy: float) -> float:
    """Horizontal distance from a box's centre to its outline at height ``dy``."""
    half_w, half_h = box.width / 2, box.height / 2
    share = min(1.0, abs(dy) / half_h) if half_h else 0.0
    if box.shape == "ellipse":
        return half_w * math.sqrt(max(0.0, 1 - share * share))
    if box.shape in ("diamond", "hexagon", "octagon"):
        corner = 1.0 if box.shape == "diamond" else 0.3
        return half_w * (1 - corner * share)
    if box.shape in ("parallelogram", "trapezium"):
        return half_w - 0.18 * box.height * share
    return half_w


def _label_spot(points, size, placed: _Occupied, lines: _Occupied, arrow) -> Point:
    """A point just beside the arrow's middle curve (or another of its curves): the first
    clear of boxes, labels and other arrows' lines, else the first clear of boxes and labels,
    else the middle."""
    w, h = size
    segments = cubic_pieces(points)
    middle = (len(segments) - 1) // 2
    order = sorted(range(len(segments)), key=lambda s: (abs(s - middle), s))[:5]
    boxes = []
    for s in order:
        for t in (0.5, 0.35, 0.65, 0.2, 0.8):
            px, py = bezier_point(segments[s], t)
            for lift in (-h / 2 - 1, h / 2 + 1):
                boxes.append((px - w / 2, py + lift - h / 2, px + w / 2, py + lift + h / 2))
    unhidden = [b for b in boxes if placed.clear(b)]
    best = next((b for b in unhidden if lines.clear(b, owner=arrow)), None)
    chosen = best or (unhidden[0] if unhidden else boxes[0])
    placed.add(chosen)
    return ((chosen[0] + chosen[2]) / 2, (chosen[1] + chosen[3]) / 2)


def sampled(points: Sequence[Point], steps: int) -> list[Point]:
    """Points along a route ``p0 c c p1 …``: its start, then ``steps`` per cubic piece."""
    return list(points[:1]) + [
        bezier_point(piece, k / steps)
        for piece in cubic_pieces(points)
        for k in range(1, steps + 1)
    ]


def bezier_point(p: Sequence[Point], t: float) -> Point:
    """The point at ``t`` (0 to 1) of the cubic piece ``p``."""
    s = 1 - t
    return (
        s**3 * p[0][0] + 3 * s * s * t * p[1][0] + 3 * s * t * t * p[2][0] + t**3 * p[3][0],
        s**3 * p[0][1] + 3 * s * s * t * p[1][1] + 3 * s * t * t * p[2][1] + t**3 * p[3][1],
    )


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


# -- framing -------------------------------------------------------------------------------


def _framed(layout: Layout, by_id, spacing: Spacing) -> Layout:
    """The layout moved so that everything starts at a margin from (0, 0)."""
    xs, ys = [], []
    for vid, (cx, cy) in layout.centres.items():
        v = by_id[vid]
        xs += [cx - v.width / 2, cx + v.width / 2]
        ys += [cy - v.height / 2, cy + v.height / 2]
    for route in layout.routes.values():
        xs += [p[0] for p in route.points]
        ys += [p[1] for p in route.points]
    for a, b in layout.columns.values():
        xs += [a, b]
    ys += [layout.flow[0] - spacing.heading - spacing.column, layout.flow[1] + spacing.column]
    margin = 8.0
    dx, dy = margin - min(xs, default=0.0), margin - min(ys, default=0.0)

    def moved(p: Point) -> Point:
        return (p[0] + dx, p[1] + dy)

    return Layout(
        width=max(xs, default=0.0) + dx + margin,
        height=max(ys, default=0.0) + dy + margin,
        centres={k: moved(p) for k, p in layout.centres.items()},
        routes={
            k: Route(
                tuple(moved(p) for p in r.points), moved(r.tip), moved(r.label) if r.label else None
            )
            for k, r in layout.routes.items()
        },
        columns={c: (a + dx, b + dx) for c, (a, b) in layout.columns.items()},
        flow=(layout.flow[0] + dy, layout.flow[1] + dy),
        origin=moved(layout.origin),
    )
