"""The HTML viewer, driven in a real browser (Debian's Chromium through Playwright).

Every page is made by the real ``mechmap view`` command and opened from disk by its
file:// URL. The expected answers come from the map itself (networkx on the unrolled DAG,
the teaching steps, the evidence matrix), never from the page's own data.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest

import mechmap
from mechmap.diagrams.render import draw
from mechmap.diagrams.teach import step_caption
from mechmap.mapfile.evidence import evidence_matrix
from mechmap.mapfile.validation import check_file
from tests.conftest import ROOT, run_mechmap

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LESSON = ROOT / "tests" / "data" / "teaching" / "maps" / "lesson.yaml"
WORKING_ALLIANCE = ROOT / "maps" / "yakovchenko-2025-working-alliance.yaml"
KILBOURNE = ROOT / "maps" / "kilbourne-2023-facilitation.yaml"
HOSTILE_LABELS = {
    "a": "<script>alert(1)</script>",
    "b": '"]; evil [',
    "c": "</script><script>alert(2)</script>",
}
HOSTILE_MAP = """\
mechmap: 1
id: hostile
title: '</title><script>alert(3)</script> & "quotes"'
description: '<img src=x onerror=alert(4)> described'
nodes:
  a: {label: '<script>alert(1)</script>', role: strategy, description: '<b>bold</b>?'}
  b: {label: '"]; evil [', role: mechanism}
  c: {label: '</script><script>alert(2)</script>', role: clinical_outcome}
edges:
  - {from: a, to: b, arrow: 1, note: '</script><script>alert(5)</script>'}
  - b -> c
"""

# The map's nodes and arrows (not the legend's) that a person sees, by SVG id.
KINDS = {"node": "g.node[data-variable]", "edge": "g.edge[data-source]"}
# (Chromium's checkVisibility() says true for SVG groups with display: none; a rendered
# group has a box, as Playwright's own visibility test has it.)
SHOWN = """g => { const box = g.getBoundingClientRect();
    return (box.width > 0 || box.height > 0) && getComputedStyle(g).visibility !== 'hidden'; }"""
VISIBLE = f"""selector => Array.from(document.querySelectorAll('#mm-diagram ' + selector))
    .filter({SHOWN}).map(g => g.id)"""
FULL_OPACITY = f"""selector => Array.from(document.querySelectorAll('#mm-diagram ' + selector))
    .filter({SHOWN}).filter(g => getComputedStyle(g).opacity === '1').map(g => g.id)"""
# A point of an arrow's line, in window coordinates, for the mouse to hover there: the
# middle, or the point nearest the middle where no other arrow or node lies on top of it.
ARROW_MIDDLE = """id => {
    const arrow = document.getElementById(id);
    const path = arrow.querySelector('path:not(.mm-hit)');
    const length = path.getTotalLength();
    let first = null;
    for (const f of [0.5, 0.45, 0.55, 0.4, 0.6, 0.35, 0.65, 0.3, 0.7, 0.25, 0.75, 0.2, 0.8]) {
        const p = path.getPointAtLength(length * f);
        const point = new DOMPoint(p.x, p.y).matrixTransform(path.getScreenCTM());
        first = first || point;
        const hit = document.elementFromPoint(point.x, point.y);
        if (hit && hit.closest('g.edge, g.node') === arrow) return [point.x, point.y];
    }
    return [first.x, first.y];
}"""


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing; bash scripts/test.sh installs it"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Viewer:
    """An open viewer page, with what it asked for from the network and dialogs it opened."""

    def __init__(
        self,
        browser,
        html: Path,
        width: int = 1400,
        height: int = 1000,
        fragment: str = "",
        reduced_motion: str = "no-preference",
    ) -> None:
        self.url = html.as_uri()
        self.requests: list[str] = []
        self.blocked: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(
            viewport={"width": width, "height": height}, reduced_motion=reduced_motion
        )
        self.context.route("**/*", self._only_files)
        self.page = self.context.new_page()
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.goto(self.url + fragment)

    def _only_files(self, route) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def visible(self, kind: str) -> set[str]:
        return set(self.page.evaluate(VISIBLE, KINDS[kind]))

    def lit(self, kind: str) -> set[str]:
        return set(self.page.evaluate(FULL_OPACITY, KINDS[kind]))

    def hover_arrow(self, edge_id: str) -> None:
        x, y = self.page.evaluate(ARROW_MIDDLE, edge_id)
        self.page.mouse.move(x, y)


def viewer_pages(folder: Path, extra: str, extra_map: str) -> dict[str, Path]:
    """Viewer pages written by the real command: the lesson, working-alliance and Kilbourne
    maps, and one more map (``extra``) written from its text."""
    written = folder / f"{extra}.yaml"
    written.write_text(extra_map, encoding="utf-8")
    made = {}
    for name, source in [
        ("lesson", LESSON),
        ("alliance", WORKING_ALLIANCE),
        ("kilbourne", KILBOURNE),
        (extra, written),
    ]:
        made[name] = folder / f"{name}.html"
        result = run_mechmap("view", str(source), "-o", str(made[name]))
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == f"wrote {made[name]}"
    return made


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    """Viewer pages written by the real command, one per map."""
    return viewer_pages(tmp_path_factory.mktemp("viewer"), "hostile", HOSTILE_MAP)


@pytest.fixture
def open_viewer(browser) -> Iterator:
    opened: list[Viewer] = []

    def open_page(html: Path, **options) -> Viewer:
        viewer = Viewer(browser, html, **options)
        opened.append(viewer)
        return viewer

    yield open_page
    for viewer in opened:
        assert viewer.errors == [], "the page's script failed"
        viewer.context.close()


def _ids(m: mechmap.Map) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    drawing = draw(m)
    return dict(drawing.node_ids), dict(drawing.edge_ids)


def test_clicking_a_node_lights_exactly_its_ancestors_and_descendants(pages, open_viewer) -> None:
    m = mechmap.load(WORKING_ALLIANCE)
    graph = m.to_networkx()
    node_ids, edge_ids = _ids(m)
    viewer = open_viewer(pages["alliance"])
    for variable, node_id in node_ids.items():
        up = nx.ancestors(graph, variable) | {variable}
        down = nx.descendants(graph, variable) | {variable}
        on_paths = set(graph.subgraph(up).edges) | set(graph.subgraph(down).edges)
        viewer.page.click(f"#{node_id}")
        assert viewer.lit("node") == {node_ids[v] for v in up | down}, variable
        assert viewer.lit("edge") == {edge_ids[a] for a in on_paths}, variable
        viewer.page.click("#mm-diagram", position={"x": 5, "y": 5})  # the background
        assert viewer.lit("node") == set(node_ids.values())
        assert viewer.lit("edge") == set(edge_ids.values())


def test_the_keyboard_selects_a_node_and_escape_clears(pages, open_viewer) -> None:
    m = mechmap.load(LESSON)
    node_ids, _ = _ids(m)
    viewer = open_viewer(pages["lesson"])
    viewer.page.focus(f"#{node_ids['capacity']}")
    expect(viewer.page.locator("#mm-tooltip")).to_contain_text("Site capacity")
    viewer.page.keyboard.press("Enter")
    # capacity is timeless and reaches everything but the coaching strategy.
    assert viewer.lit("node") == set(node_ids.values()) - {node_ids["coaching"]}
    expect(viewer.page.locator(f"#{node_ids['capacity']}")).to_have_attribute(
        "aria-pressed", "true"
    )
    viewer.page.keyboard.press("Escape")
    assert viewer.lit("node") == set(node_ids.values())
    expect(viewer.page.locator("#mm-tooltip")).to_be_hidden()


def _expected_steps(m: mechmap.Map) -> list[set[str]]:
    """Visible arrows after each step: carry arrows throughout, then each step's arrows."""
    _, edge_ids = _ids(m)
    context = {edge_ids[(x.source, x.target)] for x in m.links if x.edge is None}
    shown, expected = set(context), []
    for step in m.teaching_steps():
        shown |= {edge_ids[link] for link in step.edge.links}
        expected.append(set(shown))
    return expected


@pytest.mark.parametrize("name, path", [("lesson", LESSON), ("kilbourne", KILBOURNE)])
def test_next_reveals_the_arrows_in_teaching_order(pages, open_viewer, name, path) -> None:
    m = mechmap.load(path)
    node_ids, edge_ids = _ids(m)
    steps = m.teaching_steps()
    assert len(steps) > 1
    expected = _expected_steps(m)
    viewer = open_viewer(pages[name])
    caption = viewer.page.locator("#mm-caption")
    assert viewer.visible("edge") == set(edge_ids.values())
    for k, step in enumerate(steps, 1):
        viewer.page.click("#mm-next")
        expect(caption).to_contain_text(f"Step {k} of {len(steps)}")
        expect(caption).to_contain_text(step_caption(m, step))
        assert viewer.visible("edge") == expected[k - 1], f"step {k}"
        assert viewer.visible("node") == set(node_ids.values())
    expect(viewer.page.locator("#mm-next")).to_be_disabled()
    viewer.page.keyboard.press("ArrowLeft")
    expect(caption).to_contain_text(f"Step {len(steps) - 1} of {len(steps)}")
    assert viewer.visible("edge") == expected[-2]
    viewer.page.keyboard.press("ArrowRight")
    assert viewer.visible("edge") == expected[-1]
    viewer.page.click("#mm-all")
    assert viewer.visible("edge") == set(edge_ids.values())


def test_the_lesson_steps_follow_its_sequence_and_hide_unsequenced_arrows(
    pages, open_viewer
) -> None:
    m = mechmap.load(LESSON)
    _, edge_ids = _ids(m)
    carry = edge_ids[("trust@t0", "trust@t1")]
    viewer = open_viewer(pages["lesson"])
    caption = viewer.page.locator("#mm-caption")
    viewer.page.keyboard.press("ArrowRight")
    expect(caption).to_have_text(
        "Step 1 of 3 (arrow #2): Start from the outcome: uptake follows trust."
    )
    assert viewer.visible("edge") == {carry, edge_ids[("trust@t1", "uptake")]}
    viewer.page.keyboard.press("ArrowRight")  # one edge, two arrows; caption from the note
    expect(caption).to_have_text("Step 2 of 3 (arrow #1): Coaching builds trust at every wave.")
    assert viewer.visible("edge") == {
        carry,
        edge_ids[("trust@t1", "uptake")],
        edge_ids[("coaching", "trust@t0")],
        edge_ids[("coaching", "trust@t1")],
    }
    viewer.page.keyboard.press("ArrowRight")  # no caption, no note: the arrow in words
    expect(caption).to_have_text("Step 3 of 3 (arrow #3): Site capacity → Uptake of the practice")
    assert edge_ids[("capacity", "trust@t0")] not in viewer.visible("edge")
    for _ in range(4):
        viewer.page.keyboard.press("ArrowLeft")
    expect(caption).to_contain_text("No arrow revealed yet")
    assert viewer.visible("edge") == {carry}


@pytest.mark.parametrize("name, path", [("alliance", WORKING_ALLIANCE), ("lesson", LESSON)])
def test_hovering_an_arrow_shows_its_evidence(pages, open_viewer, name, path) -> None:
    checked = check_file(path)
    m = checked.map
    _, edge_ids = _ids(m)
    viewer = open_viewer(pages[name])
    tooltip = viewer.page.locator("#mm-tooltip")
    rows = [row for row in evidence_matrix(m, checked.library).rows if row.says]
    assert rows
    for row in rows:
        viewer.hover_arrow(edge_ids[row.edge.links[0]])
        expect(tooltip).to_be_visible()
        for vignette, says in row.says.items():
            expect(tooltip).to_contain_text(says)
            expect(tooltip).to_contain_text(row.cells[vignette])
        if row.edge.arrow is not None:
            expect(tooltip).to_contain_text(f"#{row.edge.arrow}")
        if row.edge.provenance is not None:
            expect(tooltip).to_contain_text(row.edge.provenance)
    viewer.page.mouse.move(1, 1)
    expect(tooltip).to_be_hidden()


def test_hovering_a_node_shows_label_role_wave_and_description(pages, open_viewer) -> None:
    m = mechmap.load(LESSON)
    node_ids, _ = _ids(m)
    viewer = open_viewer(pages["lesson"])
    viewer.page.hover(f"#{node_ids['coaching']}")
    tooltip = viewer.page.locator("#mm-tooltip")
    for text in ("Coaching visits", "strategy", "Monthly visits by an external coach."):
        expect(tooltip).to_contain_text(text)
    viewer.page.hover(f"#{node_ids['trust@t1']}")
    for text in ("Trust in the coach", "mechanism", "Year 1", "trust@t1"):
        expect(tooltip).to_contain_text(text)


def test_hostile_labels_show_literally_and_run_nothing(pages, open_viewer) -> None:
    m = mechmap.loads(HOSTILE_MAP)
    node_ids, edge_ids = _ids(m)
    viewer = open_viewer(pages["hostile"])
    page = viewer.page
    expect(page.locator("h1")).to_have_text('</title><script>alert(3)</script> & "quotes"')
    assert page.title() == '</title><script>alert(3)</script> & "quotes" (mechmap)'
    assert page.locator("script").count() == 2  # the data and the viewer's own script
    assert page.locator("img").count() == 0
    tooltip = page.locator("#mm-tooltip")
    for node, label in HOSTILE_LABELS.items():
        page.hover(f"#{node_ids[node]}")
        expect(tooltip.locator("h2")).to_have_text(label)
        expect(page.locator(f"#{node_ids[node]}")).to_contain_text(label)
    page.hover(f"#{node_ids['a']}")
    expect(tooltip).to_contain_text("<b>bold</b>?")
    viewer.hover_arrow(edge_ids[("a", "b")])
    expect(tooltip).to_contain_text("</script><script>alert(5)</script>")
    caption = page.locator("#mm-caption")
    page.click("#mm-next")  # the caption of step 1 is the note
    expect(caption).to_have_text("Step 1 of 2 (arrow #1): </script><script>alert(5)</script>")
    page.click("#mm-next")  # without a note, the labels
    expect(caption).to_have_text('Step 2 of 2: "]; evil [ → </script><script>alert(2)</script>')
    assert viewer.dialogs == []


def test_the_page_requests_nothing_but_itself(pages, open_viewer) -> None:
    html = pages["alliance"].read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href|url)\s*[=(]\s*["']?(?!data:|#)[a-z]+:""", html)
    m = mechmap.load(WORKING_ALLIANCE)
    node_ids, edge_ids = _ids(m)
    viewer = open_viewer(pages["alliance"])
    viewer.page.click(f"#{node_ids['wai']}")
    viewer.page.hover(f"#{node_ids['goal']}")
    viewer.hover_arrow(next(iter(edge_ids.values())))
    viewer.page.click("#mm-next")
    viewer.page.locator("#mm-roles input[data-role='mechanism']").uncheck()
    viewer.page.click("#mm-zoom-in")
    viewer.page.mouse.wheel(0, -200)
    viewer.page.fill("#mm-search", "alliance")
    viewer.page.press("#mm-search", "Enter")
    viewer.page.click("#mm-present")  # presenter mode, its #present and the shortcuts list
    viewer.page.keyboard.press("PageDown")
    viewer.page.keyboard.press("?")
    viewer.page.keyboard.press("Escape")
    viewer.page.keyboard.press("Escape")
    assert viewer.requests == [viewer.url]
    assert viewer.blocked == []


def test_filters_hide_nodes_by_role_and_by_wave(pages, open_viewer) -> None:
    m = mechmap.load(WORKING_ALLIANCE)
    node_ids, edge_ids = _ids(m)
    info = m.variable_info
    viewer = open_viewer(pages["alliance"])
    page = viewer.page

    def shown(keep) -> tuple[set[str], set[str]]:
        nodes = {node_ids[v] for v in node_ids if keep(info[v])}
        edges = {i for (a, b), i in edge_ids.items() if keep(info[a]) and keep(info[b])}
        return nodes, edges

    role = page.locator("#mm-roles input[data-role='mechanism']")
    role.uncheck()
    nodes, edges = shown(lambda v: v.node.role != "mechanism")
    assert (viewer.visible("node"), viewer.visible("edge")) == (nodes, edges)
    role.check()
    assert viewer.visible("node") == set(node_ids.values())

    wave = page.locator("#mm-waves input[data-wave='impl']")
    wave.uncheck()
    nodes, edges = shown(lambda v: v.wave != "impl")
    assert (viewer.visible("node"), viewer.visible("edge")) == (nodes, edges)
    expect(page.locator("#wave-1")).to_be_hidden()
    page.locator("#mm-waves input[data-wave='']").uncheck()  # nodes without a wave
    nodes, edges = shown(lambda v: v.wave not in ("impl", None))
    assert (viewer.visible("node"), viewer.visible("edge")) == (nodes, edges)
    wave.check()
    page.locator("#mm-waves input[data-wave='']").check()
    assert viewer.visible("node") == set(node_ids.values())
    expect(page.locator("#wave-1")).to_be_visible()


def test_a_narrow_window_has_no_sideways_scrolling(pages, open_viewer, tmp_path) -> None:
    viewer = open_viewer(pages["kilbourne"], width=380, height=800)
    page = viewer.page
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    expect(page.locator("#mm-next")).to_be_in_viewport()
    page.click("#mm-next")
    expect(page.locator("#mm-caption")).to_contain_text("Step 1 of")
    page.screenshot(path=tmp_path / "narrow.png", full_page=True)


def test_the_page_is_one_html_document_with_the_svg_inline(pages) -> None:
    html = pages["lesson"].read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert html.count("<svg") == 1
    assert "<?xml" not in html
    assert "<!DOCTYPE svg" not in html


def test_view_errors_are_one_line_without_traceback(tmp_path: Path) -> None:
    missing = run_mechmap("view", str(LESSON), "-o", str(tmp_path / "nowhere" / "map.html"))
    assert missing.returncode == 2
    assert missing.stderr.strip() == f"mechmap: {tmp_path / 'nowhere'}: no such folder"
    broken = tmp_path / "broken.yaml"
    broken.write_text("mechmap: 1\nid: b\ntitle: B\nnodes: {a: {}}\nedges: [a -> z]\n")
    invalid = run_mechmap("view", str(broken), "-o", str(tmp_path / "map.html"))
    assert invalid.returncode == 1
    assert "Traceback" not in invalid.stderr
    assert not (tmp_path / "map.html").exists()


def test_hovering_a_measurement_arrow_says_it_is_no_causal_step(pages, open_viewer) -> None:
    m = mechmap.load(WORKING_ALLIANCE)
    _, edge_ids = _ids(m)
    viewer = open_viewer(pages["alliance"])
    tooltip = viewer.page.locator("#mm-tooltip")
    measured = edge_ids[("wai", "goal")]
    assert "measurement" in (viewer.page.locator(f"#{measured}").get_attribute("class") or "")
    viewer.hover_arrow(measured)
    expect(tooltip).to_contain_text("Kind: measurement (part of / indicator of), not a causal step")
    viewer.hover_arrow(edge_ids[("goal", "fidelity")])
    expect(tooltip).to_contain_text("Goal: agreed implementation goals")
    expect(tooltip).not_to_contain_text("Kind:")


def test_the_tooltip_names_the_vocabulary_tags_and_the_header_the_sources(
    pages, open_viewer
) -> None:
    node_ids, _ = _ids(mechmap.load(WORKING_ALLIANCE))
    viewer = open_viewer(pages["alliance"])
    expect(viewer.page.locator(".mm-sources")).to_have_text(
        "Sources: Yakovchenko et al. 2025; Rogal et al. 2020."
    )
    viewer.page.focus(f"#{node_ids['facilitation_hours']}")
    tooltip = viewer.page.locator("#mm-tooltip")
    expect(tooltip).to_contain_text("ERIC strategy: Facilitation (ERIC 33)")
    viewer.page.focus(f"#{node_ids['site_context']}")
    expect(tooltip).to_contain_text(
        "CFIR 2.0: Inner Setting: Available Resources; Innovation: Innovation Complexity"
    )
    viewer.page.focus(f"#{node_ids['wai']}")
    expect(tooltip).not_to_contain_text("ERIC")
