"""The viewer on a projector: presenter mode, zoom and pan, search, tooltip placement.

Same set-up as ``test_viewer.py`` (its fixtures open pages made by the real ``mechmap view``
in Debian's Chromium). Sizes are measured in the browser with getBoundingClientRect; which
nodes, arrows and steps to expect comes from the map (``draw`` for the SVG ids, the
teaching steps), never from the page's own data.
"""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest

import mechmap
from mechmap.diagrams.teach import step_caption
from tests import test_viewer
from tests.test_viewer import ARROW_MIDDLE, KILBOURNE, LESSON, WORKING_ALLIANCE, _ids, expect

# The browser and the page opener of test_viewer.py (pytest finds fixtures by name).
browser = test_viewer.browser
open_viewer = test_viewer.open_viewer

LONG_CAPTION = " ".join(
    f"Sentence {i} of a caption far too long for one line, as notes taken from a paper are."
    for i in range(1, 13)
)
CAPTIONS_MAP = f"""\
mechmap: 1
id: captions
title: A short caption, then a long one
nodes:
  a: {{label: Coaching visits, role: strategy}}
  b: {{label: Trust in the coach, role: mechanism}}
  c: {{label: Uptake of the practice, role: implementation_outcome}}
edges:
  - {{from: a, to: b, arrow: 1}}
  - {{from: b, to: c, arrow: 2}}
teaching:
  sequence:
    - {{arrow: 1, caption: Short.}}
    - {{arrow: 2, caption: "{LONG_CAPTION}"}}
"""
PROJECTOR = {"width": 1280, "height": 720}
STILL = {"reduced_motion": "reduce"}  # views jump instead of gliding: nothing to wait for

RECT = """el => { const r = el.getBoundingClientRect();
    return {left: r.left, top: r.top, right: r.right, bottom: r.bottom,
            width: r.width, height: r.height}; }"""
# Heights of the node labels (<text> inside the given node ids) whose centre lies inside
# the diagram's window; hidden ones have no box and are left out.
LABEL_HEIGHTS = """ids => {
    const port = document.querySelector('#mm-diagram svg').getBoundingClientRect();
    const heights = [];
    for (const id of ids) {
        for (const text of document.getElementById(id).querySelectorAll('text')) {
            const r = text.getBoundingClientRect();
            if (!(r.width > 0 && r.height > 0)) continue;
            const x = (r.left + r.right) / 2, y = (r.top + r.bottom) / 2;
            if (x >= port.left && x <= port.right && y >= port.top && y <= port.bottom) {
                heights.push(r.height);
            }
        }
    }
    return heights;
}"""
SETTLED = "() => !document.getElementById('mm-diagram').dataset.moving"
SHOTS = Path("/tmp/viewer-shots")


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    return test_viewer.viewer_pages(tmp_path_factory.mktemp("present"), "captions", CAPTIONS_MAP)


def rect(page, selector: str) -> dict:
    return page.locator(selector).first.evaluate(RECT)


def view_box(page) -> list[float]:
    return [float(n) for n in page.get_attribute("#mm-diagram svg", "viewBox").split()]


def settle(page) -> None:
    page.wait_for_function(SETTLED)


def inside(inner: dict, outer: dict, slack: float = 1.0) -> bool:
    return (
        inner["left"] >= outer["left"] - slack
        and inner["top"] >= outer["top"] - slack
        and inner["right"] <= outer["right"] + slack
        and inner["bottom"] <= outer["bottom"] + slack
    )


def intersects(a: dict, b: dict) -> bool:
    return min(a["right"], b["right"]) > max(a["left"], b["left"]) and min(
        a["bottom"], b["bottom"]
    ) > max(a["top"], b["top"])


def gap(a: dict, b: dict) -> float:
    """Distance between two boxes (0 when they touch or overlap)."""
    dx = max(b["left"] - a["right"], a["left"] - b["right"], 0)
    dy = max(b["top"] - a["bottom"], a["top"] - b["bottom"], 0)
    return max(dx, dy)


def clipped(a: dict, b: dict) -> dict:
    left, top = max(a["left"], b["left"]), max(a["top"], b["top"])
    right, bottom = min(a["right"], b["right"]), min(a["bottom"], b["bottom"])
    return {"left": left, "top": top, "right": right, "bottom": bottom}


def presenting(page) -> bool:
    return page.locator("#mm-present").get_attribute("aria-pressed") == "true"


# -- presenter mode ------------------------------------------------------------------------


def _assert_stage(page, width: int, height: int) -> None:
    """A 16:9 stage as large as the window, the caption band below the diagram."""
    expect(page.locator("h1")).to_be_hidden()
    expect(page.locator(".mm-side")).to_be_hidden()
    stage = rect(page, "#mm-stage")
    stage_w, stage_h = min(width, height * 16 / 9), min(height, width * 9 / 16)
    assert stage["width"] == pytest.approx(stage_w, abs=1)
    assert stage["height"] == pytest.approx(stage_h, abs=1)
    assert stage["left"] == pytest.approx((width - stage_w) / 2, abs=1)
    assert stage["top"] == pytest.approx((height - stage_h) / 2, abs=1)
    diagram, band = rect(page, "#mm-diagram"), rect(page, "#mm-band")
    assert band["top"] >= diagram["bottom"] - 1
    assert inside(band, stage) and inside(diagram, stage)
    assert diagram["height"] > 0.7 * stage_h  # the diagram gets most of the stage
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("how", ["url", "key", "button"])
def test_presenter_mode_from_the_url_the_p_key_and_the_button(pages, open_viewer, how) -> None:
    m = mechmap.load(KILBOURNE)
    total = len(m.teaching_steps())
    viewer = open_viewer(
        pages["kilbourne"], fragment="#present" if how == "url" else "", **PROJECTOR
    )
    page = viewer.page
    if how == "url":
        assert presenting(page)
    else:
        assert not presenting(page)
        expect(page.locator("h1")).to_be_visible()
        if how == "key":
            page.keyboard.press("p")
        else:
            page.click("#mm-present")
    assert presenting(page)
    _assert_stage(page, 1280, 720)
    # Presenting starts before the first step; the keys a presentation clicker sends step.
    caption = page.locator("#mm-caption")
    expect(caption).to_contain_text("No arrow revealed yet")
    page.keyboard.press("PageDown")
    first = m.teaching_steps()[0]
    number = "" if first.edge.arrow is None else f" (arrow #{first.edge.arrow})"
    expect(caption).to_have_text(f"Step 1 of {total}{number}: {step_caption(m, first)}")
    page.keyboard.press("Space")  # also after the button was clicked: focus left it
    expect(caption).to_contain_text(f"Step 2 of {total}")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("PageUp")
    expect(caption).to_contain_text(f"Step 2 of {total}")
    page.keyboard.press("End")
    expect(caption).to_contain_text(f"Step {total} of {total}")
    page.keyboard.press("Home")
    expect(caption).to_contain_text("No arrow revealed yet")
    # Leave the way we came (the URL's way: Escape).
    if how == "button":
        page.click("#mm-present")
    else:
        page.keyboard.press("p" if how == "key" else "Escape")
    assert not presenting(page)
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("#mm-present")).to_have_text("Present")
    assert viewer.requests == [viewer.url]


def test_the_stage_is_16_by_9_in_a_window_of_another_shape(pages, open_viewer) -> None:
    viewer = open_viewer(pages["lesson"], fragment="#present", width=1280, height=1000)
    _assert_stage(viewer.page, 1280, 1000)
    viewer.page.set_viewport_size({"width": 1600, "height": 700})
    _assert_stage(viewer.page, 1600, 700)


def test_the_current_arrow_is_vermillion_earlier_ones_black_later_ones_faint(
    pages, open_viewer
) -> None:
    m = mechmap.load(KILBOURNE)
    _, edge_ids = _ids(m)
    steps = m.teaching_steps()
    viewer = open_viewer(pages["kilbourne"], fragment="#present", **PROJECTOR, **STILL)
    page = viewer.page
    for _ in range(3):
        page.keyboard.press("PageDown")
    style = """g => { const path = g.querySelector('path:not(.mm-hit)');
        const s = getComputedStyle(path);
        return [s.stroke, parseFloat(s.strokeWidth), parseFloat(getComputedStyle(g).opacity),
                g.getBoundingClientRect().width > 0]; }"""

    def looks(step: int) -> list:
        return page.locator(f"#{edge_ids[steps[step].edge.links[0]]}").evaluate(style)

    current, earlier, later = looks(2), looks(0), looks(6)
    assert current[0] == "rgb(213, 94, 0)" and current[2] == 1  # #D55E00
    assert earlier[0] == "rgb(0, 0, 0)" and earlier[2] == 1
    assert current[1] >= 3 * earlier[1]
    assert later[3] and later[2] < 0.5  # shown, faintly


# -- legibility ----------------------------------------------------------------------------


def _step_through(viewer, m: mechmap.Map, count: int) -> list[float]:
    """Median label height in the diagram's window after each of the first steps."""
    node_ids, _ = _ids(m)
    medians = []
    for _ in range(count):
        viewer.page.keyboard.press("PageDown")
        settle(viewer.page)
        heights = viewer.page.evaluate(LABEL_HEIGHTS, list(node_ids.values()))
        assert heights
        medians.append(statistics.median(heights))
    return medians


@pytest.mark.parametrize("name, path", [("kilbourne", KILBOURNE), ("alliance", WORKING_ALLIANCE)])
def test_labels_are_at_least_16_px_after_a_few_steps_at_1280x720(
    pages, open_viewer, name, path
) -> None:
    m = mechmap.load(path)
    viewer = open_viewer(pages[name], fragment="#present", **PROJECTOR)  # views glide
    page = viewer.page
    whole_map = statistics.median(page.evaluate(LABEL_HEIGHTS, list(_ids(m)[0].values())))
    medians = _step_through(viewer, m, 5)
    print(f"{name}: whole map {whole_map:.1f} px; steps 1-5: {[round(x, 1) for x in medians]}")
    assert whole_map < 16  # the reason for zooming at all
    assert medians[-1] >= 16
    assert statistics.median(medians) >= 16
    if name == "kilbourne":
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=SHOTS / "kilbourne-present-step5.png")


@pytest.mark.parametrize("name, path", [("kilbourne", KILBOURNE), ("alliance", WORKING_ALLIANCE)])
def test_every_step_keeps_its_arrows_and_end_nodes_in_view(pages, open_viewer, name, path) -> None:
    """Zooming in never cuts off what is being taught; prints the label heights per step."""
    m = mechmap.load(path)
    node_ids, edge_ids = _ids(m)
    viewer = open_viewer(pages[name], fragment="#present", **PROJECTOR, **STILL)
    page = viewer.page
    medians = []
    for k, step in enumerate(m.teaching_steps(), 1):
        page.keyboard.press("PageDown")
        port = rect(page, "#mm-diagram svg")
        for a, b in step.edge.links:
            for element in (edge_ids[(a, b)], node_ids[a], node_ids[b]):
                assert inside(rect(page, f"#{element}"), port), f"step {k}: {element}"
        medians.append(statistics.median(page.evaluate(LABEL_HEIGHTS, list(node_ids.values()))))
    legible = sum(x >= 16 for x in medians)
    print(
        f"{name}: label median >= 16 px at {legible} of {len(medians)} steps; "
        f"per step {[round(x) for x in medians]}"
    )


def test_the_diagram_stays_put_when_the_caption_wraps(pages, open_viewer) -> None:
    for options in ({"fragment": "#present"}, {}):
        viewer = open_viewer(pages["captions"], **PROJECTOR, **STILL, **options)
        page = viewer.page
        page.keyboard.press("PageDown")
        expect(page.locator("#mm-caption")).to_contain_text("Short.")
        short = [rect(page, s) for s in ("#mm-diagram", "#mm-band", "#mm-caption")]
        page.keyboard.press("PageDown")
        expect(page.locator("#mm-caption")).to_contain_text("Sentence 12")
        long = [rect(page, s) for s in ("#mm-diagram", "#mm-band", "#mm-caption")]
        assert long[2]["height"] > 2.5 * short[2]["height"]  # it wrapped onto more lines
        assert long[0] == short[0], options  # the diagram neither moved nor changed size
        if options:
            assert long[1] == short[1]  # nor did the caption band
            band = page.locator("#mm-band").evaluate(
                "b => [parseFloat(getComputedStyle(b).fontSize), b.scrollHeight, b.clientHeight]"
            )
            assert band[0] < 0.036 * 720  # smaller type for the long caption ...
            assert band[0] >= 0.6 * 0.036 * 720  # ... but not tiny: beyond that it scrolls
            SHOTS.mkdir(exist_ok=True)
            page.screenshot(path=SHOTS / "captions-present-long.png")


# -- zoom and pan --------------------------------------------------------------------------


def _user_point(page, x: float, y: float) -> tuple[float, float]:
    vb, port = view_box(page), rect(page, "#mm-diagram svg")
    return (
        vb[0] + (x - port["left"]) * vb[2] / port["width"],
        vb[1] + (y - port["top"]) * vb[3] / port["height"],
    )


def test_zoom_buttons_wheel_keys_and_drag_change_the_view_and_fit_restores_it(
    pages, open_viewer
) -> None:
    m = mechmap.load(KILBOURNE)
    node_ids, _ = _ids(m)
    viewer = open_viewer(pages["kilbourne"], **PROJECTOR, **STILL)
    page = viewer.page
    get = lambda: page.get_attribute("#mm-diagram svg", "viewBox")  # noqa: E731
    whole = get()
    start = view_box(page)

    def centre(vb):
        return (vb[0] + vb[2] / 2, vb[1] + vb[3] / 2)

    page.click("#mm-zoom-in")
    zoomed = view_box(page)
    assert zoomed[2] == pytest.approx(start[2] / 1.25, rel=1e-3)
    assert centre(zoomed) == pytest.approx(centre(start), abs=0.5)
    page.click("#mm-zoom-out")
    page.click("#mm-zoom-out")
    assert view_box(page)[2] == pytest.approx(start[2] * 1.25, rel=1e-3)
    page.click("#mm-zoom-fit")
    assert get() == whole

    page.keyboard.press("+")
    page.keyboard.press("+")
    assert view_box(page)[2] == pytest.approx(start[2] / 1.25**2, rel=1e-3)
    page.keyboard.press("-")
    assert view_box(page)[2] == pytest.approx(start[2] / 1.25, rel=1e-3)
    before_pan = view_box(page)
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Shift+ArrowDown")
    panned = view_box(page)
    assert panned[0] > before_pan[0] + 1 and panned[1] > before_pan[1] + 1
    assert panned[2:] == pytest.approx(before_pan[2:])
    page.keyboard.press("0")
    assert get() == whole

    # The wheel zooms about the pointer: the point under it stays under it.
    port = rect(page, "#mm-diagram svg")
    # (whole pixels: the browser gives the events whole-pixel coordinates)
    x, y = round(port["left"] + 0.3 * port["width"]), round(port["top"] + 0.6 * port["height"])
    page.mouse.move(x, y)
    before = _user_point(page, x, y)
    page.mouse.wheel(0, -300)
    page.wait_for_function(
        f"document.querySelector('#mm-diagram svg').getAttribute('viewBox') !== {whole!r}"
    )
    assert view_box(page)[2] < start[2] / 1.5
    assert _user_point(page, x, y) == pytest.approx(before, abs=0.5)
    page.mouse.wheel(0, 200)
    page.wait_for_timeout(100)
    assert _user_point(page, x, y) == pytest.approx(before, abs=0.5)

    # Dragging pans by as much as the pointer moved, and the press selects nothing.
    vb = view_box(page)
    scale = port["width"] / vb[2]
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 100, y - 40, steps=5)
    page.mouse.move(x - 200, y - 80, steps=5)
    page.mouse.up()
    dragged = view_box(page)
    assert dragged[0] - vb[0] == pytest.approx(200 / scale, abs=1)
    assert dragged[1] - vb[1] == pytest.approx(80 / scale, abs=1)
    assert dragged[2] == pytest.approx(vb[2])
    assert viewer.lit("node") == set(node_ids.values())
    page.click("#mm-zoom-fit")
    assert get() == whole


def test_stepping_zooms_to_the_step_and_show_all_fits_again(pages, open_viewer) -> None:
    m = mechmap.load(LESSON)
    node_ids, edge_ids = _ids(m)
    viewer = open_viewer(pages["lesson"], **PROJECTOR)
    page = viewer.page
    whole = page.get_attribute("#mm-diagram svg", "viewBox")
    page.click("#mm-next")
    assert page.get_attribute("#mm-diagram", "data-moving") == "true"  # it glides
    settle(page)
    first = m.teaching_steps()[0].edge.links[0]
    port = rect(page, "#mm-diagram svg")
    for element in (edge_ids[first], node_ids[first[0]], node_ids[first[1]]):
        assert inside(rect(page, f"#{element}"), port)
    assert view_box(page)[2] < 0.8 * [float(n) for n in whole.split()][2]
    page.click("#mm-all")
    settle(page)
    assert page.get_attribute("#mm-diagram svg", "viewBox") == whole
    # Without "Zoom to each step", stepping leaves the view alone.
    page.uncheck("#mm-follow")
    page.click("#mm-next")
    assert page.get_attribute("#mm-diagram svg", "viewBox") == whole


# -- search --------------------------------------------------------------------------------


BLUE = "rgb(0, 114, 178)"
STROKES = """ids => ids.filter(id => Array.from(document.getElementById(id).children)
    .some(s => getComputedStyle(s).stroke === 'rgb(0, 114, 178)'))"""


def test_search_finds_a_node_by_part_of_its_label_and_zooms_to_it(pages, open_viewer) -> None:
    m = mechmap.load(KILBOURNE)
    node_ids, _ = _ids(m)
    wanted = "internal_facilitator"
    label = m.node_by_id[wanted].label  # "Internal facilitator with protected time"
    query = label[len(label) // 2 : len(label) // 2 + 9].upper()  # the middle, other case
    expected = {
        node_ids[v]
        for v in node_ids
        if query.lower() in (m.variable_info[v].node.label + " " + v).lower()
    }
    assert node_ids[wanted] in expected
    viewer = open_viewer(pages["kilbourne"], fragment="#present", **PROJECTOR, **STILL)
    page = viewer.page
    expect(page.get_by_label("Find")).to_be_visible()  # labelled for assistive technology
    page.keyboard.press("/")
    page.keyboard.type(query)
    assert set(page.evaluate(STROKES, list(node_ids.values()))) == expected
    expect(page.locator("#mm-search-status")).to_contain_text(
        "1 match" if len(expected) == 1 else f"{len(expected)} matches"
    )
    page.keyboard.press("Enter")
    port = rect(page, "#mm-diagram svg")
    node = rect(page, f"#{node_ids[wanted]}")
    assert inside(node, port)
    middle = ((node["left"] + node["right"]) / 2, (node["top"] + node["bottom"]) / 2)
    assert middle[0] == pytest.approx((port["left"] + port["right"]) / 2, abs=2)
    assert middle[1] == pytest.approx((port["top"] + port["bottom"]) / 2, abs=2)
    heights = page.evaluate(LABEL_HEIGHTS, [node_ids[wanted]])
    assert min(heights) >= 16
    expect(page.locator("#mm-search-status")).to_contain_text(label)
    page.keyboard.press("Escape")
    expect(page.locator("#mm-search")).to_have_value("")
    assert page.evaluate(STROKES, list(node_ids.values())) == []
    assert presenting(page)  # Escape cleared the search, nothing more


def test_enter_cycles_through_the_matches_of_a_variable_id(pages, open_viewer) -> None:
    m = mechmap.load(WORKING_ALLIANCE)
    node_ids, _ = _ids(m)
    matches = [v for v in node_ids if "screening@" in v]
    assert len(matches) == 3
    viewer = open_viewer(pages["alliance"], **PROJECTOR, **STILL)
    page = viewer.page
    page.fill("#mm-search", "Screening@")
    expect(page.locator("#mm-search-status")).to_contain_text("3 matches")
    seen = []
    for _ in range(4):
        page.press("#mm-search", "Enter")
        port = rect(page, "#mm-diagram svg")
        x, y = (port["left"] + port["right"]) / 2, (port["top"] + port["bottom"]) / 2
        centre = {"left": x, "top": y, "right": x, "bottom": y}
        at_centre = [v for v in matches if inside(centre, rect(page, f"#{node_ids[v]}"))]
        assert len(at_centre) == 1
        seen.append(at_centre[0])
    assert set(seen[:3]) == set(matches) and seen[3] == seen[0]  # each once, then round again


# -- tooltips ------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["present", "page"])
def test_tooltips_sit_beside_their_element_and_off_the_caption_band(
    pages, open_viewer, mode
) -> None:
    m = mechmap.load(KILBOURNE)
    node_ids, edge_ids = _ids(m)
    fragment = "#present" if mode == "present" else ""
    viewer = open_viewer(pages["kilbourne"], fragment=fragment, **PROJECTOR, **STILL)
    page = viewer.page
    for _ in range(3):
        page.keyboard.press("PageDown")
    tooltip = page.locator("#mm-tooltip")
    window = {"left": 0, "top": 0, "right": 1280, "bottom": 720}
    port = rect(page, "#mm-diagram svg")
    band = rect(page, "#mm-band")
    checked = 0
    for node in node_ids.values():
        box = rect(page, f"#{node}")
        middle = ((box["left"] + box["right"]) / 2, (box["top"] + box["bottom"]) / 2)
        point = {"left": middle[0], "top": middle[1], "right": middle[0], "bottom": middle[1]}
        if not inside(point, clipped(port, window), slack=-4):
            continue  # off screen at this zoom
        page.focus(f"#{node}")  # focus shows the details as hovering does, without a mouse
        expect(tooltip).to_be_visible()
        shown = rect(page, "#mm-tooltip")
        assert inside(shown, window), node
        assert not intersects(shown, band), node
        assert gap(shown, clipped(box, port)) <= 24, node
        checked += 1
        page.mouse.move(*middle)
        shown = rect(page, "#mm-tooltip")
        assert not intersects(shown, band) and gap(shown, clipped(box, port)) <= 24, node
    assert checked >= 3
    step = m.teaching_steps()[2]
    for link in step.edge.links:
        x, y = page.evaluate(ARROW_MIDDLE, edge_ids[link])
        page.mouse.move(1, 1)
        page.mouse.move(x, y)
        expect(tooltip).to_contain_text(f"#{step.edge.arrow}")
        shown = rect(page, "#mm-tooltip")
        assert inside(shown, window) and not intersects(shown, band)
        assert gap(shown, {"left": x, "top": y, "right": x, "bottom": y}) <= 24
    if mode == "present":
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=SHOTS / "kilbourne-present-tooltip.png")


# -- the shortcuts list --------------------------------------------------------------------


def test_question_mark_lists_the_keys_and_escape_closes_only_the_list(pages, open_viewer) -> None:
    viewer = open_viewer(pages["lesson"], fragment="#present", **PROJECTOR, **STILL)
    page = viewer.page
    keys = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(keys).to_be_hidden()
    page.keyboard.press("?")
    expect(keys).to_be_visible()
    for key in ("PageDown", "Shift", "Escape", "#present"):
        expect(keys).to_contain_text(key)
    page.keyboard.press("PageDown")  # keys do nothing behind the list
    page.keyboard.press("Escape")
    expect(keys).to_be_hidden()
    assert presenting(page)
    expect(page.locator("#mm-caption")).to_contain_text("No arrow revealed yet")
    page.click("#mm-keys-button")
    expect(keys).to_be_visible()
    page.click("#mm-keys-close")
    expect(keys).to_be_hidden()
