"""The key to a drawing: one sample of each role drawn, and what the line styles mean.

Only what the drawing uses is explained: a map without moderators gets no line about the
moderator arrow. The key is laid out as a row of samples above one line of notes, sized
with the same text metrics as the map, so it can sit under the map or stand alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mechmap.diagrams.arrange import (
    DOUBLE_BORDERED,
    SHAPES,
    arrow_verdict,
    box_size,
    concept,
    is_measurement_arrow,
)
from mechmap.diagrams.style import Theme
from mechmap.diagrams.textsize import text_box, wrap
from mechmap.model import ROLES, Map


@dataclass(frozen=True)
class Sample:
    role: str
    label: str
    x: float  # centre, relative to the key's top left
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Legend:
    samples: tuple[Sample, ...]
    notes: str
    notes_at: tuple[float, float]  # centre of the notes text
    font: float
    width: float
    height: float


def legend_for(
    m: Map,
    vertices: Sequence[str],
    arrows: Sequence[tuple[str, str]],
    rolled_up: bool,
    style: Theme,
    extra: Sequence[str] = (),
) -> Legend | None:
    """The key for a drawing of ``vertices`` and ``arrows`` (``extra``: notes the caller's
    own fills or widths need); None when nothing is drawn."""
    if not vertices:
        return None
    nodes = [m.node_by_id[concept(m, v)] for v in vertices]
    used = [r for r in ROLES if any(n.role == r for n in nodes)]
    font = style.font * 0.85
    samples, x, row_h = [], 0.0, 0.0
    sizes = {}
    for role in used:
        label = role.replace("_", " ")
        sizes[role] = box_size(SHAPES[role], label, font, role in DOUBLE_BORDERED)
        row_h = max(row_h, sizes[role][1])
    for role in used:
        w, h = sizes[role]
        samples.append(Sample(role, role.replace("_", " "), x + w / 2, row_h / 2, w, h))
        x += w + font
    notes = [*extra, *_notes(m, nodes, arrows, rolled_up)]
    width = max(x - font, 0.0)
    text = wrap("   ·   ".join(notes), max(40, int(width / (font * 0.5)))) if notes else ""
    text_w, text_h = text_box(text, font) if text else (0.0, 0.0)
    width = max(width, text_w)
    shift = (width - (x - font)) / 2
    samples = [Sample(s.role, s.label, s.x + shift, s.y, s.width, s.height) for s in samples]
    top = row_h + (font * 0.6 if text else 0.0)
    return Legend(tuple(samples), text, (width / 2, top + text_h / 2), font, width, top + text_h)


def _notes(m: Map, nodes, arrows, rolled_up: bool) -> list[str]:
    edges = [m.edge_of.get(a) for a in arrows] if not rolled_up else list(m.edges)
    notes = []
    if any(e is not None and e.arrow is not None for e in edges):
        notes.append("#n: arrow number in the source figure")
    if any(e is not None and e.sign is not None for e in edges):
        notes.append("+ / - / ?: expected sign")
    if any(e is not None and e.modifies is not None for e in edges):
        notes.append("dashed, open diamond: moderator")
    if any(is_measurement_arrow(m, a, rolled_up) for a in arrows):
        notes.append("dashed grey, open head: measurement (part of / indicator of)")
    verdicts = {arrow_verdict(m, a, rolled_up) for a in arrows}
    if "include" in verdicts:
        notes.append("heavy line: expert panel includes it")
    if "uncertain" in verdicts:
        notes.append("amber dashed, ≈: panel uncertain")
    if "exclude" in verdicts:
        notes.append("red dashed, \u00d7: panel excludes it")
    if any(n.latent for n in nodes):
        notes.append("dashed border, dotted arrow: latent (unmeasured)")
    if not rolled_up and any(e is None for e in edges):
        notes.append("grey arrow: same node carried to the next wave")
    if any(n.role in DOUBLE_BORDERED for n in nodes):
        notes.append("double border: outcome")
    return notes
