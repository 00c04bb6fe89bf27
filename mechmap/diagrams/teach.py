"""Teaching material: one slide per step of a map's teaching sequence, an outline, a deck.

``mechmap teach MAP -o DIR`` writes ``step-01.svg``, ``step-01.png``, ... (16:9 slides: the
step's title at the top, its caption at the bottom, the first *k* steps in colour with step
*k*'s arrow thick and vermillion, the rest faint), ``outline.md`` (one numbered item per
step: the arrow, its caption and what the vignettes say about it, every user string escaped
so that it shows as text) and ``deck.pptx`` (:mod:`.deck`). The captions and evidence texts
here are also what the HTML viewer shows, so slides and viewer tell the same story.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mechmap.mapfile.evidence import CONTRADICTS, SUPPORTS, evidence_matrix
from mechmap.mapfile.vignettes import Library
from mechmap.model import Edge, Map, TeachingStep
from mechmap.reports.markdown import escape

OUTLINE = "outline.md"
DECK = "deck.pptx"
# What an earlier run may have left: only these files are replaced or removed by --force.
_STEP_FILE = re.compile(r"step-\d+\.(svg|png)")
# What a measurement arrow is, in the outline and the speaker notes (the key says it shorter).
MEASUREMENT_NOTE = "measurement arrow (part of / indicator of), not a causal step"


class TeachError(ValueError):
    """Teaching material cannot be written; the message says why in one line."""


@dataclass(frozen=True)
class Said:
    """What one vignette says about one arrow (``says`` is empty when only listed)."""

    vignette: str
    title: str
    stance: str  # supports | contradicts | listed
    says: str


def end_label(m: Map, reference: str) -> str:
    """A readable name for an edge end: the node's label, with ``@wave`` when one copy."""
    node_id, _, wave = reference.partition("@")
    node = m.node_by_id[node_id]
    return f"{node.label} @{wave}" if wave else node.label


def arrow_text(m: Map, edge: Edge) -> str:
    """The arrow in words: ``Working alliance → GTI process fidelity``."""
    return f"{end_label(m, edge.source)} → {end_label(m, edge.target)}"


def step_caption(m: Map, step: TeachingStep) -> str:
    """What to say at this step: its caption, else the edge's note, else the arrow itself."""
    return step.caption or step.edge.note or arrow_text(m, step.edge)


def evidence_by_edge(m: Map, library: Library) -> dict[Edge, list[Said]]:
    """For each declared edge, the vignettes bearing on it, supporting ones first."""
    titles = {v.id: v.title for v in library.vignettes}
    order = {SUPPORTS: 0, CONTRADICTS: 1}
    result: dict[Edge, list[Said]] = {}
    for row in evidence_matrix(m, library).rows:
        said = [
            Said(vignette, titles.get(vignette, vignette), stance, row.says.get(vignette, ""))
            for vignette, stance in row.cells.items()
        ]
        result[row.edge] = sorted(said, key=lambda s: order.get(s.stance, 2))
    return result


def step_title(m: Map, k: int, count: int, edge: Edge) -> str:
    """``Step 3 of 15 · #4 Coalition-building → Leadership engagement``."""
    number = f"#{edge.arrow} " if edge.arrow is not None else ""
    return f"Step {k} of {count} · {number}{arrow_text(m, edge)}"


def step_file_names(count: int) -> list[str]:
    """``step-01`` ... (zero-padded so that the files sort in step order)."""
    width = max(2, len(str(count)))
    return [f"step-{k:0{width}d}" for k in range(1, count + 1)]


def outline(m: Map, library: Library) -> str:
    """Markdown for slides: the title, then one numbered item per teaching step.

    Every string from the map or a vignette goes through
    :func:`mechmap.reports.markdown.escape`, so a label such as ``<script>`` or
    ``[x](javascript:...)`` shows as those characters and never becomes markup when the
    outline is rendered as HTML.
    """
    evidence = evidence_by_edge(m, library)
    steps = m.teaching_steps()
    lines = [f"# {escape(m.title)}", ""]
    for k, (step, name) in enumerate(zip(steps, step_file_names(len(steps)), strict=True), 1):
        edge = step.edge
        number = f"#{escape(edge.arrow)} " if edge.arrow is not None else ""
        arrow = escape(arrow_text(m, edge))
        # Node ids and waves are identifiers ([A-Za-z0-9_.-]), safe in a code span.
        lines.append(f"{k}. **{number}{arrow}** (`{edge.written}`)")
        if step.caption or edge.note:  # else the caption would only repeat the arrow
            lines.append(f"   {escape(step_caption(m, step), line_start=True)}")
        if edge.is_measurement:
            lines.append(f"   - {MEASUREMENT_NOTE}")
        for said in evidence[edge]:
            text = f": {escape(said.says)}" if said.says else ""
            lines.append(f"   - {said.stance} ({escape(said.title)}){text}")
        if not evidence[edge]:
            lines.append("   - no vignette bears on this arrow")
        lines.append(f"   - slide: `{name}.png`, `{name}.svg`")
        lines.append("")
    return "\n".join(lines)


def one_line(text: str) -> str:
    """``text`` with every run of white space, line breaks included, as one space."""
    return " ".join(text.split())


@dataclass(frozen=True)
class Slide:
    """One teaching step drawn: its file name (``step-03``), title, caption and pictures."""

    step: TeachingStep
    name: str
    title: str
    caption: str
    svg: bytes
    png: bytes
    picture: bytes  # for the deck: no title or caption (there they are text), cropped


def draw_slides(
    m: Map, theme: str = "slides", on_slide: Callable[[], None] | None = None
) -> list[Slide]:
    """Every teaching step as a slide: the steps so far in colour, this step's arrows thick
    and vermillion, its title at the top and its caption at the bottom. ``on_slide`` is
    called after each slide is drawn (a progress bar's)."""
    from mechmap.diagrams.render import draw, run_engine

    steps = m.teaching_steps()
    slides = []
    for k, (step, name) in enumerate(zip(steps, step_file_names(len(steps)), strict=True), 1):
        title = step_title(m, k, len(steps), step.edge)
        caption = step_caption(m, step)
        # What render() does, drawing once for both formats (the layout is the slow part).
        dot = draw(m, theme=theme, revealed=k, current=k, title=title, caption=caption).dot
        svg, png = run_engine(dot, "svg"), run_engine(dot, "png")
        bare = draw(m, theme=theme, revealed=k, current=k, title="", caption=None).dot
        picture = _cropped(run_engine(bare, "png"))
        slides.append(Slide(step, name, title, caption, svg, png, picture))
        if on_slide is not None:
            on_slide()
    return slides


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height in pixels, from the PNG's header."""
    if not png.startswith(b"\x89PNG\r\n\x1a\n") or png[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def _cropped(png: bytes) -> bytes:
    """The picture without its white margins (a slide's map is padded to the screen's shape,
    which on a deck's slide would only make it smaller)."""
    import io

    from PIL import Image, ImageChops

    with Image.open(io.BytesIO(png)) as drawn:
        picture = drawn.convert("RGB")
    box = ImageChops.difference(picture, Image.new("RGB", picture.size, "white")).getbbox()
    if box is None:
        return png
    margin = max(4, picture.width // 200)
    left, top, right, bottom = box
    picture = picture.crop(
        (
            max(0, left - margin),
            max(0, top - margin),
            min(picture.width, right + margin),
            min(picture.height, bottom + margin),
        )
    )
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def write_teaching(
    m: Map,
    library: Library,
    folder: Path,
    *,
    force: bool = False,
    theme: str = "slides",
    on_slide: Callable[[], None] | None = None,
) -> list[Path]:
    """Write one SVG and one PNG per teaching step, ``outline.md`` and ``deck.pptx``.

    Everything is drawn before anything is written, and the files are written all or none
    (:func:`mechmap.files.write_all_atomically`), so a failure, a full disk included, leaves
    no half-written file and no half-filled folder. A non-empty folder is refused unless
    ``force``; then earlier ``step-*`` files that this run does not write are removed, so the
    folder never mixes two runs. ``on_slide`` is called after each slide is drawn.
    """
    from mechmap.diagrams.deck import deck
    from mechmap.files import write_all_atomically

    if not m.teaching_steps():
        raise TeachError(f"map '{m.id}' has no arrows to step through")
    _check_folder(folder, force)
    slides = draw_slides(m, theme, on_slide)
    files: dict[str, bytes] = {}
    for slide in slides:
        files[f"{slide.name}.svg"] = slide.svg
        files[f"{slide.name}.png"] = slide.png
    files[OUTLINE] = outline(m, library).encode("utf-8")
    files[DECK] = deck(m, slides, evidence_by_edge(m, library))

    created = [f for f in (folder, *folder.parents) if not f.exists()]  # deepest first
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / file_name for file_name in files]
    try:
        write_all_atomically(dict(zip(written, files.values(), strict=True)))
    except BaseException:
        for empty in created:  # leave no empty folder behind either
            empty.rmdir()
        raise
    for stale in folder.iterdir():
        if _STEP_FILE.fullmatch(stale.name) and stale.name not in files:
            stale.unlink()
    return written


def _check_folder(folder: Path, force: bool) -> None:
    if folder.exists() and not folder.is_dir():
        raise TeachError(f"{folder} is a file; give a folder for the slides")
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise TeachError(f"{folder} is not empty; use --force to write into it anyway")
