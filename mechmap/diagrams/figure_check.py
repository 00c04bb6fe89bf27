"""Measuring a drawn figure: arrow crossings, label distances, type size, shape.

These read the SVG that Graphviz drew, not the layout mechmap asked for, so they measure
what a reader sees. A crossing is a pair of arrows that share no end box and whose drawn
curves intersect (arrowheads left out); a label's distance is from the centre of its text
to the nearest point of its own curve.

>>> import mechmap
>>> from mechmap.diagrams.render import render
>>> m = mechmap.loads("mechmap: 1\\nid: m\\ntitle: M\\nnodes: {a: {}, b: {}}\\n"
...                   "edges: [{from: a, to: b, arrow: 1}]")
>>> check = check_figure(render(m, "svg"))
>>> check.crossings, check.label_distances["a->b"] < 10
(0, True)
"""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass

from mechmap.diagrams.layout import sampled
from mechmap.diagrams.textsize import text_width

_SVG = "{http://www.w3.org/2000/svg}"
_SCALE = re.compile(r"scale\(([\d.]+)")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")
_STEPS = 16  # points sampled along each cubic piece


@dataclass(frozen=True)
class FigureCheck:
    """What a drawn map measures: crossings, each label's distance from its arrow (by
    ``a->b``), the labels and wave headings (by id) that another arrow's line runs through,
    the figure's size in points and its node labels' font sizes as drawn (in the figure's
    units, after any scaling)."""

    crossings: int
    crossing_pairs: tuple[tuple[str, str], ...]
    label_distances: Mapping[str, float]
    labels_crossed: tuple[str, ...]
    headings_crossed: tuple[str, ...]
    width: float
    height: float
    node_font_sizes: tuple[float, ...]
    node_titles: tuple[str, ...]


def check_figure(svg: bytes | str) -> FigureCheck:
    """Measure an SVG drawn by :func:`mechmap.diagrams.render.render`."""
    root = ET.fromstring(svg if isinstance(svg, bytes) else svg.encode("utf-8"))
    view = [float(v) for v in root.get("viewBox", "0 0 0 0").split()]
    # Graphviz scales a sized drawing with a transform on its top group, not in the numbers.
    top = root.find(f"{_SVG}g")
    scaled = _SCALE.search(top.get("transform", "") if top is not None else "")
    factor = float(scaled.group(1)) if scaled else 1.0
    curves: dict[str, tuple[str, str, list[tuple[float, float]]]] = {}
    distances: dict[str, float] = {}
    label_boxes: dict[str, tuple[float, float, float, float]] = {}
    heading_boxes: dict[str, tuple[float, float, float, float]] = {}
    titles, sizes = [], []
    for group in root.iter(f"{_SVG}g"):
        # The first class says what the group is; more may follow ("edge measurement").
        kind = (group.get("class") or "").partition(" ")[0]
        title = group.findtext(f"{_SVG}title") or ""
        heading = group.find(f"{_SVG}text")
        if kind == "cluster" and group.get("id", "").startswith("wave-") and heading is not None:
            heading_boxes[group.get("id")] = _text_box(heading)
        if kind == "node" and group.get("id", "").startswith("n"):
            titles.append(title)
            sizes += [factor * float(t.get("font-size", "0")) for t in group.iter(f"{_SVG}text")]
        if kind != "edge" or ">" not in title:
            continue
        cut = title.index(">")
        path = group.find(f"{_SVG}path")
        if path is None:
            continue
        points = _sampled(path.get("d", ""))
        curves[title] = (title[: cut - 1], title[cut + 1 :], points)
        text = group.find(f"{_SVG}text")
        if text is not None and points:
            size = float(text.get("font-size", "10"))
            x, y = float(text.get("x", "0")), float(text.get("y", "0")) - size * 0.35
            distances[title] = min(_to_segment((x, y), p, q) for p, q in _pieces(points))
            label_boxes[title] = _text_box(text)
    pairs = []
    names = sorted(curves)
    for i, first in enumerate(names):
        a1, b1, line1 = curves[first]
        box1 = _bounds(line1)
        for second in names[i + 1 :]:
            a2, b2, line2 = curves[second]
            if {a1, b1} & {a2, b2} or not _touch(box1, _bounds(line2)):
                continue
            if _polylines_cross(line1, line2):
                pairs.append((first, second))
    return FigureCheck(
        len(pairs),
        tuple(pairs),
        distances,
        _run_through(label_boxes, curves),
        _run_through(heading_boxes, curves),
        view[2],
        view[3],
        tuple(sizes),
        tuple(titles),
    )


def _text_box(text) -> tuple[float, float, float, float]:
    """The box a ``<text>`` element's line of type covers (centre x; y is its baseline)."""
    size = float(text.get("font-size", "10"))
    x, y = float(text.get("x", "0")), float(text.get("y", "0")) - size * 0.35
    half = text_width(text.text or "", size) / 2
    return (x - half, y - size * 0.4, x + half, y + size * 0.4)


def _run_through(boxes, curves) -> tuple[str, ...]:
    """The boxes (by key) that an arrow other than the box's own runs through."""
    return tuple(
        sorted(
            key
            for key, box in boxes.items()
            if any(
                other != key and any(_inside(p, box) for p in line)
                for other, (_, _, line) in curves.items()
            )
        )
    )


def _inside(point, box) -> bool:
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


def _sampled(d: str) -> list[tuple[float, float]]:
    """Points along a Graphviz path ``Mx,yCx,y x,y x,y …`` (cubic pieces)."""
    numbers = [float(v) for v in _NUMBER.findall(d)]
    return sampled(list(zip(numbers[0::2], numbers[1::2], strict=False)), _STEPS)


def _pieces(points):
    return itertools.pairwise(points)


def _bounds(points):
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _touch(a, b) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _polylines_cross(first, second) -> bool:
    for p, q in _pieces(first):
        box = (min(p[0], q[0]), min(p[1], q[1]), max(p[0], q[0]), max(p[1], q[1]))
        for r, s in _pieces(second):
            if not _touch(
                box, (min(r[0], s[0]), min(r[1], s[1]), max(r[0], s[0]), max(r[1], s[1]))
            ):
                continue
            if _segments_cross(p, q, r, s):
                return True
    return False


def _segments_cross(p, q, r, s) -> bool:
    def side(a, b, c) -> float:
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    d1, d2 = side(r, s, p), side(r, s, q)
    d3, d4 = side(p, q, r), side(p, q, s)
    return d1 * d2 < 0 and d3 * d4 < 0


def _to_segment(point, p, q) -> float:
    (x, y), (x1, y1), (x2, y2) = point, p, q
    dx, dy = x2 - x1, y2 - y1
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / length))
    return ((x - x1 - t * dx) ** 2 + (y - y1 - t * dy) ** 2) ** 0.5
