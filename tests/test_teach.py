"""``mechmap teach``: 16:9 slides per teaching step, an outline and a PowerPoint deck, each
checked file by file as the real command wrote it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mechmap
from mechmap.diagrams import teach
from mechmap.diagrams.render import DIMMED, HIGHLIGHT, RendererMissing, draw
from mechmap.mapfile.validation import check_file
from mechmap.reports.markdown import escape
from tests.conftest import ROOT, run_mechmap

LESSON = ROOT / "tests" / "data" / "teaching" / "maps" / "lesson.yaml"
KILBOURNE = ROOT / "maps" / "kilbourne-2023-facilitation.yaml"
SVG = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SCREEN = (1920, 1080)
LESSON_FILES = [
    "deck.pptx",
    "outline.md",
    "step-01.png",
    "step-01.svg",
    "step-02.png",
    "step-02.svg",
    "step-03.png",
    "step-03.svg",
]
LESSON_OUTLINE = """\
# A lesson in three steps

1. **#2 Trust in the coach @t1 → Uptake of the practice** (`trust@t1 -> uptake`)
   Start from the outcome: uptake follows trust.
   - contradicts (A coaching trial in eight clinics): Trust in the coach did not predict \
uptake in the smaller clinics.
   - slide: `step-01.png`, `step-01.svg`

2. **#1 Coaching visits → Trust in the coach** (`coaching -> trust`)
   Coaching builds trust at every wave.
   - supports (A coaching trial in eight clinics): Clinics with more coaching visits reported \
more trust in their coach.
   - slide: `step-02.png`, `step-02.svg`

3. **#3 Site capacity → Uptake of the practice** (`capacity -> uptake`)
   - no vignette bears on this arrow
   - slide: `step-03.png`, `step-03.svg`
"""


@pytest.fixture(scope="module")
def slides(tmp_path_factory) -> Path:
    """The lesson's slides, written by the real command into a folder that did not exist."""
    folder = tmp_path_factory.mktemp("teach") / "new" / "slides"
    result = run_mechmap("teach", str(LESSON), "-o", str(folder))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"wrote 3 steps (8 files) to {folder}"
    return folder


@pytest.fixture(scope="module")
def kilbourne(tmp_path_factory) -> Path:
    """The Kilbourne map's 49 steps, written by the real command."""
    folder = tmp_path_factory.mktemp("teach") / "kilbourne"
    result = run_mechmap("teach", str(KILBOURNE), "-o", str(folder))
    assert result.returncode == 0, result.stderr
    return folder


def _checked(source: Path):
    checked = check_file(source)
    assert checked.map is not None
    return checked


def _steps(source: Path):
    m = _checked(source).map
    return m, m.teaching_steps()


def _lit_arrows(svg: bytes, edge_ids: dict[tuple[str, str], str]) -> set[tuple[str, str]]:
    """The arrows drawn in colour (not faded) on a slide."""
    groups = {g.get("id"): g for g in ET.fromstring(svg).iter(f"{SVG}g")}
    return {
        arrow
        for arrow, edge_id in edge_ids.items()
        if groups[edge_id].find(f"{SVG}path").get("stroke").lower() != DIMMED.lower()
    }


def test_one_svg_and_one_png_per_step_an_outline_a_deck_and_nothing_else(slides: Path) -> None:
    assert sorted(p.name for p in slides.iterdir()) == LESSON_FILES
    for png in slides.glob("*.png"):
        assert png.read_bytes().startswith(PNG_SIGNATURE)


def _png_size(png: bytes) -> tuple[int, int]:
    assert png.startswith(PNG_SIGNATURE) and png[12:16] == b"IHDR"
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def _view_box(svg: bytes) -> tuple[float, float]:
    _, _, width, height = map(float, ET.fromstring(svg).get("viewBox").split())
    return width, height


@pytest.mark.parametrize("folder", ["slides", "kilbourne"])
def test_every_slide_is_16_by_9_for_a_1920_by_1080_screen(folder: str, request) -> None:
    written = request.getfixturevalue(folder)
    names = sorted(p.stem for p in written.glob("step-*.svg"))
    assert names == sorted(p.stem for p in written.glob("step-*.png")) and names
    for name in names:
        assert _png_size((written / f"{name}.png").read_bytes()) == SCREEN, name
        width, height = _view_box((written / f"{name}.svg").read_bytes())
        assert width / height == pytest.approx(16 / 9, rel=0.01), name


def _svg_text(svg: bytes) -> str:
    """All the words on a slide, in document order, one space apart (wrapped lines joined)."""
    words = " ".join(t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text"))
    return " ".join(words.split())


@pytest.mark.parametrize(("folder", "source"), [("slides", LESSON), ("kilbourne", KILBOURNE)])
def test_each_slide_shows_its_title_and_its_caption(folder: str, source: Path, request) -> None:
    written = request.getfixturevalue(folder)
    m, steps = _steps(source)
    for k, step in enumerate(steps, 1):
        text = _svg_text((written / f"step-{k:02d}.svg").read_bytes())
        title = teach.step_title(m, k, len(steps), step.edge)
        number = f"#{step.edge.arrow} " if step.edge.arrow is not None else ""
        assert title == f"Step {k} of {len(steps)} · {number}{teach.arrow_text(m, step.edge)}"
        assert title in text
        assert " ".join(teach.step_caption(m, step).split()) in text


def test_the_lesson_titles_read_as_the_issue_asks() -> None:
    m, steps = _steps(LESSON)
    titles = [teach.step_title(m, k, len(steps), s.edge) for k, s in enumerate(steps, 1)]
    assert titles == [
        "Step 1 of 3 · #2 Trust in the coach @t1 → Uptake of the practice",
        "Step 2 of 3 · #1 Coaching visits → Trust in the coach",
        "Step 3 of 3 · #3 Site capacity → Uptake of the practice",
    ]


def _strokes(svg: bytes, edge_ids: dict[tuple[str, str], str]) -> dict[tuple[str, str], tuple]:
    """Each arrow's line colour and width on a slide."""
    groups = {g.get("id"): g for g in ET.fromstring(svg).iter(f"{SVG}g")}
    strokes = {}
    for arrow, edge_id in edge_ids.items():
        path = groups[edge_id].find(f"{SVG}path")
        strokes[arrow] = (path.get("stroke").lower(), float(path.get("stroke-width", "1")))
    return strokes


@pytest.mark.parametrize(("folder", "source"), [("slides", LESSON), ("kilbourne", KILBOURNE)])
def test_the_current_step_is_thick_vermillion_and_earlier_steps_black(
    folder: str, source: Path, request
) -> None:
    written = request.getfixturevalue(folder)
    m, steps = _steps(source)
    edge_ids = dict(draw(m).edge_ids)
    earlier: set[tuple[str, str]] = set()
    for k, step in enumerate(steps, 1):
        strokes = _strokes((written / f"step-{k:02d}.svg").read_bytes(), edge_ids)
        current = set(step.edge.links)
        for arrow in current:
            assert strokes[arrow][0] == HIGHLIGHT.lower(), (k, arrow)
        for arrow in earlier - current:
            assert strokes[arrow][0] == "black", (k, arrow)
        thin = {strokes[a][1] for a in earlier - current}
        assert all(strokes[a][1] > max(thin, default=0) for a in current), k
        for arrow in set(edge_ids) - earlier - current:
            assert strokes[arrow][0] != HIGHLIGHT.lower(), (k, arrow)
        earlier |= current


def test_each_slide_colours_the_steps_so_far_in_teaching_order(slides: Path) -> None:
    m = mechmap.load(LESSON)
    edge_ids = dict(draw(m, theme="slides").edge_ids)
    shown: set[tuple[str, str]] = set()
    for k, step in enumerate(m.teaching_steps(), 1):
        shown |= set(step.edge.links)
        assert _lit_arrows((slides / f"step-{k:02d}.svg").read_bytes(), edge_ids) == shown


def test_the_outline_lists_arrow_caption_and_evidence_per_step(slides: Path) -> None:
    assert (slides / "outline.md").read_text(encoding="utf-8") == LESSON_OUTLINE


def test_a_folder_that_is_not_empty_is_refused_unless_forced(tmp_path: Path) -> None:
    folder = tmp_path / "slides"
    assert run_mechmap("teach", str(LESSON), "-o", str(folder)).returncode == 0
    before = {p.name: p.read_bytes() for p in folder.iterdir()}

    refused = run_mechmap("teach", str(LESSON), "-o", str(folder))
    assert refused.returncode == 2
    assert (
        refused.stderr == f"mechmap: {folder} is not empty; use --force to write into it anyway\n"
    )
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before

    (folder / "step-09.png").write_bytes(b"left over from a longer sequence")
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    forced = run_mechmap("teach", str(LESSON), "-o", str(folder), "--force")
    assert forced.returncode == 0, forced.stderr
    assert sorted(p.name for p in folder.iterdir()) == sorted([*LESSON_FILES, "notes.txt"])


def _one_line_error(result) -> str:
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    return result.stderr


def test_an_output_that_is_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.write_text("x", encoding="utf-8")
    result = run_mechmap("teach", str(LESSON), "-o", str(target))
    assert "is a file; give a folder for the slides" in _one_line_error(result)


def test_a_map_without_arrows_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "bare.yaml"
    source.write_text("mechmap: 1\nid: bare\ntitle: Bare\nnodes: {a: {}}\n", encoding="utf-8")
    result = run_mechmap("teach", str(source), "-o", str(tmp_path / "out"))
    assert "map 'bare' has no arrows to step through" in _one_line_error(result)
    assert not (tmp_path / "out").exists()


def test_an_invalid_map_is_reported_and_nothing_is_written(tmp_path: Path) -> None:
    source = tmp_path / "broken.yaml"
    source.write_text("mechmap: 1\nid: broken\ntitle: B\nnodes: {a: {}}\nedges: [a -> z]\n")
    result = run_mechmap("teach", str(source), "-o", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_drawing_failure_writes_nothing(tmp_path: Path, monkeypatch) -> None:
    checked = check_file(LESSON)
    calls = []

    from mechmap.diagrams.render import run_engine

    def failing_engine(dot, fmt):
        calls.append(fmt)
        if len(calls) == 4:  # the first step drew (slide SVG and PNG, deck picture)
            raise RendererMissing("no layout engine")
        return run_engine(dot, fmt)

    monkeypatch.setattr("mechmap.diagrams.render.run_engine", failing_engine)
    with pytest.raises(RendererMissing):
        teach.write_teaching(checked.map, checked.library, tmp_path / "slides")
    assert not (tmp_path / "slides").exists()


def test_a_deck_failure_writes_nothing(tmp_path: Path, monkeypatch) -> None:
    checked = check_file(LESSON)

    def failing_deck(*args):
        raise OSError("no room for the deck")

    monkeypatch.setattr("mechmap.diagrams.deck.deck", failing_deck)
    with pytest.raises(OSError, match="no room"):
        teach.write_teaching(checked.map, checked.library, tmp_path / "slides")
    assert not (tmp_path / "slides").exists()


def test_without_python_pptx_nothing_is_written_and_the_fix_is_named(
    tmp_path: Path, monkeypatch
) -> None:
    from mechmap.diagrams.deck import DeckUnavailable

    checked = check_file(LESSON)
    monkeypatch.setitem(sys.modules, "pptx", None)  # import pptx raises ImportError
    with pytest.raises(DeckUnavailable, match=r"pip install python-pptx==1\.0\.2"):
        teach.write_teaching(checked.map, checked.library, tmp_path / "slides")
    assert not (tmp_path / "slides").exists()


def test_step_file_names_sort_in_step_order() -> None:
    assert teach.step_file_names(3) == ["step-01", "step-02", "step-03"]
    names = teach.step_file_names(120)
    assert names[0] == "step-001" and names == sorted(names)


# -- the PowerPoint deck -------------------------------------------------------------------


def _deck(folder: Path):
    pptx = pytest.importorskip("pptx")
    return pptx.Presentation(str(folder / "deck.pptx"))


def _texts(slide) -> list[str]:
    """The words of each text shape on a slide (titles, text boxes), one line each."""
    return [" ".join(s.text_frame.text.split()) for s in slide.shapes if s.has_text_frame]


@pytest.mark.parametrize(("folder", "source"), [("slides", LESSON), ("kilbourne", KILBOURNE)])
def test_the_deck_has_a_title_slide_then_one_slide_per_step(
    folder: str, source: Path, request
) -> None:
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    written = request.getfixturevalue(folder)
    deck = _deck(written)
    checked = _checked(source)
    m, steps = checked.map, checked.map.teaching_steps()
    evidence = teach.evidence_by_edge(m, checked.library)
    assert (deck.slide_width, deck.slide_height) == (12192000, 6858000)  # 13.333 x 7.5 in
    assert deck.slide_width / deck.slide_height == pytest.approx(16 / 9)
    assert len(deck.slides) == len(steps) + 1

    first = deck.slides[0]
    assert first.shapes.title.text == m.title
    words = " ".join(_texts(first))
    assert " ".join(m.description.split()) in words
    assert f"{len(steps)} steps" in words

    for k, (step, slide) in enumerate(zip(steps, list(deck.slides)[1:], strict=True), 1):
        title = teach.step_title(m, k, len(steps), step.edge)
        assert slide.shapes.title.text == title
        pictures = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == 1
        assert pictures[0].image.content_type == "image/png"
        assert pictures[0]._element.nvPicPr.cNvPr.get("descr").startswith(title)
        left, top = pictures[0].left, pictures[0].top
        assert left >= 0 and top >= 0
        assert left + pictures[0].width <= deck.slide_width
        assert top + pictures[0].height <= deck.slide_height
        caption = " ".join(teach.step_caption(m, step).split())
        assert caption in _texts(slide)  # as text, not only in the picture

        notes = slide.notes_slide.notes_text_frame.text
        assert teach.arrow_text(m, step.edge) in notes
        assert f"Provenance: {step.edge.provenance or 'not stated'}" in notes
        if step.edge.note:
            assert " ".join(step.edge.note.split()) in notes
        for said in evidence[step.edge]:
            assert f"{said.stance} ({said.title})" in notes
            assert " ".join(said.says.split()) in notes
        if not evidence[step.edge]:
            assert "no vignette bears on this arrow" in notes


def test_the_lesson_deck_notes_read_in_full(slides: Path) -> None:
    notes = [s.notes_slide.notes_text_frame.text for s in list(_deck(slides).slides)[1:]]
    assert notes[0] == (
        "Arrow #2 Trust in the coach @t1 → Uptake of the practice (trust@t1 -> uptake, sign +)\n"
        "Provenance: inferred\n"
        "Caption: Start from the outcome: uptake follows trust.\n"
        "What the vignettes say:\n"
        "- contradicts (A coaching trial in eight clinics): Trust in the coach did not "
        "predict uptake in the smaller clinics."
    )
    assert notes[2] == (
        "Arrow #3 Site capacity → Uptake of the practice (capacity -> uptake)\n"
        "Provenance: not stated\n"
        "What the vignettes say:\n"
        "- no vignette bears on this arrow"
    )


def test_mechmap_help_does_not_import_python_pptx() -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "mechmap", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    imported = [line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()]
    assert "mechmap" in imported
    assert not [name for name in imported if name.startswith(("pptx", "mechmap.diagrams.deck"))]


# -- the outline escapes what people wrote -------------------------------------------------

HOSTILE = {
    "title": "<script>window.pwned = 'title'</script> & [x](javascript:alert(1))",
    "a": "<img src=x onerror=\"window.pwned = 'label'\">",
    "b": "[click](javascript:window.pwned='link') **bold** _it_ `code` ~~gone~~ $x$",
    "c": "# not a heading | a | b | ![pic](http://example.invalid/p.png)",
    "arrow": "[1](javascript:window.pwned='arrow')",
    "caption": "1. not a list <b>bold?</b>",
    "note": "- </li><script>window.pwned = 'note'</script> &amp; &lt;b&gt; \\*kept\\*",
    "vignette": "A <i>trial</i> [of](javascript:alert(2)) things",
    "says": "<iframe src=\"javascript:window.pwned='says'\"></iframe> <!-- hidden -->",
}
_Q = {key: json.dumps(value) for key, value in HOSTILE.items()}  # YAML double-quoted strings
HOSTILE_MAP = f"""\
mechmap: 1
id: hostile
title: {_Q["title"]}
nodes:
  a: {{label: {_Q["a"]}, role: strategy}}
  b: {{label: {_Q["b"]}, role: mechanism}}
  c: {{label: {_Q["c"]}, role: implementation_outcome}}
edges:
  - {{from: a, to: b, arrow: {_Q["arrow"]}, evidence: [hostile-trial]}}
  - {{from: b, to: c, arrow: 2, note: {_Q["note"]}}}
teaching:
  sequence:
    - {{arrow: {_Q["arrow"]}, caption: {_Q["caption"]}}}
    - {{arrow: 2}}
"""
HOSTILE_VIGNETTE = f"""\
vignette: 1
id: hostile-trial
title: {_Q["vignette"]}
citation: Test T. 2025
setting: Clinics
design: trial
supports:
  - {{map: hostile, arrow: {_Q["arrow"]}, says: {_Q["says"]}}}
"""
# The text a reader must see, exactly as it was written.
SHOWN = [
    HOSTILE["title"],
    f"#{HOSTILE['arrow']} {HOSTILE['a']} → {HOSTILE['b']}",
    f"#2 {HOSTILE['b']} → {HOSTILE['c']}",
    HOSTILE["caption"],
    HOSTILE["note"],
    f"supports ({HOSTILE['vignette']}): {HOSTILE['says']}",
]


@pytest.fixture(scope="module")
def hostile_outline(tmp_path_factory) -> str:
    """outline.md of a map whose every string tries to become markup, by the real command."""
    root = tmp_path_factory.mktemp("hostile")
    (root / "maps").mkdir()
    (root / "vignettes").mkdir()
    (root / "maps" / "hostile.yaml").write_text(HOSTILE_MAP, encoding="utf-8")
    (root / "vignettes" / "hostile-trial.yaml").write_text(HOSTILE_VIGNETTE, encoding="utf-8")
    result = run_mechmap("teach", str(root / "maps" / "hostile.yaml"), "-o", str(root / "out"))
    assert result.returncode == 0, result.stderr
    return (root / "out" / "outline.md").read_text(encoding="utf-8")


class _Page(HTMLParser):
    """The tags and the text of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append(tag)
        self.attributes += attrs

    def handle_data(self, data) -> None:
        self.text.append(data)

    def handle_comment(self, data) -> None:
        self.tags.append("<!--")


def _markdown_html(markdown: str) -> str:
    markdown_it = pytest.importorskip("markdown_it")
    # CommonMark with raw HTML allowed (markdown-it's default), plus GitHub's tables and
    # strikethrough: the most permissive of the common renderers.
    return markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown)


def test_markdown_escape_escapes_markup_and_html() -> None:
    assert escape("a < b & c > d") == "a &lt; b &amp; c &gt; d"
    assert escape("*x* _y_ `z` [l](u) #h !i |t| ~s~ $m$ \\e") == (
        "\\*x\\* \\_y\\_ \\`z\\` \\[l\\](u) \\#h \\!i \\|t\\| \\~s\\~ \\$m\\$ \\\\e"
    )
    assert escape("12. item", line_start=True) == "12\\. item"
    assert escape("3) item", line_start=True) == "3\\) item"
    assert escape("- item", line_start=True) == "\\- item"
    assert escape("- item") == "- item"  # not at the start of a line
    assert escape("two\nlines") == "two lines"


# Pieces that start markup somewhere, so that random texts are mostly near-misses of it.
_MARKUP = st.sampled_from(
    [*"<>&*_`[]()#!|~$\\-+=.:/ \n\tab1", "javascript:", "<script>", "&lt;", "&#60;", "http://",
     "<img src=x onerror=alert(1)>", "<!--", "1)", "2.", "- ", "===", "    ", "<https://x>",
     "![a](b)", "[a]: javascript:x", "**", "~~", "$x$"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_MARKUP, max_size=25).map("".join))
def test_any_escaped_text_renders_as_exactly_itself(text: str) -> None:
    # Where the outline puts text: in an item's title, a caption line, a bullet.
    for document in (
        f"1. **#1 {escape(text)} → B**",
        f"1. x\n   {escape(text, line_start=True)}",
        f"1. x\n   - supports ({escape(text)})",
    ):
        page = _Page()
        page.feed(_markdown_html(document))
        assert set(page.tags) <= {"ol", "ul", "li", "p", "strong"}, document
        assert page.attributes == []
        shown = " ".join("".join(page.text).split())
        assert " ".join(text.split()) in shown, (document, shown)


def test_the_outline_renders_every_hostile_string_as_literal_text(hostile_outline) -> None:
    page = _Page()
    page.feed(_markdown_html(hostile_outline))
    # Only the outline's own structure: a heading and a numbered list of items with notes.
    assert set(page.tags) <= {"h1", "ol", "li", "p", "strong", "code", "ul"}
    assert page.tags.count("h1") == 1 and page.tags.count("ol") == 1
    assert page.attributes == []  # no href, src, onerror, ...
    text = " ".join("".join(page.text).split())
    for shown in SHOWN:
        assert shown in text


def test_the_outline_runs_no_script_in_a_browser(hostile_outline, tmp_path: Path) -> None:
    playwright_api = pytest.importorskip("playwright.sync_api")
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        message = f"{chromium} is missing; bash scripts/test.sh installs it"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from tests.test_viewer import CHROMIUM_ARGS

    body = _markdown_html(hostile_outline)
    page_file = tmp_path / "outline.html"
    page_file.write_text(
        f"<!doctype html><meta charset='utf-8'><title>outline</title><body>{body}</body>",
        encoding="utf-8",
    )
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            dialogs, requests = [], []
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.on("request", lambda request: requests.append(request.url))
            page.goto(page_file.as_uri())
            page.wait_for_load_state("load")
            for link in page.query_selector_all("a"):  # there should be none to click
                link.click()
            page.wait_for_timeout(200)
            assert page.evaluate("() => window.pwned") is None
            assert dialogs == []
            assert requests == [page_file.as_uri()]
            assert (
                page.evaluate("() => document.querySelectorAll('script, img, iframe, a').length")
                == 0
            )
            shown = " ".join(page.inner_text("body").split())
        finally:
            browser.close()
    for text in SHOWN:
        assert text in shown


MEASURED_LESSON = """
mechmap: 1
id: measured-lesson
title: A subscale is not a step
nodes:
  alliance: {label: Working alliance, role: mechanism}
  goal: {label: Goal subscale, role: mechanism}
  fidelity: {label: Fidelity, role: proximal_outcome}
edges:
  - {from: alliance, to: goal, kind: measurement, provenance: inferred, note: Goal is part of it.}
  - {from: goal, to: fidelity, provenance: data}
"""


def test_a_measurement_arrow_is_named_in_the_outline_the_notes_and_the_slides(
    tmp_path: Path,
) -> None:
    source = tmp_path / "maps" / "measured.yaml"
    source.parent.mkdir()
    source.write_text(MEASURED_LESSON, encoding="utf-8")
    result = run_mechmap("teach", str(source), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    items = (tmp_path / "out" / "outline.md").read_text(encoding="utf-8").split("\n\n")
    assert f"   - {teach.MEASUREMENT_NOTE}" in items[1].splitlines()  # alliance -> goal
    assert "measurement" not in items[2]  # goal -> fidelity is a causal step
    notes = [s.notes_slide.notes_text_frame.text for s in list(_deck(tmp_path / "out").slides)[1:]]
    assert notes[0].splitlines()[1] == f"Kind: {teach.MEASUREMENT_NOTE}"
    assert "Kind:" not in notes[1]
    first = ET.fromstring((tmp_path / "out" / "step-01.svg").read_bytes())
    kinds = [g.get("class") for g in first.iter(f"{SVG}g") if g.get("class", "").startswith("edge")]
    assert sorted(kinds) == ["edge", "edge measurement"]
    assert "measurement (part of / indicator of)" in _svg_text(ET.tostring(first))
