"""``mechmap teach``: one slide per teaching step and an outline, checked file by file."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import mechmap
from mechmap.diagrams import teach
from mechmap.diagrams.render import DIMMED, RendererMissing, draw
from mechmap.mapfile.validation import check_file
from tests.conftest import ROOT, run_mechmap

LESSON = ROOT / "tests" / "data" / "teaching" / "maps" / "lesson.yaml"
SVG = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
LESSON_FILES = [
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
    assert result.stdout.strip() == f"wrote 3 steps (7 files) to {folder}"
    return folder


def _lit_arrows(svg: bytes, edge_ids: dict[tuple[str, str], str]) -> set[tuple[str, str]]:
    """The arrows drawn in colour (not faded) on a slide."""
    groups = {g.get("id"): g for g in ET.fromstring(svg).iter(f"{SVG}g")}
    return {
        arrow
        for arrow, edge_id in edge_ids.items()
        if groups[edge_id].find(f"{SVG}path").get("stroke").lower() != DIMMED.lower()
    }


def test_one_svg_and_one_png_per_step_and_nothing_else(slides: Path) -> None:
    assert sorted(p.name for p in slides.iterdir()) == LESSON_FILES
    for png in slides.glob("*.png"):
        assert png.read_bytes().startswith(PNG_SIGNATURE)


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

    def failing_render(m, fmt, **options):
        calls.append(fmt)
        if len(calls) == 3:  # the first step drew; the second fails
            raise RendererMissing("no layout engine")
        return b"drawn"

    monkeypatch.setattr("mechmap.diagrams.render.render", failing_render)
    with pytest.raises(RendererMissing):
        teach.write_teaching(checked.map, checked.library, tmp_path / "slides")
    assert not (tmp_path / "slides").exists()


def test_step_file_names_sort_in_step_order() -> None:
    assert teach.step_file_names(3) == ["step-01", "step-02", "step-03"]
    names = teach.step_file_names(120)
    assert names[0] == "step-001" and names == sorted(names)
