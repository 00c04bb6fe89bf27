"""Drawing a map: what is drawn (focus, highlight, teaching steps), laid out by mechmap,
written as positioned DOT and drawn by Graphviz as SVG, PNG or PDF.

Waves are columns from left to right in time order (:mod:`.arrange`, :mod:`.layout`).
Shapes tell roles apart and the fills come from the Okabe-Ito palette (:mod:`.style`), so
the diagram reads for colour-blind readers and in greyscale. Labels are always DOT-quoted
and escaped, so no label can inject DOT or SVG. Each box's SVG ``<title>`` is its variable
id (``screening@impl``) and its ``id`` is generated (``n3``; arrows ``e7``, waves
``wave-0``), for viewers and tests.

>>> import mechmap
>>> m = mechmap.loads("mechmap: 1\\nid: m\\ntitle: M\\nnodes: {a: {}, b: {}}\\nedges: [a -> b]")
>>> print(draw(m, legend="none").dot.splitlines()[0])
digraph "m" {
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from mechmap.diagrams.arrange import Arranged, arrange, arrow_words, drawn_graph
from mechmap.diagrams.dotwriter import scene_dot
from mechmap.diagrams.engines import RendererMissing, engines, run_engine
from mechmap.diagrams.layout import Spacing
from mechmap.diagrams.legend import Legend, legend_for
from mechmap.diagrams.style import DIMMED, HIGHLIGHT, THEMES, Theme
from mechmap.diagrams.textsize import text_box, wrap
from mechmap.mapfile.graphs import adjacency, reachable
from mechmap.model import Map

__all__ = [
    "DIMMED",
    "FORMATS",
    "HIGHLIGHT",
    "LEGENDS",
    "Drawing",
    "RendererMissing",
    "draw",
    "engines",
    "render",
    "run_engine",
    "to_dot",
]
FORMATS = ("svg", "png", "pdf", "dot")
LEGENDS = ("compact", "none", "only")


@dataclass(frozen=True)
class Drawing:
    """Positioned DOT text plus the generated ids its SVG will carry, for viewers and tests.

    ``node_ids`` maps each drawn vertex (a variable, or a concept when rolled up) to its id;
    ``edge_ids`` maps each drawn arrow (cause, effect) to its id; ``size`` is the figure's
    width and height in points. ``centres`` is where each vertex's box is centred in the
    figure (points, y down, as the SVG's user units) and ``origin`` where a pinned ``pos``
    of ``[0, 0]`` is drawn: a box pinned at ``pos`` has its centre at ``origin + pos``.
    """

    dot: str
    node_ids: Mapping[str, str] = field(default_factory=dict)
    edge_ids: Mapping[tuple[str, str], str] = field(default_factory=dict)
    size: tuple[float, float] = (0.0, 0.0)
    centres: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    origin: tuple[float, float] = (0.0, 0.0)


def draw(
    m: Map,
    *,
    highlight: Sequence[str] = (),
    focus: str | None = None,
    depth: int | None = None,
    rolled_up: bool = False,
    theme: str = "print",
    revealed: int | None = None,
    current: int | None = None,
    legend: str = "compact",
    title: str | None = None,
    caption: str | None = None,
    width: float | None = None,
    edge_colors: Mapping[tuple[str, str], str] | None = None,
    edge_labels: Mapping[tuple[str, str], str] | None = None,
    node_fill: Mapping[str, str] | None = None,
    edge_width: Mapping[tuple[str, str], float] | None = None,
    key_notes: Sequence[str] = (),
) -> Drawing:
    """The map as positioned DOT: waves as columns, role shapes, arrow numbers, a legend.

    ``highlight``: variables of a path to show in full colour (the rest dimmed);
    ``focus``: a node (or variable) whose neighbourhood alone is drawn: its ancestors and
    descendants, or only those within ``depth`` arrows;
    ``rolled_up``: one vertex per concept instead of one per time-indexed copy;
    ``revealed``: draw only the first ``revealed`` teaching steps in colour (the others
    faint), and ``current``: the step whose arrows stand out (thick, vermillion);
    ``legend``: ``compact`` (a key below the map), ``none``, or ``only`` (the key alone);
    ``title``/``caption``: text above and below (default title: the map's);
    ``width``: the figure's width in points (a journal column), scaled to fit;
    ``edge_colors``: a colour for some arrows (cause, effect), such as a tested path's arrows
    coloured by their result; they are drawn thick in that colour and never dimmed;
    ``edge_labels``: words added to those arrows' labels, because colour alone does not reach
    every reader (colour-blind, greyscale print);
    ``node_fill``: a fill colour for some vertices in place of their role's (such as each
    node's contribution to a change), and ``edge_width``: a line width in points for some
    arrows (such as their strength); ``key_notes``: lines added to the key saying what those
    fills and widths mean.
    """
    style = THEMES[theme]
    if legend not in LEGENDS:
        raise ValueError(f"legend must be one of {', '.join(LEGENDS)}, not '{legend}'")
    vertices, arrows = drawn_graph(m, rolled_up)
    edge_colors, edge_labels = edge_colors or {}, edge_labels or {}
    node_fill, edge_width = node_fill or {}, edge_width or {}
    strangers = (set(edge_colors) | set(edge_labels) | set(edge_width)) - set(arrows)
    if strangers:
        a, b = sorted(strangers)[0]
        raise ValueError(f"cannot colour {a} -> {b}: the map draws no such arrow")
    unknown = set(node_fill) - set(vertices)
    if unknown:
        raise ValueError(f"cannot fill {sorted(unknown)[0]}: the map draws no such node")
    if focus is not None:
        vertices, arrows = _focused(m, vertices, arrows, focus, rolled_up, depth)
    node_ids = {v: f"n{i}" for i, v in enumerate(vertices)}
    edge_ids = {a: f"e{i}" for i, a in enumerate(arrows)}
    words = {a: arrow_words(m, a, rolled_up, edge_labels.get(a)) for a in arrows}
    key = legend_for(m, vertices, arrows, rolled_up, style, key_notes)
    if legend == "only":
        vertices, arrows = [], []
    heading = m.title if title is None else title
    scene = _best_scene(
        m, vertices, arrows, words, style, heading, caption, key if legend != "none" else None
    )
    looks = _Looks(
        m,
        rolled_up,
        style,
        highlight,
        revealed,
        current,
        edge_colors,
        vertices,
        arrows,
        node_fill,
        edge_width,
    )
    lines = scene_dot(scene, m, looks, node_ids, edge_ids, words, width)
    ox, oy = scene.offset
    layout = scene.arranged.layout if scene.arranged else None
    centres = {v: (x + ox, y + oy) for v, (x, y) in (layout.centres if layout else {}).items()}
    origin = (layout.origin[0] + ox, layout.origin[1] + oy) if layout else scene.offset
    return Drawing(
        "\n".join(lines) + "\n",
        node_ids,
        edge_ids,
        (scene.width, scene.height),
        centres,
        origin,
    )


def to_dot(m: Map, **options: object) -> str:
    """Positioned DOT text of the map (see :func:`draw` for the options)."""
    return draw(m, **options).dot  # type: ignore[arg-type]


def render(m: Map, fmt: str, **options: object) -> bytes:
    """The map drawn in ``fmt`` (svg, png, pdf or dot)."""
    drawing = draw(m, **options)  # type: ignore[arg-type]
    if fmt == "dot":
        return drawing.dot.encode("utf-8")
    return run_engine(drawing.dot, fmt)


def layout_positions(m: Map) -> dict[str, tuple[float, float]]:
    """Where the layout puts each variable's centre (points, y up), e.g. for DAGitty's ``pos``."""
    vertices, arrows = drawn_graph(m, False)
    style = THEMES["print"]
    arranged = _arranged(m, vertices, arrows, {}, style, style.wrap_at[0])
    height = arranged.layout.height
    return {v: (x, height - y) for v, (x, y) in arranged.layout.centres.items()}


# -- what is drawn -----------------------------------------------------------------------


def _focused(m, vertices, arrows, focus, rolled_up, depth):
    node = m.node_by_id.get(focus.partition("@")[0])
    if node is None:
        from mechmap.diagnostics import did_you_mean

        raise ValueError(f"--focus: unknown node '{focus}'{did_you_mean(focus, m.node_by_id)}")
    if depth is not None and depth < 1:
        raise ValueError("--depth must be at least 1")
    if rolled_up:
        starts = [node.id]
    elif "@" in focus:
        try:
            starts = [m.names.resolve(focus)]  # one copy: said as the map's names say it
        except ValueError as exc:
            raise ValueError(f"--focus: {exc}") from None
    else:
        starts = list(node.variables)
    children, parents = adjacency(vertices, arrows)
    keep = reachable(children, starts, depth) | reachable(parents, starts, depth)
    return [v for v in vertices if v in keep], [
        (a, b) for a, b in arrows if a in keep and b in keep
    ]


@dataclass(frozen=True)
class _Looks:
    """What is in full colour, what stands out, what is faint."""

    m: Map
    rolled_up: bool
    style: Theme
    highlight: Sequence[str]
    revealed: int | None
    current: int | None
    edge_colors: Mapping[tuple[str, str], str]
    vertices: Sequence[str]
    arrows: Sequence[tuple[str, str]]
    node_fill: Mapping[str, str] = field(default_factory=dict)
    edge_width: Mapping[tuple[str, str], float] = field(default_factory=dict)

    def lit(self) -> tuple[set[str], set[tuple[str, str]], set[tuple[str, str]]]:
        """Vertices and arrows in colour, and the arrows that stand out."""
        if self.highlight:
            path = list(self.highlight)
            lit, strong = set(path), set(itertools.pairwise(path))
            return (
                lit | {v for a in self.edge_colors for v in a},
                strong | set(self.edge_colors),
                strong | set(self.edge_colors),
            )
        if self.revealed is not None:
            steps = self.m.teaching_steps()
            shown = {link for step in steps[: self.revealed] for link in step.edge.links}
            strong = set()
            if self.current is not None and 1 <= self.current <= len(steps):
                strong = set(steps[self.current - 1].edge.links)
            return {v for a in shown | strong for v in a}, shown | strong, strong
        return set(self.vertices), set(self.arrows), set(self.edge_colors)


# -- the scene: layout plus title, legend and caption --------------------------------------


@dataclass(frozen=True)
class _Scene:
    arranged: Arranged | None
    legend: Legend | None
    heading: str
    caption: str
    font: float
    width: float
    height: float
    offset: tuple[float, float]  # where the map's layout starts
    legend_at: tuple[float, float]
    caption_at: float
    title_height: float


def _arranged(m, vertices, arrows, words, style: Theme, wrap_at: int) -> Arranged:
    return _arranged_once(m, tuple(vertices), tuple(arrows), tuple(words.items()), style, wrap_at)


# A teaching deck draws the same map once per step with other colours only: lay it out once.
@functools.lru_cache(maxsize=32)
def _arranged_once(m, vertices, arrows, words, style: Theme, wrap_at: int) -> Arranged:
    f = style.font
    spacing = Spacing(
        node=f * 1.3,
        layer=f * style.layer_gap,
        column=f * 1.0,
        band=f * 1.6,
        waypoint=f * 0.6,
        heading=f * 2.4,
    )
    return arrange(
        m,
        vertices,
        arrows,
        font=f,
        wrap_at=wrap_at,
        labels=dict(words),
        edge_font=style.edge_font,
        spacing=spacing,
        box_pad=style.box_pad,
    )


def _best_scene(m, vertices, arrows, words, style: Theme, heading, caption, key) -> _Scene:
    """The scene for each label width the theme allows; the most legible one (largest type
    once the whole figure fits the theme's page or screen), on a slide padded to its shape."""
    scenes = []
    for wrap_at in style.wrap_at if len(vertices) <= 300 else style.wrap_at[:1]:
        arranged = _arranged(m, vertices, arrows, words, style, wrap_at) if vertices else None
        scenes.append(_scene(arranged, key, heading, caption or "", style))
    fw, fh = style.fit
    best = max(scenes, key=lambda s: min(fw / s.width, fh / s.height))
    if style.screen is None:
        return best
    return _padded(best, style.screen)


def _scene(arranged, key, heading: str, caption: str, style: Theme) -> _Scene:
    f = style.font
    map_w = arranged.layout.width if arranged else 0.0
    map_h = arranged.layout.height if arranged else 0.0
    key_w, key_h = (key.width, key.height) if key else (0.0, 0.0)
    width = max(map_w, key_w, 200.0)
    # Every text is sized here and drawn at that size, so the figure is exactly its frame.
    title_text = wrap(heading, max(30, int(width / (f * 0.72)))) if heading else ""
    title_w, title_h = text_box(title_text, f * 1.3) if title_text else (0.0, 0.0)
    width = max(width, title_w + f)
    title_h = title_h + f * 0.6 if title_text else f * 0.5
    caption_text = wrap(caption, max(30, int(width / (f * 0.62)))) if caption else ""
    caption_h = text_box(caption_text, f * 1.2)[1] + f if caption_text else 0.0
    offset = ((width - map_w) / 2, title_h)
    legend_at = ((width - key_w) / 2, title_h + map_h + (f * 0.5 if key else 0.0))
    caption_at = legend_at[1] + key_h + (f * 0.5 if caption_text else 0.0)
    height = caption_at + caption_h + f * 0.3
    return _Scene(
        arranged,
        key,
        title_text,
        caption_text,
        f,
        width,
        height,
        offset,
        legend_at,
        caption_at,
        title_h,
    )


def _padded(scene: _Scene, screen: tuple[int, int]) -> _Scene:
    """The scene in a frame of the screen's shape: the title stays at the top and the
    caption goes to the bottom, the map and its key centred between them."""
    scale = max(scene.width / screen[0], scene.height / screen[1])
    width, height = screen[0] * scale, screen[1] * scale
    dx, dy = (width - scene.width) / 2, (height - scene.height) / 2
    return dataclasses.replace(
        scene,
        width=width,
        height=height,
        offset=(scene.offset[0] + dx, scene.offset[1] + dy),
        legend_at=(scene.legend_at[0] + dx, scene.legend_at[1] + dy),
        caption_at=scene.caption_at + 2 * dy,
    )
