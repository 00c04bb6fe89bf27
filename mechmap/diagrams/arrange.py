"""Where a map's boxes go: its vertices as sized boxes in time-ordered columns and bands.

This is the map-specific half of the layout; :mod:`.layout` does the geometry. A wave is a
column, in the waves' order. A timeless vertex sits before the waves when it is context or a
strategy that nothing timed leads to, after them when it is an outcome that leads to nothing
timed, and otherwise in the column of the latest wave that leads to it. Exogenous context,
determinants and confounders travel in a band above the flow. The drafter's ``layout:``
hints (an ``order``, a ``band``, a pinned ``pos``) override all of these.

>>> import mechmap
>>> m = mechmap.loads("mechmap: 1\\nid: m\\ntitle: M\\nnodes: {a: {}, b: {}}\\nedges: [a -> b]")
>>> arranged = arrange(m, ["a", "b"], [("a", "b")], font=10, wrap_at=22, labels={})
>>> arranged.layout.centres["a"][0] < arranged.layout.centres["b"][0]
True
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mechmap.diagrams.layout import (
    BOTTOM,
    DEFAULT_SPACING,
    FLOW,
    TOP,
    Layout,
    Spacing,
    Vertex,
    layered_layout,
)
from mechmap.diagrams.textsize import LINE_HEIGHT, text_box, wrap
from mechmap.mapfile.graphs import adjacency, caused_only_within, reachable
from mechmap.model import OUTCOME_ROLES, STRATEGY_ROLES, Edge, Map

SHAPES: dict[str, str] = {
    "strategy": "box",
    "component": "box",
    "actor": "tab",
    "determinant": "hexagon",
    "context": "parallelogram",
    "precondition": "trapezium",
    "moderator": "diamond",
    "mechanism": "ellipse",
    "proximal_outcome": "box",
    "implementation_outcome": "box",
    "service_outcome": "box",
    "clinical_outcome": "box",
    "confounder": "octagon",
    "other": "box",
}
_BEFORE_WAVES = frozenset(
    {"context", "determinant", "precondition", "actor", "moderator", "confounder"} | STRATEGY_ROLES
)
_BANDED = frozenset({"context", "determinant", "confounder"})
# Distal outcomes get a double border; a proximal outcome is drawn like a mechanism's result.
DOUBLE_BORDERED = frozenset(OUTCOME_ROLES - {"proximal_outcome"})
_BANDS = {"top": TOP, "bottom": BOTTOM, "flow": FLOW}


@dataclass(frozen=True)
class Arranged:
    """The layout of a map's drawing, with each vertex's wrapped label and shape."""

    layout: Layout
    labels: Mapping[str, str]
    shapes: Mapping[str, str]
    sizes: Mapping[str, tuple[float, float]]
    columns: Mapping[int, str | None]  # column -> wave id (None: before or after the waves)
    column: Mapping[str, int]  # vertex -> its column


def concept(m: Map, vertex: str) -> str:
    """The node a drawn vertex belongs to (a variable's node, or the node itself)."""
    return m.variable_info[vertex].node.id if vertex in m.variable_info else vertex


def wave_of(m: Map, vertex: str) -> str | None:
    """The wave whose column a vertex belongs in (a rolled-up node: its first wave)."""
    if vertex in m.variable_info:
        return m.variable_info[vertex].wave
    node = m.node_by_id[vertex]
    return node.wave or (node.waves[0] if node.waves else None)


def drawn_graph(m: Map, rolled_up: bool) -> tuple[list[str], list[tuple[str, str]]]:
    """The vertices and arrows a drawing shows: variables and links, or (rolled up) nodes and
    the arrows between them."""
    if rolled_up:
        return [n.id for n in m.nodes], list(m.rolled_up())
    return list(m.variables), [(x.source, x.target) for x in m.links]


def arrow_edges(m: Map, arrow: tuple[str, str], rolled_up: bool) -> list[Edge]:
    """The declared edges a drawn arrow stands for: one, none (a carry arrow) or, rolled up,
    every declared edge between its two concepts."""
    if rolled_up:
        return [
            e for e in m.edges if (e.source.partition("@")[0], e.target.partition("@")[0]) == arrow
        ]
    return [e] if (e := m.edge_of[arrow]) is not None else []


def is_measurement_arrow(m: Map, arrow: tuple[str, str], rolled_up: bool) -> bool:
    """Drawn as a measurement arrow: every edge it stands for has ``kind: measurement``
    (a rolled-up arrow that also holds a causal edge is drawn as causal)."""
    edges = arrow_edges(m, arrow, rolled_up)
    return bool(edges) and all(e.is_measurement for e in edges)


def arrow_verdict(m: Map, arrow: tuple[str, str], rolled_up: bool) -> str | None:
    """The expert panel's verdict on a drawn arrow (``consensus:``), or ``None`` if unrated.

    A rolled-up arrow whose edges the panel judged differently is ``uncertain``.
    """
    verdicts = {e.consensus.verdict for e in arrow_edges(m, arrow, rolled_up) if e.consensus}
    if not verdicts:
        return None
    return verdicts.pop() if len(verdicts) == 1 else "uncertain"


# The badge an arrow's label gets for the panel's verdict (include needs none: a heavy line).
VERDICT_BADGES = {"uncertain": "≈", "exclude": "\u00d7"}  # glyphs every drawing font has


def arrow_words(m: Map, arrow: tuple[str, str], rolled_up: bool, extra: str | None = None) -> str:
    """An arrow's label: its figure number(s) and sign(s), a badge for an expert panel's
    verdict, then any words added to it.

    A rolled-up arrow stands for every declared edge between its two concepts, so it shows
    all of their numbers and signs.
    """
    edges = arrow_edges(m, arrow, rolled_up)
    numbers = sorted(
        {f"#{e.arrow}" for e in edges if e.arrow is not None}, key=lambda n: (len(n), n)
    )
    signs = sorted({e.sign for e in edges if e.sign is not None})
    badge = VERDICT_BADGES.get(arrow_verdict(m, arrow, rolled_up) or "", "")
    return " ".join(w for w in [*numbers, "/".join(signs), badge, extra or ""] if w)


def vertex_label(m: Map, vertex: str, wrap_at: int) -> str:
    """A vertex's label as drawn: wrapped, with its wave (or, rolled up, its waves)."""
    node = m.node_by_id[concept(m, vertex)]
    label = wrap(node.label, wrap_at)
    if node.waves:
        label += (
            f"\n@{wave_of(m, vertex)}"
            if vertex in m.variable_info
            else (f"\n({', '.join(node.waves)})")
        )
    return label


def box_size(
    shape: str, label: str, font: float, double: bool, pad: float = 0.8
) -> tuple[float, float]:
    """Width and height of a node's outline around its label (points); ``pad`` is the room
    between label and outline, in font sizes."""
    width, height = text_box(label, font)
    pad = font * pad
    if shape == "ellipse":
        width, height = width * 1.2 + 2 * pad, height * 1.3 + pad
    elif shape == "diamond":
        width, height = width * 1.5 + 2 * pad, height * 1.7 + pad
    elif shape in ("parallelogram", "trapezium"):
        width, height = width + height * 0.5 + 2 * pad, height + pad
    elif shape in ("hexagon", "octagon"):
        width, height = width + 3 * pad, height + pad
    else:
        width, height = width + 2 * pad, height + pad * (1.6 if shape == "tab" else 1)
    extra = 8 if double else 0
    return width + extra, max(height, font * LINE_HEIGHT + pad) + extra


def columns_of(m: Map, vertices: Sequence[str], arrows: Sequence[tuple[str, str]]):
    """Column of each vertex (0 before the waves, 1..W the waves, W+1 after them)."""
    wave_column = {w.id: i + 1 for i, w in enumerate(m.waves)}
    if not wave_column:
        return dict.fromkeys(vertices, 0)
    children, parents = adjacency(vertices, arrows)
    column = {v: wave_column[w] for v in vertices if (w := wave_of(m, v)) is not None}
    timed = set(column)
    last = len(wave_column) + 1
    for v in vertices:
        if v in timed:
            continue
        role = m.node_by_id[concept(m, v)].role
        before = [column[u] for u in reachable(parents, [v]) - {v} if u in timed]
        after = [column[u] for u in reachable(children, [v]) - {v} if u in timed]
        if not before and role in _BEFORE_WAVES:
            column[v] = 0
        elif not after and role in OUTCOME_ROLES:
            column[v] = last
        else:
            column[v] = max(before) if before else min(after, default=0)
    return column


def arrange(
    m: Map,
    vertices: Sequence[str],
    arrows: Sequence[tuple[str, str]],
    *,
    font: float,
    wrap_at: int,
    labels: Mapping[tuple[str, str], str],
    edge_font: float | None = None,
    spacing: Spacing = DEFAULT_SPACING,
    box_pad: float = 0.8,
) -> Arranged:
    """Lay out the drawn ``vertices`` and ``arrows`` of ``m`` (see the module docstring)."""
    column = columns_of(m, vertices, arrows)
    banded = _exogenous_context(m, vertices, arrows)
    boxes, texts, shapes, sizes = [], {}, {}, {}
    for v in vertices:
        node = m.node_by_id[concept(m, v)]
        hint = m.placement(v)
        shape = SHAPES[node.role]
        text = vertex_label(m, v, wrap_at)
        width, height = box_size(shape, text, font, node.role in DOUBLE_BORDERED, box_pad)
        band = TOP if v in banded else FLOW
        if hint is not None and hint.band is not None:
            band = _BANDS[hint.band]
        boxes.append(
            Vertex(
                v,
                width,
                height,
                column[v],
                band,
                rank=None if hint is None else hint.order,
                pin=None if hint is None or hint.pos is None else tuple(hint.pos),
                shape=shape,
                floats=wave_of(m, v) is None,
            )
        )
        texts[v], shapes[v], sizes[v] = text, shape, (width, height)
    label_sizes = {a: text_box(t, edge_font or font) for a, t in labels.items() if t}
    layout = layered_layout(_spread_pins(boxes), arrows, label_sizes, spacing)
    waves = {i + 1: w.id for i, w in enumerate(m.waves)}
    columns = {c: waves.get(c) for c in layout.columns}
    return Arranged(layout, texts, shapes, sizes, columns, column)


def _exogenous_context(m: Map, vertices, arrows) -> set[str]:
    """Context, determinants and confounders caused by nothing but such context: the
    vertices that travel in the band above the flow unless a hint says otherwise."""
    kind = {v for v in vertices if m.node_by_id[concept(m, v)].role in _BANDED}
    return caused_only_within(kind, adjacency(vertices, arrows)[1])


def _spread_pins(boxes: list[Vertex]) -> list[Vertex]:
    """Pinned boxes, their positions scaled up together until no two overlap.

    DAGitty's coordinates are often a few units apart, far closer than two labelled boxes;
    one common factor keeps the drafter's arrangement while making it legible.
    """
    pinned = [b for b in boxes if b.pin is not None]
    factor = 1.0
    for i, a in enumerate(pinned):
        for b in pinned[i + 1 :]:
            dx, dy = abs(a.pin[0] - b.pin[0]), abs(a.pin[1] - b.pin[1])
            need_x = (a.width + b.width) / 2 + 10
            need_y = (a.height + b.height) / 2 + 10
            fits = min(need_x / dx if dx else float("inf"), need_y / dy if dy else float("inf"))
            factor = max(factor, min(fits, 50.0))
    if factor == 1.0:
        return boxes
    return [
        b if b.pin is None else dataclasses.replace(b, pin=(b.pin[0] * factor, b.pin[1] * factor))
        for b in boxes
    ]
