"""The shipped maps' figures, measured on the SVG that Graphviz draws (as a reader sees it):
arrow crossings, label distances, wave columns, slide size and type size, layout hints.

The targets come from the figures issue: Kilbourne ≤ 40 crossings (97 before this layout),
working alliance ≤ 12, facilitator resilience ≤ 3, Parchman 0; no arrow label more than
40 units from its own arrow; slides 16:9 with node labels at least 12 px on a 1920x1080
screen. Every SVG here is drawn through the real ``mechmap render`` command.
"""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import mechmap
from mechmap.diagrams.figure_check import check_figure
from mechmap.diagrams.render import draw
from tests.conftest import ROOT, run_mechmap

SVG = "{http://www.w3.org/2000/svg}"
MAPS = ROOT / "maps"
CROSSING_TARGETS = {
    "kilbourne-2023-facilitation": 40,
    "yakovchenko-2025-working-alliance": 12,
    "facilitator-resilience": 3,
    "parchman-facilitator-supports": 0,
}


def rendered(tmp_path: Path, name: str, *options: str, suffix: str = "svg") -> bytes:
    target = tmp_path / f"{name}.{suffix}"
    # --force: a test draws the same map more than once (one theme, then the other).
    result = run_mechmap(
        "render", str(MAPS / f"{name}.yaml"), "-o", str(target), "--force", *options
    )
    assert result.returncode == 0, result.stderr
    return target.read_bytes()


@pytest.mark.parametrize("name", sorted(CROSSING_TARGETS))
def test_shipped_maps_cross_little_and_keep_labels_on_their_arrows(
    tmp_path: Path, name: str
) -> None:
    m = mechmap.load(MAPS / f"{name}.yaml")
    for theme in ("print", "slides"):
        svg = rendered(tmp_path, name, "--theme", theme)
        check = check_figure(svg)
        # One face throughout (a text that falls back to Graphviz's Times stands out).
        assert set(re.findall(rb'font-family="([^"]+)"', svg)) == {b"Helvetica,sans-Serif"}
        assert check.crossings <= CROSSING_TARGETS[name], (theme, check.crossing_pairs)
        numbered = {f"{x.source}->{x.target}" for x in m.links if x.edge and x.edge.arrow}
        assert numbered <= set(check.label_distances)  # every numbered arrow is labelled
        far = {k: round(d) for k, d in check.label_distances.items() if d > 40}
        assert not far, (theme, far)
        # Labels keep clear of other arrows' lines (13 of Kilbourne's 46 were crossed before).
        assert len(check.labels_crossed) <= len(check.label_distances) // 8, check.labels_crossed
        # Wave headings move along their box's top to where no arrow runs through them
        # (one of the working alliance's six has no such place on a slide).
        assert len(check.headings_crossed) <= (1 if theme == "slides" else 0), (
            theme,
            check.headings_crossed,
        )
        assert sorted(check.node_titles) == sorted(m.variables)  # <title> is the variable id


def test_the_counter_counts_real_crossings() -> None:
    # Two arrows forced across each other by pinned positions, and two that only touch.
    m = mechmap.loads(
        "mechmap: 1\nid: x\ntitle: X\nnodes: {a: {}, b: {}, c: {}, d: {}}\n"
        "edges: [a -> d, b -> c]\n"
        "layout: {a: {pos: [0, 0]}, b: {pos: [0, 200]}, c: {pos: [400, 0]}, d: {pos: [400, 200]}}\n"
    )
    from mechmap.diagrams.render import render

    check = check_figure(render(m, "svg"))
    assert check.crossings == 1 and check.crossing_pairs == (("a->d", "b->c"),)
    uncrossed = mechmap.loads(
        "mechmap: 1\nid: x\ntitle: X\nnodes: {a: {}, b: {}, c: {}, d: {}}\n"
        "edges: [a -> c, b -> d]\n"
        "layout: {a: {pos: [0, 0]}, b: {pos: [0, 200]}, c: {pos: [400, 0]}, d: {pos: [400, 200]}}\n"
    )
    assert check_figure(render(uncrossed, "svg")).crossings == 0


def _boxes(svg: bytes) -> dict[str, tuple[float, float, float, float]]:
    """Each node's and wave's drawn extent (x0, y0, x1, y1) by SVG id."""
    root = ET.fromstring(svg)
    boxes = {}
    for group in root.iter(f"{SVG}g"):
        numbers = []
        for shape in group:
            for attribute in ("points", "d"):
                numbers += [
                    float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", shape.get(attribute, ""))
                ]
            if shape.tag == f"{SVG}ellipse":
                cx, cy = float(shape.get("cx")), float(shape.get("cy"))
                rx, ry = float(shape.get("rx")), float(shape.get("ry"))
                numbers += [cx - rx, cy - ry, cx + rx, cy + ry]
        if numbers and group.get("id"):
            xs, ys = numbers[0::2], numbers[1::2]
            boxes[group.get("id")] = (min(xs), min(ys), max(xs), max(ys))
    return boxes


@pytest.mark.parametrize(
    "name", ["kilbourne-2023-facilitation", "yakovchenko-2025-working-alliance"]
)
def test_waves_are_columns_each_wholly_left_of_the_next(tmp_path: Path, name: str) -> None:
    m = mechmap.load(MAPS / f"{name}.yaml")
    drawing = draw(m)
    boxes = _boxes(rendered(tmp_path, name))
    waves = [boxes[f"wave-{i}"] for i in range(len(m.waves))]
    for left, right in itertools.pairwise(waves):
        assert left[2] < right[0]  # the columns do not overlap
    assert len({(w[1], w[3]) for w in waves}) == 1  # and line up: same top and bottom
    for variable, node_id in drawing.node_ids.items():
        wave = m.variable_info[variable].wave
        if wave is None:
            continue
        x0, y0, x1, y1 = boxes[node_id]
        column = waves[m.wave_index[wave]]
        assert column[0] <= x0 and x1 <= column[2] and column[1] <= y0 and y1 <= column[3]


@pytest.mark.parametrize("name", sorted(CROSSING_TARGETS))
def test_a_slide_of_the_whole_map_is_16_9_and_readable_on_1080p(tmp_path: Path, name: str) -> None:
    svg = rendered(tmp_path, name, "--theme", "slides")
    check = check_figure(svg)
    assert check.width / check.height == pytest.approx(16 / 9, rel=0.01)
    scale = min(1920 / check.width, 1080 / check.height)
    assert min(check.node_font_sizes) * scale >= 12
    png = rendered(tmp_path, name, "--theme", "slides", suffix="png")
    assert int.from_bytes(png[16:20], "big") == 1920
    assert int.from_bytes(png[20:24], "big") == 1080


def test_layout_hints_steer_the_figure(tmp_path: Path) -> None:
    path = MAPS / "yakovchenko-2025-working-alliance.yaml"
    m = mechmap.load(path)
    drawing = draw(m)
    # Two variables of the implementation wave that share a layer, upper one first.
    centres = _arranged_centres(m)
    layers: dict[float, list[str]] = {}
    for v in m.variables:
        if m.variable_info[v].wave == "impl":
            layers.setdefault(centres[v][0], []).append(v)
    mates = max(layers.values(), key=len)
    upper, lower = sorted(mates, key=lambda v: centres[v][1])[:: len(mates) - 1]
    hinted = tmp_path / "hinted.yaml"
    hinted.write_text(
        path.read_text()
        + f"\nlayout:\n  {lower}: {{order: 0}}\n  {upper}: {{order: 1}}\n"
        + "  site_context: {band: bottom}\n"
        + "  screening@sust: {pos: [5000, 5000]}\n"
    )
    target = tmp_path / "hinted.svg"
    vignettes = str(ROOT / "vignettes")
    result = run_mechmap("render", str(hinted), "-o", str(target), "--vignettes", vignettes)
    assert result.returncode == 0, result.stderr
    after = _boxes(target.read_bytes())

    def centre_y(variable: str) -> float:
        _, y0, _, y1 = after[drawing.node_ids[variable]]
        return (y0 + y1) / 2

    assert centre_y(lower) < centre_y(upper)  # the order hint wins
    flow_bottom = after["wave-0"][3]  # (the last wave's box grows to the pinned copy)
    assert centre_y("site_context") > flow_bottom  # the band below the flow
    pinned = after[drawing.node_ids["screening@sust"]]
    assert pinned[0] > max(after[f"wave-{i}"][2] for i in range(len(m.waves) - 1))
    sust = after[f"wave-{len(m.waves) - 1}"]  # its wave's box grew to take it in
    assert sust[0] <= pinned[0] and pinned[2] <= sust[2] and pinned[3] <= sust[3]


def test_band_flow_takes_context_out_of_the_band(tmp_path: Path) -> None:
    path = MAPS / "kilbourne-2023-facilitation.yaml"
    m = mechmap.load(path)
    drawing = draw(m)

    def staffing_y(svg: bytes) -> tuple[float, float]:
        boxes = _boxes(svg)
        _, y0, _, y1 = boxes[drawing.node_ids["staffing"]]
        return (y0 + y1) / 2, min(boxes[f"wave-{i}"][1] for i in range(len(m.waves)))

    y, wave_top = staffing_y(rendered(tmp_path, "kilbourne-2023-facilitation"))
    assert y < wave_top  # exogenous context travels above the wave columns
    hinted = tmp_path / "hinted.yaml"
    hinted.write_text(path.read_text() + "\nlayout:\n  staffing: {band: flow}\n")
    target = tmp_path / "hinted.svg"
    vignettes = str(ROOT / "vignettes")
    result = run_mechmap("render", str(hinted), "-o", str(target), "--vignettes", vignettes)
    assert result.returncode == 0, result.stderr
    y, wave_top = staffing_y(target.read_bytes())
    assert y > wave_top


def _arranged_centres(m) -> dict[str, tuple[float, float]]:
    from mechmap.diagrams.arrange import arrange

    arrows = [(x.source, x.target) for x in m.links]
    return dict(
        arrange(m, list(m.variables), arrows, font=10, wrap_at=22, labels={}).layout.centres
    )
