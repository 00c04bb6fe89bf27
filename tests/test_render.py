"""Rendering, checked by parsing what comes out (never by comparing bytes).

Every command here runs with a PATH that has no system Graphviz on it, as on a laptop that
only installed mechmap.
"""

from __future__ import annotations

import itertools
import os
import re
import struct
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import mechmap
from mechmap.diagrams.render import DIMMED, HIGHLIGHT, draw, render
from tests.conftest import ROOT, run_mechmap

MAPS = sorted((ROOT / "maps").glob("*.yaml"))
SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = """
mechmap: 1
id: hostile
title: 'Hostile <b>title</b> & "quotes"'
nodes:
  a: {label: '<script>alert(1)</script>', role: strategy}
  b: {label: '"]; evil [label="x', role: mechanism}
  c: {label: 'back\\N slash \\G and </text><svg onload=alert(1)>', role: clinical_outcome}
edges:
  - {from: a, to: b, arrow: '<i>1</i>'}
  - b -> c
"""


@pytest.fixture(scope="module")
def no_graphviz_env(tmp_path_factory) -> dict[str, str]:
    """PATH with nothing but an empty folder: no `dot` anywhere."""
    empty = tmp_path_factory.mktemp("bin")
    return {**os.environ, "PATH": str(empty)}


def _texts(group: ET.Element) -> str:
    return " ".join(" ".join(t.itertext()) for t in group.iter(f"{SVG}text"))


def _groups(svg: bytes) -> dict[str, ET.Element]:
    root = ET.fromstring(svg)
    return {g.get("id"): g for g in root.iter(f"{SVG}g") if g.get("id")}


@pytest.mark.parametrize("path", MAPS, ids=lambda p: p.stem)
def test_every_map_renders_svg_and_png_without_system_graphviz(
    path: Path, tmp_path: Path, no_graphviz_env: dict[str, str]
) -> None:
    for fmt in ("svg", "png"):
        target = tmp_path / f"map.{fmt}"
        result = run_mechmap("render", str(path), "-o", str(target), env=no_graphviz_env)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
    png = (tmp_path / "map.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width > 200 and height > 100

    m = mechmap.load(path)
    drawing = draw(m)
    groups = _groups((tmp_path / "map.svg").read_bytes())
    for variable, node_id in drawing.node_ids.items():
        text = _texts(groups[node_id])
        node = m.variable_info[variable].node
        assert " ".join(node.label.split()) == " ".join(text.split()[: len(node.label.split())])
        if node.waves:
            assert f"@{m.variable_info[variable].wave}" in text
    for (a, b), edge_id in drawing.edge_ids.items():
        edge = next(x.edge for x in m.links if (x.source, x.target) == (a, b))
        if edge is not None and edge.arrow is not None:
            assert f"#{edge.arrow}" in _texts(groups[edge_id])


def test_waves_are_columns_in_time_order(tmp_path: Path) -> None:
    m = mechmap.load(ROOT / "maps/yakovchenko-2025-working-alliance.yaml")
    groups = _groups(render(m, "svg"))
    drawing = draw(m)

    def text_of(variable: str) -> ET.Element:
        return next(iter(groups[drawing.node_ids[variable]].iter(f"{SVG}text")))

    def x_of(variable: str) -> float:
        return float(text_of(variable).get("x"))

    assert x_of("screening@base") < x_of("screening@impl") < x_of("screening@sust")
    # Context with many targets travels in a band above the wave columns, starting no later
    # than its first target.
    box_tops = [
        min(float(y) for y in re.findall(r",(-?[\d.]+)", path.get("d")))
        for wave in ("wave-0", "wave-1", "wave-2")
        for path in groups[wave].iter(f"{SVG}path")
    ]
    assert float(text_of("site_context").get("y")) < min(box_tops)
    first_target = min(x_of(b) for a, b in drawing.edge_ids if a == "site_context")
    assert x_of("site_context") < first_target


def test_labels_are_escaped_in_dot_and_svg() -> None:
    m = mechmap.loads(HOSTILE)
    dot = draw(m).dot
    assert '"]; evil' not in dot.replace('\\"]; evil', "")  # only ever inside quotes
    svg = render(m, "svg")
    root = ET.fromstring(svg)  # still well-formed XML
    assert not list(root.iter(f"{SVG}script")) and not list(root.iter("script"))
    assert not any("onload" in element.attrib for element in root.iter())
    assert len(list(root.iter(f"{SVG}svg"))) == 1  # the root only: no injected element
    text = " ".join(" ".join(root.itertext()).split())  # wrapped lines joined again
    assert "<script>alert(1)</script>" in text
    assert '"]; evil [label="x' in text
    assert "back\\N slash \\G" in text  # Graphviz escapes did not fire
    assert "<i>1</i>" in text


def test_highlight_colours_the_path_and_dims_the_rest() -> None:
    m = mechmap.load(ROOT / "maps/yakovchenko-2025-working-alliance.yaml")
    path = mechmap.mapfile.loader.resolve_path(m, "wai -> fidelity -> screening")
    drawing = draw(m, highlight=path)
    groups = _groups(render(m, "svg", highlight=path))
    for (a, b), edge_id in drawing.edge_ids.items():
        strokes = {p.get("stroke") for p in groups[edge_id].iter(f"{SVG}path")}
        expected = HIGHLIGHT if (a, b) in set(itertools.pairwise(path)) else DIMMED
        assert expected.lower() in {s.lower() for s in strokes if s}, (a, b, strokes)


def test_focus_keeps_ancestors_and_descendants_only() -> None:
    m = mechmap.load(ROOT / "maps/yakovchenko-2025-working-alliance.yaml")
    drawing = draw(m, focus="fidelity")
    kept = set(drawing.node_ids)
    graph = m.to_networkx()
    import networkx as nx

    assert kept == nx.ancestors(graph, "fidelity") | nx.descendants(graph, "fidelity") | {
        "fidelity"
    }


def test_rolled_up_draws_one_node_per_concept() -> None:
    m = mechmap.load(ROOT / "maps/yakovchenko-2025-working-alliance.yaml")
    drawing = draw(m, rolled_up=True)
    assert set(drawing.node_ids) == {n.id for n in m.nodes}
    assert ("screening", "screening") not in drawing.edge_ids


def test_pdf_without_system_graphviz_says_how_and_writes_nothing(
    tmp_path: Path, no_graphviz_env: dict[str, str]
) -> None:
    target = tmp_path / "map.pdf"
    result = run_mechmap(
        "render", "maps/facilitator-resilience.yaml", "-o", str(target), env=no_graphviz_env
    )
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "apt-get install graphviz" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_bad_render_options_are_usage_errors(tmp_path: Path) -> None:
    bad_path = run_mechmap(
        "render",
        "maps/facilitator-resilience.yaml",
        "-o",
        str(tmp_path / "x.svg"),
        "--highlight",
        "burnout -> intensity",
    )
    assert bad_path.returncode == 2 and "--highlight:1:" in bad_path.stderr
    bad_focus = run_mechmap(
        "render",
        "maps/facilitator-resilience.yaml",
        "-o",
        str(tmp_path / "x.svg"),
        "--focus",
        "burnot",
    )
    assert bad_focus.returncode == 2 and "did you mean 'burnout'" in bad_focus.stderr
    bad_format = run_mechmap(
        "render", "maps/facilitator-resilience.yaml", "-o", str(tmp_path / "x.gif")
    )
    assert bad_format.returncode == 2
    assert list(tmp_path.iterdir()) == []


def test_jupyter_shows_svg_and_never_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    m = mechmap.load(ROOT / "maps/facilitator-resilience.yaml")
    bundle = m._repr_mimebundle_()
    assert bundle["image/svg+xml"].lstrip().startswith(("<?xml", "<svg", "<!--"))
    monkeypatch.setattr("mechmap.diagrams.engines.engines", lambda: [])
    bundle = m._repr_mimebundle_()
    assert "cannot draw the map" in bundle["text/plain"]
    assert "apt-get install graphviz" in bundle["text/plain"]


def test_system_graphviz_is_preferred_when_present(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_dot = tmp_path / "dot"
    fake_dot.write_text(f'#!/bin/sh\nexec {Path(sys.executable).with_name("graphviz-pure")} "$@"\n')
    fake_dot.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    from mechmap.diagrams.render import engines

    assert [e.name for e in engines()] == ["Graphviz dot", "graphviz-pure"]


def test_render_options_for_papers_and_neighbourhoods(tmp_path: Path) -> None:
    kilbourne = ROOT / "maps/kilbourne-2023-facilitation.yaml"
    m = mechmap.load(kilbourne)
    # --legend separate: the key in a file of its own, the map without one.
    target = tmp_path / "map.svg"
    done = run_mechmap("render", str(kilbourne), "-o", str(target), "--legend", "separate")
    assert done.returncode == 0, done.stderr
    key = tmp_path / "map-legend.svg"

    def ids(path: Path) -> set[str]:
        return {e.get("id") for e in ET.fromstring(path.read_bytes()).iter() if e.get("id")}

    assert "legend-0" in ids(key) and "n0" not in ids(key)
    assert "legend-0" not in ids(target) and "n0" in ids(target)
    # --width: a journal column; the SVG is that wide, and tiny type is warned about.
    column = tmp_path / "column.svg"
    done = run_mechmap("render", str(kilbourne), "-o", str(column), "--width", "174mm")
    assert done.returncode == 0, done.stderr
    width = float(ET.fromstring(column.read_bytes()).get("width").removesuffix("pt"))
    assert width == pytest.approx(174 / 25.4 * 72, abs=1.5)
    assert "labels print at" in done.stderr and "pt" in done.stderr
    bad = run_mechmap("render", str(kilbourne), "-o", str(column), "--width", "12 furlongs")
    assert bad.returncode == 2 and "not a width" in bad.stderr
    # --focus --depth: the node and its neighbours within one arrow, no more.
    drawing = draw(m, focus="trust", depth=1)
    near = {
        v
        for arrow in m.links
        for v in (arrow.source, arrow.target)
        if "trust" in (arrow.source, arrow.target)
    }
    assert set(drawing.node_ids) == near | {"trust"}
    assert len(draw(m, focus="trust").node_ids) > len(drawing.node_ids)
    # --rolled-up keeps the figure's arrow numbers and signs.
    rolled = render(m, "svg", rolled_up=True).decode()
    for edge in m.edges:
        if edge.arrow is not None:
            assert f"#{edge.arrow}" in rolled


def test_an_engine_past_its_time_limit_is_one_clear_error() -> None:
    from mechmap.diagrams.engines import RendererMissing, run_engine

    m = mechmap.load(ROOT / "maps/kilbourne-2023-facilitation.yaml")
    with pytest.raises(RendererMissing, match="took longer than"):
        run_engine(draw(m).dot, "svg", time_limit=0.001)


MEASURED = """
mechmap: 1
id: measured
title: Measured
nodes:
  alliance: {label: '<Alliance> & "total"', role: mechanism}
  goal: {label: 'Goal </text> subscale', role: mechanism}
  fidelity: {role: proximal_outcome}
edges:
  - {from: alliance, to: goal, kind: measurement, sign: "+"}
  - goal -> fidelity
"""
KEY_NOTE = "measurement (part of / indicator of)"


def _edge_looks(svg: bytes) -> dict[str, tuple[str, str | None, str | None, str | None]]:
    """For each arrow (its <title>, ``a->b``): its class, line colour, dashes and head fill."""
    looks = {}
    for group in ET.fromstring(svg).iter(f"{SVG}g"):
        if (group.get("class") or "").split()[:1] == ["edge"]:
            line, head = group.find(f"{SVG}path"), group.find(f"{SVG}polygon")
            looks[group.findtext(f"{SVG}title")] = (
                group.get("class"),
                line.get("stroke"),
                line.get("stroke-dasharray"),
                head.get("fill"),
            )
    return looks


def test_a_measurement_arrow_is_drawn_dashed_grey_and_open_with_its_key(tmp_path: Path) -> None:
    source = tmp_path / "measured.yaml"
    source.write_text(MEASURED, encoding="utf-8")
    target = tmp_path / "measured.svg"
    done = run_mechmap("render", str(source), "-o", str(target))
    assert done.returncode == 0, done.stderr
    svg = target.read_bytes()
    looks = _edge_looks(svg)
    measured_class, grey, dashes, open_head = looks["alliance->goal"]
    assert measured_class == "edge measurement"
    assert grey == "#666666" and dashes and open_head == "none"
    assert looks["goal->fidelity"] == ("edge", "black", None, "black")
    assert KEY_NOTE in " ".join(_texts(_groups(svg)["legend-notes"]).split())
    # Labels stay text next to the new attributes.
    words = " ".join(_texts(ET.fromstring(svg)).split())
    assert '<Alliance> & "total"' in words and "Goal </text> subscale" in words

    # The same map with a causal arrow instead: solid, black, filled head, and no key note.
    causal = tmp_path / "causal.yaml"
    causal.write_text(MEASURED.replace("kind: measurement, ", ""), encoding="utf-8")
    plain = tmp_path / "causal.svg"
    assert run_mechmap("render", str(causal), "-o", str(plain)).returncode == 0
    assert _edge_looks(plain.read_bytes())["alliance->goal"] == ("edge", "black", None, "black")
    assert b"measurement" not in plain.read_bytes()


def test_the_working_alliance_draws_exactly_its_measurement_arrows_so(tmp_path: Path) -> None:
    path = ROOT / "maps" / "yakovchenko-2025-working-alliance.yaml"
    m = mechmap.load(path)
    expected = {f"{a}->{b}" for e in m.measurement_edges for a, b in e.links}
    assert expected == {f"wai->{x}" for x in ("goal", "task", "bond")} | {
        f"wai->alliance_{x}" for x in ("cf", "ef", "site")
    }
    for options in ([], ["--rolled-up"], ["--theme", "slides"], ["--highlight", "wai -> goal"]):
        target = tmp_path / "wa.svg"
        drawn = run_mechmap("render", str(path), "-o", str(target), "--force", *options)
        assert drawn.returncode == 0, drawn.stderr
        looks = _edge_looks(target.read_bytes())
        drawn = {arrow for arrow, (kind, *_) in looks.items() if kind == "edge measurement"}
        assert drawn == expected, options
        # Highlighted, it takes the path's colour but keeps its dashes and open head.
        assert all(looks[a][2] and looks[a][3] == "none" for a in drawn), options
    # The key explains the measurement arrow when one is drawn, and only then.
    target = tmp_path / "wa.svg"
    separate = ["--legend", "separate", "--force"]
    assert run_mechmap("render", str(path), "-o", str(target), *separate).returncode == 0
    key = (tmp_path / "wa-legend.svg").read_bytes()
    assert KEY_NOTE in " ".join(_texts(_groups(key)["legend-notes"]).split())
    focus = ["--focus", "cf_live_hours", "--depth", "1", "--force"]  # cf_live_hours -> alliance_cf
    assert run_mechmap("render", str(path), "-o", str(target), *focus).returncode == 0
    assert "measurement" not in " ".join(
        _texts(_groups(target.read_bytes())["legend-notes"]).split()
    )
