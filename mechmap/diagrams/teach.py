"""Teaching material: one slide per step of a map's teaching sequence, and an outline.

``mechmap teach MAP -o DIR`` writes ``step-01.svg``, ``step-01.png``, ... (the first *k*
steps in colour, the rest faint) and ``outline.md`` (one numbered item per step: the arrow,
its caption and what the vignettes say about it). The captions and evidence texts here are
also what the HTML viewer shows, so slides and viewer tell the same story.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from mechmap.mapfile.evidence import CONTRADICTS, SUPPORTS, evidence_matrix
from mechmap.mapfile.vignettes import Library
from mechmap.model import Edge, Map, TeachingStep

OUTLINE = "outline.md"
# What an earlier run may have left: only these files are replaced or removed by --force.
_STEP_FILE = re.compile(r"step-\d+\.(svg|png)")


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


def step_file_names(count: int) -> list[str]:
    """``step-01`` ... (zero-padded so that the files sort in step order)."""
    width = max(2, len(str(count)))
    return [f"step-{k:0{width}d}" for k in range(1, count + 1)]


def outline(m: Map, library: Library) -> str:
    """Markdown for slides: the title, then one numbered item per teaching step."""
    evidence = evidence_by_edge(m, library)
    steps = m.teaching_steps()
    lines = [f"# {_one_line(m.title)}", ""]
    for k, (step, name) in enumerate(zip(steps, step_file_names(len(steps)), strict=True), 1):
        edge = step.edge
        number = f"#{edge.arrow} " if edge.arrow is not None else ""
        lines.append(f"{k}. **{number}{_one_line(arrow_text(m, edge))}** (`{edge.written}`)")
        if step.caption or edge.note:  # else the caption would only repeat the arrow
            lines.append(f"   {_one_line(step_caption(m, step))}")
        for said in evidence[edge]:
            text = f": {_one_line(said.says)}" if said.says else ""
            lines.append(f"   - {said.stance} ({_one_line(said.title)}){text}")
        if not evidence[edge]:
            lines.append("   - no vignette bears on this arrow")
        lines.append(f"   - slide: `{name}.png`, `{name}.svg`")
        lines.append("")
    return "\n".join(lines)


def _one_line(text: str) -> str:
    # A line break inside a list item would end the item in Markdown.
    return " ".join(text.split())


def write_teaching(
    m: Map, library: Library, folder: Path, *, force: bool = False, theme: str = "slides"
) -> list[Path]:
    """Write one SVG and one PNG per teaching step plus ``outline.md`` into ``folder``.

    Everything is drawn before anything is written, and every file is written atomically, so
    a failure leaves no half-written file and no half-filled folder. A non-empty folder is
    refused unless ``force``; then earlier ``step-*`` files that this run does not write are
    removed, so the folder never mixes two runs.
    """
    from mechmap.diagrams.render import render
    from mechmap.files import write_atomically

    steps = m.teaching_steps()
    if not steps:
        raise TeachError(f"map '{m.id}' has no arrows to step through")
    _check_folder(folder, force)
    names = step_file_names(len(steps))
    files: dict[str, bytes] = {}
    for k, name in enumerate(names, 1):
        for fmt in ("svg", "png"):
            files[f"{name}.{fmt}"] = render(m, fmt, revealed=k, theme=theme)
    files[OUTLINE] = outline(m, library).encode("utf-8")

    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.iterdir():
        if _STEP_FILE.fullmatch(stale.name) and stale.name not in files:
            stale.unlink()
    written = []
    for file_name, content in files.items():
        write_atomically(folder / file_name, content)
        written.append(folder / file_name)
    return written


def _check_folder(folder: Path, force: bool) -> None:
    if folder.exists() and not folder.is_dir():
        raise TeachError(f"{folder} is a file; give a folder for the slides")
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise TeachError(f"{folder} is not empty; use --force to write into it anyway")
