"""Path-test reports: HTML and Markdown written from example ``mechmap test --json`` results.

The expected answers come from the result files and the map (site labels, verdicts, the
estimated slopes, the palette), read back out of the written page: the page is parsed, not
searched as text, so a label that is escaped in one place and raw in another is caught.
"""

from __future__ import annotations

import base64
import copy
import itertools
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

import mechmap
from mechmap.diagrams.render import RendererMissing, draw
from mechmap.reports import report_bytes, write_report
from mechmap.reports.html import CSP
from tests.conftest import DATA, ROOT

MAP_FILE = ROOT / "maps" / "yakovchenko-2025-working-alliance.yaml"
RESULTS = DATA / "results"
EXAMPLES = ("site-level", "respondent-synthetic")
HOSTILE = "<script>alert(1)</script>"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def alliance() -> mechmap.Map:
    return mechmap.load(MAP_FILE)


def _result(name: str) -> dict:
    return json.loads((RESULTS / f"{name}.json").read_text(encoding="utf-8"))


# -- a small DOM from html.parser ----------------------------------------------------------

_VOID = {"meta", "link", "br", "img", "input", "hr", "source", "wbr", "area", "base", "col"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    children: list[Element | str] = field(default_factory=list)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self) -> Iterator[Element]:
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(self, tag: str, **attrs: str) -> list[Element]:
        return [
            e
            for e in self.iter()
            if e.tag == tag and all(e.attrs.get(k) == v for k, v in attrs.items())
        ]

    def by_id(self, ident: str) -> Element:
        found = [e for e in self.iter() if e.attrs.get("id") == ident]
        assert len(found) == 1, f"{len(found)} elements with id {ident}"
        return found[0]


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs) -> None:
        element = Element(tag, dict(attrs))
        self.stack[-1].children.append(element)
        if tag not in _VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs) -> None:
        self.stack[-1].children.append(Element(tag, dict(attrs)))

    def handle_endtag(self, tag) -> None:
        if tag in _VOID:
            return
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
        self.stack.pop()

    def handle_data(self, data) -> None:
        self.stack[-1].children.append(data)


def parse(page: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(page)
    builder.close()
    assert builder.stack == [builder.root], "unclosed elements"
    return builder.root


@pytest.fixture(scope="module")
def pages(alliance, tmp_path_factory) -> dict[str, tuple[str, Element]]:
    folder = tmp_path_factory.mktemp("reports")
    made = {}
    for name in EXAMPLES:
        path = folder / f"{name}.html"
        write_report(path, alliance, _result(name))
        text = path.read_text(encoding="utf-8")
        made[name] = (text, parse(text))
    return made


def _svg_text(svg: Element) -> list[str]:
    return [t.text() for t in svg.find_all("text")]


# -- the examples follow the result format -------------------------------------------------

EFFECT_KEYS = {
    "estimate", "standardized", "ci", "ci_method", "ci_bootstrap", "identifiable", "reason"
}  # fmt: skip
LINK_KEYS = EFFECT_KEYS | {
    "from", "to", "p_value", "method", "n", "level", "adjustment_set", "estimand",
    "kendall_tau", "spearman_rho", "minimum_detectable_r", "verdict", "points", "kind", "model",
    "assumptions", "df", "p_permutation",
}  # fmt: skip
VERDICTS = {"supported", "contradicted", "inconclusive", "not identifiable", "measurement"}
# Colours of Okabe & Ito's colour-blind-safe palette, one per verdict.
OKABE_ITO = {
    "supported": "#0072b2",  # blue
    "contradicted": "#d55e00",  # vermillion
    "inconclusive": "#cc79a7",  # reddish purple
    "not identifiable": "#999999",  # grey
    "measurement": "#009e73",  # bluish green
}


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_examples_follow_the_result_format(name: str, alliance) -> None:
    result = _result(name)
    assert set(result) == {
        "map", "title", "synthetic", "data", "path", "links", "refutations", "falsification",
        "checklist", "power", "warnings", "assumptions", "identification", "reproduce",
    }  # fmt: skip
    assert set(result["data"]) == {
        "sources", "level", "n_sites", "n_rows", "dropped", "aggregation"
    }  # fmt: skip
    path = result["path"]
    for key in ("indirect_effect", "direct_effect", "total_effect"):
        assert set(path[key]) == EFFECT_KEYS
    for specific in path.get("specific_indirect_effects", []):
        assert set(specific) == EFFECT_KEYS | {"chain"}
    assert path["verdict"] in VERDICTS
    for link in result["links"]:
        assert set(link) - {"correlation"} == LINK_KEYS
        assert ("correlation" in link) == (link["kind"] == "measurement")
        assert (link["verdict"] == "measurement") == (link["kind"] == "measurement")
        assert link["verdict"] in VERDICTS
        assert (link["estimate"] is None) == (not link["identifiable"])
        assert set(link["points"]) == {"x", "y", "labels", "kind"}
        assert (
            len(link["points"]["x"]) == len(link["points"]["labels"]) == result["data"]["n_sites"]
        )
        assert (link["from"], link["to"]) in alliance.edge_of
    arrows = {(x["from"], x["to"]) for x in result["links"]}
    assert arrows == {a for chain in path["chains"] for a in itertools.pairwise(chain)}
    assert [c["criterion"] for c in result["checklist"]] == [
        "strong association", "specificity", "consistency", "experimental manipulation",
        "timeline", "gradient", "plausibility",
    ]  # fmt: skip
    for refutation in result["refutations"]:
        assert set(refutation) - {"per_site", "e_value"} == {
            "name", "target", "original", "new", "ci", "passed", "detail", "share", "rule"
        }  # fmt: skip
        assert ("e_value" in refutation) == (refutation["name"] == "unobserved confounder")
    identification = result["identification"]
    if identification is not None:
        assert set(identification) == {
            "suggestions", "identifiable_subpaths", "identifiable_hypotheses", "sensitivity"
        }  # fmt: skip
    assert set(result["reproduce"]) == {
        "command", "mechmap_version", "seed", "date", "map", "data", "measures"
    }  # fmt: skip
    assert set(result["power"]) == {"n", "minimum_detectable_r", "note"}


def test_the_site_level_example_has_each_kind_of_link() -> None:
    verdicts = [x["verdict"] for x in _result("site-level")["links"]]
    assert {"supported", "inconclusive", "not identifiable"} <= set(verdicts)
    synthetic = _result("respondent-synthetic")
    assert synthetic["synthetic"] and synthetic["data"]["level"] == "respondent"


# -- HTML ----------------------------------------------------------------------------------


def test_a_synthetic_report_says_so_first_and_in_every_figure(pages) -> None:
    _, page = pages["respondent-synthetic"]
    body = page.find_all("body")[0]
    first = next(c for c in body.children if isinstance(c, Element))
    assert first.attrs.get("class") == "mm-banner"
    assert first.text().startswith("SYNTHETIC DATA")
    assert "SYNTHETIC DATA" in page.find_all("title")[0].text()
    figures = page.find_all("figure")
    assert len(figures) == 1 + 4 + 1  # the map, a scatter per link, the forest plot
    for figure in figures:
        assert "SYNTHETIC DATA" in figure.find_all("figcaption")[0].text()
    for figure in figures[1:]:  # matplotlib plots: the title is drawn in the figure too
        assert any("SYNTHETIC DATA" in t for t in _svg_text(figure.find_all("svg")[0]))


def test_a_report_on_real_data_has_no_synthetic_label(pages) -> None:
    text, page = pages["site-level"]
    assert "SYNTHETIC" not in text
    assert not [e for e in page.iter() if e.attrs.get("class") == "mm-banner"]


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_figure_and_table_states_n_and_level(name, pages) -> None:
    result = _result(name)
    n_sites = result["data"]["n_sites"]
    _, page = pages[name]
    captions = [c.text() for c in page.find_all("figcaption") + page.find_all("caption")]
    assert len(captions) >= 10
    for caption in captions:
        if caption.startswith("The inputs' SHA-256"):  # files, not an analysis
            continue
        assert re.search(rf"n = (\d+ respondents in )?{n_sites} sites", caption), caption
    level = result["data"]["level"]
    for caption in page.find_all("figcaption"):
        assert f"{level} level" in caption.text()
    for figure in page.find_all("figure")[1:]:
        title = " ".join(_svg_text(figure.find_all("svg")[0]))
        assert f"{n_sites} sites" in title and f"{level} level" in title


@pytest.mark.parametrize("name", EXAMPLES)
def test_each_link_has_a_scatter_plot_of_its_sites_with_the_estimated_slope(name, pages) -> None:
    result = _result(name)
    _, page = pages[name]
    for i, link in enumerate(result["links"], start=1):
        figure = page.by_id(f"fig-scatter-{i}")
        svg = figure.find_all("svg")[0]
        points = link["points"]
        # Every site is a point, and labelled.
        marks = svg.by_id(f"scatter-{i}-sites").find_all("use")
        assert len(marks) == len(points["x"])
        assert set(points["labels"]) <= set(_svg_text(svg))
        # The points' pixel positions map linearly onto their data values, so the same map
        # turns the drawn line back into data units.
        px = np.array([float(m.attrs["x"]) for m in marks])
        py = np.array([float(m.attrs["y"]) for m in marks])
        ax, bx = np.polyfit(points["x"], px, 1)
        ay, by = np.polyfit(points["y"], py, 1)
        np.testing.assert_allclose(ax * np.array(points["x"]) + bx, px, atol=0.01)
        caption = figure.find_all("figcaption")[0].text()
        assert link["verdict"] in caption
        if link["kind"] == "measurement":  # described by its correlation, not a slope
            assert not [e for e in svg.iter() if e.attrs.get("id") == f"scatter-{i}-slope"]
            continue
        if not link["identifiable"]:
            assert not [e for e in svg.iter() if e.attrs.get("id") == f"scatter-{i}-slope"]
            assert "not identifiable" in caption
            continue
        line = svg.by_id(f"scatter-{i}-slope").find_all("path")[0].attrs["d"]
        (x0, y0), (x1, y1) = (
            (float(a), float(b)) for a, b in re.findall(r"([-\d.]+) ([-\d.]+)", line)
        )
        data_x = [(x0 - bx) / ax, (x1 - bx) / ax]
        data_y = [(y0 - by) / ay, (y1 - by) / ay]
        slope = (data_y[1] - data_y[0]) / (data_x[1] - data_x[0])
        assert slope == pytest.approx(link["estimate"], rel=1e-3)
        # Through the mean of the points.
        at_mean = data_y[0] + slope * (np.mean(points["x"]) - data_x[0])
        assert at_mean == pytest.approx(np.mean(points["y"]), abs=1e-3 * np.ptp(points["y"]))
        if points["kind"] == "adjusted":
            assert "residual" in " ".join(_svg_text(svg))
            assert "Added-variable plot" in caption


def _label(m: mechmap.Map, variable: str) -> str:
    """A variable as the report names it: its label, and its wave for one copy of several."""
    info = m.variable_info[variable]
    if "@" not in variable:
        return info.node.label
    wave = next(w.label for w in m.waves if w.id == info.wave).split(" (")[0]
    return f"{info.node.label} ({wave})"


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_forest_plot_shows_identifiable_effects_and_names_the_others(
    name, pages, alliance
) -> None:
    result = _result(name)
    _, page = pages[name]
    svg = page.by_id("fig-forest").find_all("svg")[0]
    # Tick labels wrap over lines; a leading space keeps "direct" from matching "indirect".
    drawn = " " + re.sub(r"\s+", " ", " ".join(_svg_text(svg)))
    path = result["path"]
    effects = [
        (f"{_label(alliance, x['from'])} → {_label(alliance, x['to'])}", x) for x in result["links"]
    ]
    effects += [("indirect effect", path["indirect_effect"])]
    effects += [("direct effect", path["direct_effect"]), ("total effect", path["total_effect"])]
    effects += [
        (f"indirect effect via {_label(alliance, s['chain'][1])}", s)
        for s in path.get("specific_indirect_effects", [])
    ]
    listed = " ".join(li.text() for li in page.find_all("li"))
    for label, effect in effects:
        if effect.get("kind") == "measurement":
            assert f" {label}" not in drawn
            assert f"{label}: a measurement link, not an effect" in listed
        elif effect["identifiable"]:
            assert f" {label}" in drawn
        else:
            assert f" {label}" not in drawn
            assert f"{label}: {effect['reason']}" in listed


def test_the_map_colours_and_labels_each_path_arrow_by_its_verdict(alliance, pages) -> None:
    for name in EXAMPLES:
        result = _result(name)
        _, page = pages[name]
        diagram = page.by_id("fig-map").find_all("svg")[0]
        edge_ids = draw(alliance).edge_ids
        for link in result["links"]:
            edge = diagram.by_id(edge_ids[(link["from"], link["to"])])
            colour = OKABE_ITO[link["verdict"]]
            assert edge.find_all("path")[0].attrs["stroke"].lower() == colour
            assert link["verdict"] in edge.text()
        legend = page.find_all("ul", **{"class": "mm-legend"})[0].text()
        for verdict in VERDICTS:
            assert verdict in legend


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_page_is_offline_and_well_formed(name, pages) -> None:
    text, page = pages[name]
    assert (
        page.find_all("meta", **{"http-equiv": "Content-Security-Policy"})[0].attrs["content"]
        == CSP
    )
    assert "script-src" not in CSP and "default-src 'none'" in CSP
    assert not page.find_all("script")
    for element in page.iter():
        for attribute, value in element.attrs.items():
            if attribute in ("src", "href", "xlink:href", "action", "srcset", "poster"):
                assert not re.match(r"\s*(https?:)?//", value or ""), (element.tag, value)
            assert not attribute.startswith("on"), (element.tag, attribute)
    ids = [e.attrs["id"] for e in page.iter() if "id" in e.attrs]
    assert len(ids) == len(set(ids)), "duplicate ids"
    for svg in re.findall(r"<svg\b.*?</svg>", text, re.S):
        ET.fromstring(svg)  # each inline drawing is well-formed XML


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_tables_hold_the_results(name, pages, alliance) -> None:
    result = _result(name)
    _, page = pages[name]
    tables = {t.find_all("caption")[0].text().split(" (")[0]: t for t in page.find_all("table")}
    links = tables["Each arrow of the path"]
    rows = [[td.text() for td in tr.find_all("td")] for tr in links.find_all("tr")[1:]]
    # The label first, the id after it in small type.
    assert [r[0] for r in rows] == [
        f"{_label(alliance, x['from'])} → {_label(alliance, x['to'])} {x['from']} -> {x['to']}"
        for x in result["links"]
    ]
    ids = [tr.find_all("small")[0].text() for tr in links.find_all("tr")[1:]]
    assert ids == [f"{x['from']} -> {x['to']}" for x in result["links"]]
    assert [r[-1] for r in rows] == [x["verdict"] for x in result["links"]]
    checklist = tables["Kazdin's"]
    statuses = [tr.find_all("td")[1].text() for tr in checklist.find_all("tr")[1:]]
    assert statuses == [c["status"] for c in result["checklist"]]
    for refutation in result["refutations"]:
        if refutation.get("per_site"):
            caption = f"Leave one site out, {refutation['target']}: the estimate without each site"
            table = tables[caption]
            sites = [tr.find_all("td")[0].text() for tr in table.find_all("tr")[1:]]
            assert sites == [s["site"] for s in refutation["per_site"]]
    holm = tables["Independencies the map implies among measured variables, tested by partial"
                  " correlation over site means"]  # fmt: skip
    assert len(holm.find_all("tr")) - 1 == len(result["falsification"]["tests"])


# -- escaping ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile(alliance) -> tuple[mechmap.Map, dict]:
    text = MAP_FILE.read_text(encoding="utf-8").replace(
        "label: Working alliance, overall (WAI-S)", f"label: '{HOSTILE} | `x` [a](javascript:b)'"
    )
    m = mechmap.loads(text)
    result = _result("site-level")
    result["links"][0]["points"]["labels"][0] = "</svg><script>alert(2)</script>"
    result["links"][0]["points"]["labels"][1] = "costs $5 and $6 | a\nb"
    result["warnings"] = ['<img src=x onerror="alert(3)"> & done | `tick`\nnext line']
    result["data"]["dropped"][0]["reason"] = "<b>bold</b> | pipe"
    return m, result


def test_hostile_labels_are_escaped_in_html(hostile, tmp_path) -> None:
    m, result = hostile
    path = tmp_path / "hostile.html"
    write_report(path, m, result)
    text = path.read_text(encoding="utf-8")
    assert HOSTILE not in text
    assert "<script" not in text and "<img" not in text and "<b>" not in text
    page = parse(text)
    assert not page.find_all("script") and not page.find_all("img")
    shown = page.text()
    assert f"{HOSTILE} | `x` [a](javascript:b)" in shown  # shown as the text it is
    assert '<img src=x onerror="alert(3)"> & done' in shown
    scatter = page.by_id("fig-scatter-1").find_all("svg")[0]
    assert "</svg><script>alert(2)</script>" in _svg_text(scatter)
    assert "costs $5 and $6 | a" in _svg_text(scatter)  # no mathtext (a line per line)
    assert any(HOSTILE in t for t in _svg_text(scatter))  # the axis label


def test_hostile_labels_are_escaped_in_markdown(hostile, tmp_path) -> None:
    m, result = hostile
    path = tmp_path / "hostile.md"
    write_report(path, m, result)
    text = path.read_text(encoding="utf-8")
    # No HTML but our own folding of the falsification table: every other < is an entity.
    ours = re.sub(r"^(<details>|<summary>The table</summary>|</details>)$", "", text, flags=re.M)
    assert "<" not in ours
    assert r"&lt;script&gt;alert(1)&lt;/script&gt; \| \`x\`" in text
    assert not re.search(r"(?<!\\)\]\(javascript", text)  # no link
    assert r'&lt;img src=x onerror="alert(3)"&gt; &amp; done \| \`tick\` next line' in text
    _check_markdown_tables(text)


# -- Markdown ------------------------------------------------------------------------------


def _cells(row: str) -> list[str]:
    assert row.startswith("| ") and row.endswith(" |"), row
    return re.split(r"(?<!\\) \| ", row[2:-2])


def _check_markdown_tables(text: str) -> int:
    tables = 0
    for block in text.split("\n\n"):
        lines = block.split("\n")
        if not lines[0].startswith("|"):
            assert not any(line.startswith("|") for line in lines), block
            continue
        tables += 1
        header = _cells(lines[0])
        assert all(re.fullmatch(r"---:?", c) for c in _cells(lines[1])), lines[1]
        assert len(_cells(lines[1])) == len(header)
        for line in lines[2:]:
            assert len(_cells(line)) == len(header), line
    return tables


@pytest.mark.parametrize("name", EXAMPLES)
def test_markdown_reports_have_well_formed_tables_and_embedded_figures(
    name, alliance, tmp_path
) -> None:
    result = _result(name)
    path = tmp_path / f"{name}.md"
    write_report(path, alliance, result)
    text = path.read_text(encoding="utf-8")
    assert _check_markdown_tables(text) >= 8
    images = re.findall(r"!\[(.*?)(?<!\\)\]\(data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)\)", text)
    assert len(images) == 1 + len(result["links"]) + 1
    for alt, data in images:
        svg = ET.fromstring(base64.b64decode(data))
        assert svg.tag == f"{SVG}svg"
        assert ("SYNTHETIC DATA" in alt) == result["synthetic"]
    assert not re.search(r"https?://", re.sub(r"data:[^)]*", "", text))
    if result["synthetic"]:
        assert text.startswith("> **SYNTHETIC DATA")
    assert f"n = {result['data']['n_sites']} sites" in text or "in 12 sites" in text


# -- files ---------------------------------------------------------------------------------


def test_an_existing_report_is_kept_unless_forced(alliance, tmp_path) -> None:
    result = _result("site-level")
    path = tmp_path / "report.html"
    path.write_text("keep me", encoding="utf-8")
    with pytest.raises(FileExistsError, match="--force"):
        write_report(path, alliance, result)
    assert path.read_text(encoding="utf-8") == "keep me"
    write_report(path, alliance, result, force=True)
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]  # no temporary left


@pytest.mark.parametrize("name", ["report.pdf", "report", "report.html.txt"])
def test_only_html_and_markdown_names_are_taken(name, alliance, tmp_path) -> None:
    with pytest.raises(ValueError, match=r"\.html, \.htm or \.md"):
        write_report(tmp_path / name, alliance, _result("site-level"))
    assert not list(tmp_path.iterdir())


def test_reports_are_reproducible_byte_for_byte(alliance) -> None:
    result = _result("respondent-synthetic")
    for name in ("a.html", "a.md", "a.HTM"):
        first = report_bytes(Path(name), alliance, result)
        assert first == report_bytes(Path(name), alliance, copy.deepcopy(result))


def test_a_result_that_does_not_fit_is_refused(alliance) -> None:
    result = _result("site-level")
    with pytest.raises(ValueError, match=r"result\['links'\]\[0\]\['ci'\]\[1\] is nan"):
        bad = copy.deepcopy(result)
        bad["links"][0]["ci"][1] = float("nan")
        report_bytes(Path("r.html"), alliance, bad)
    with pytest.raises(ValueError, match="is for map 'other'"):
        report_bytes(Path("r.html"), alliance, {**result, "map": "other"})
    with pytest.raises(ValueError, match="no 'checklist'"):
        report_bytes(Path("r.md"), alliance, {k: v for k, v in result.items() if k != "checklist"})
    with pytest.raises(ValueError, match="names nowhere, which map"):
        bad = copy.deepcopy(result)
        bad["path"]["chains"][0][0] = "nowhere"
        report_bytes(Path("r.md"), alliance, bad)


def test_without_a_layout_engine_the_report_says_why_the_map_is_missing(
    alliance, monkeypatch
) -> None:
    import mechmap.diagrams.render as render

    def missing(dot: str, fmt: str) -> bytes:
        raise RendererMissing("no Graphviz layout engine found")

    monkeypatch.setattr(render, "run_engine", missing)
    page = parse(report_bytes(Path("r.html"), alliance, _result("site-level")).decode())
    figure = page.by_id("fig-map")
    assert not figure.find_all("svg")
    assert "could not be drawn here: no Graphviz layout engine found" in figure.text()


def test_importing_reports_does_not_import_matplotlib() -> None:
    code = "import sys, mechmap.reports; print('matplotlib' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "False"


# -- render's arrow colours ---------------------------------------------------------------


def test_draw_colours_and_labels_chosen_arrows(alliance) -> None:
    arrow = ("wai", "goal")
    drawing = draw(alliance, edge_colors={arrow: "#0072B2"}, edge_labels={arrow: "supported"})
    line = next(x for x in drawing.dot.splitlines() if f'id="{drawing.edge_ids[arrow]}"' in x)
    assert 'color="#0072B2"' in line and 'label="+ supported"' in line
    others = [x for x in drawing.dot.splitlines() if "#0072B2" in x]
    assert others == [line]
    with pytest.raises(ValueError, match="no such arrow"):
        draw(alliance, edge_colors={("goal", "wai"): "#000000"})


# -- in a browser --------------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")


def test_the_html_report_opens_in_chromium_without_errors_or_requests(pages, tmp_path) -> None:
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing; bash scripts/test.sh installs it"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    path = tmp_path / "report.html"
    path.write_text(pages["respondent-synthetic"][0], encoding="utf-8")
    problems: list[str] = []
    requests: list[str] = []
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("request", lambda request: requests.append(request.url))
        page.goto(path.as_uri())
        banner = page.locator(".mm-banner")
        assert banner.is_visible() and banner.bounding_box()["y"] < 100
        drawn = page.evaluate(
            "Array.from(document.querySelectorAll('figure svg'))"
            ".map(s => s.getBoundingClientRect().width > 100)"
        )
        folded = page.evaluate("Array.from(document.querySelectorAll('details')).map(d => d.open)")
        widths = {}
        for width in (1280, 800):
            page.set_viewport_size({"width": width, "height": 900})
            widths[width] = page.evaluate(_OVERFLOW)
        browser.close()
    assert problems == []
    assert requests == [path.as_uri()]
    assert drawn == [True] * 6
    assert folded == [False]
    for width, (page_width, wider) in widths.items():
        assert page_width <= width, f"the page scrolls sideways at {width} px"
        assert wider == [], f"wider than their box at {width} px: {wider}"


# The page's own width, and every element that is wider than the box it sits in (a table
# that would scroll, a map that would be cut off).
_OVERFLOW = """() => [
  document.documentElement.scrollWidth,
  Array.from(document.querySelectorAll('.mm-table, .mm-svg, pre, figure, main'))
    .filter(e => e.scrollWidth > e.clientWidth + 1)
    .map(e => e.className || e.tagName)
    .concat(Array.from(document.querySelectorAll('figure svg'))
      .filter(s => s.getBoundingClientRect().right
                   > s.parentElement.getBoundingClientRect().right + 1)
      .map(s => s.closest('figure').id)),
]"""


def test_small_p_values_print_as_a_bound_everywhere(alliance, capsys) -> None:
    from mechmap.reports import print_report

    result = _result("site-level")
    assert any(x["p_value"] == 0.0001 for x in result["links"] if x["p_value"] is not None)
    print_report(alliance, result)
    printed = capsys.readouterr().out
    assert "< 0.001" in printed and "0.0001" not in printed and "1e-04" not in printed


# -- what a co-investigator reads first ----------------------------------------------------


def _section(page: Element, heading: str) -> str:
    """The text from a heading to the next heading of the same or a higher level."""
    main = page.find_all("main")[0]
    elements = [c for c in main.children if isinstance(c, Element)]
    start = next(i for i, e in enumerate(elements) if e.tag[0] == "h" and e.text() == heading)
    level = elements[start].tag
    end = next(
        (i for i in range(start + 1, len(elements)) if elements[i].tag[0] == "h"
         and elements[i].tag <= level),
        len(elements),
    )  # fmt: skip
    return " ".join(e.text() for e in elements[start:end])


def test_the_report_opens_with_a_plain_summary_and_ends_with_its_reproduction(pages) -> None:
    _, page = pages["site-level"]
    headings = [h.text() for h in page.find_all("h2")]
    assert headings[:3] == ["Summary", "What would make it identifiable", "Details"]
    assert headings[-1] == "What reproduces this result"
    found = _section(page, "What was found")
    assert (
        "Working alliance, overall (WAI-S) was associated with Goal: agreed implementation "
        "goals in the expected direction (estimate 1.14, 95% interval 0.779 to 1.28)" in found
    )
    # Inconclusive is never "no effect".
    assert "stays open" in found and "not evidence that there is no effect" in found
    assert "cannot be estimated from these data under this map" in found
    tested = _section(page, "What was tested")
    assert "n = 11 sites" not in tested and "11 sites, one row per site" in tested
    shows = _section(page, "What this does and does not show")
    assert "not proof of it" in shows and "the map is right about which arrows" in shows
    _, respondent = pages["respondent-synthetic"]
    tested = _section(respondent, "What was tested")
    assert "40 respondents in 12 sites" in tested
    found = _section(respondent, "What was found")
    assert "is read as a measure of Working alliance, overall (WAI-S), not as an effect" in found


def test_an_unidentifiable_effect_gets_what_would_identify_it(pages) -> None:
    _, page = pages["site-level"]
    section = _section(page, "What would make it identifiable")
    assert (
        "Measuring Site context (readiness, resources, how hard the site finds the change) "
        "(site_context) would make GTI process fidelity" in section
    )
    assert "mechmap test ... --path 'wai -> goal -> fidelity'" in section
    assert "dose-alliance: More facilitation builds a stronger alliance" in section
    tables = [t for t in page.find_all("table") if "partial R²" in t.find_all("caption")[0].text()]
    (table,) = tables
    rows = [[td.text() for td in tr.find_all("td")] for tr in table.find_all("tr")[1:]]
    sensitivity = _result("site-level")["identification"]["sensitivity"][0]
    assert [r[:3] for r in rows] == [
        [f"{x['r2_cause']:.3g}", f"{x['r2_effect']:.3g}", f"{x['estimate']:.3g}"]
        for x in sensitivity["rows"]
    ]
    _, identified = pages["respondent-synthetic"]
    assert "What would make it identifiable" not in [h.text() for h in identified.find_all("h2")]


def test_every_warning_is_listed(pages) -> None:
    _, page = pages["respondent-synthetic"]
    warnings = _section(page, "Warnings")
    for warning in _result("respondent-synthetic")["warnings"]:
        assert warning in warnings
    assert "None." not in warnings


def test_the_falsification_table_is_folded_under_its_summary(pages) -> None:
    _, page = pages["site-level"]
    (folded,) = page.find_all("details")
    assert (
        folded.find_all("summary")[0].text() == "1 of 2 implied independencies violated: the table"
    )
    assert folded.find_all("table")


def test_the_reproduction_names_the_command_and_each_file_hash(pages) -> None:
    _, page = pages["site-level"]
    reproduce = _result("site-level")["reproduce"]
    section = _section(page, "What reproduces this result")
    assert page.find_all("pre")[-1].text() == reproduce["command"]
    for entry in [reproduce["map"], *reproduce["data"]]:
        assert entry["path"] in section and entry["sha256"] in section
    assert f"random seed: {reproduce['seed']}" in section and reproduce["date"] in section


# -- the terminal ---------------------------------------------------------------------------


def test_the_terminal_shows_the_same_report_without_figures_and_escapes_markup(
    hostile, capsys
) -> None:
    from mechmap.reports import print_report

    m, result = hostile
    result = copy.deepcopy(result)
    result["warnings"].append("[bold red]not markup[/bold red] [link=http://x]y[/link]")
    print_report(m, result)
    printed = capsys.readouterr().out
    assert "[bold red]not markup[/bold red] [link=http://x]y[/link]" in printed
    assert f"{HOSTILE} | `x` [a](javascript:b)" in printed
    for heading in ("SUMMARY", "What was found", "WHAT WOULD MAKE IT IDENTIFIABLE", "DETAILS"):
        assert heading in printed
    # The folded table: its summary line and only the violated row.
    assert "1 of 2 implied independencies violated" in printed
    assert "wai ⊥ screening@base" in printed and "goal ⊥ screening@impl" not in printed
    assert "<svg" not in printed
    assert result["reproduce"]["command"] in printed  # one unwrapped line, to copy
