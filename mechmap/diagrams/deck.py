"""The teaching steps as a PowerPoint deck: ``deck.pptx`` beside the slides of ``mechmap teach``.

16:9 (13.333 in x 7.5 in). A title slide (the map's title, its description, how many steps),
then one slide per step: the step's title as the slide's title, its picture (the step's slide
drawn without the title and caption, which are text here, and cropped to the map and its key,
so that the map is as large as the slide allows), its caption as text on the slide
(searchable, and read out by screen readers, as the picture's alternative text is too) and,
in the speaker notes, the arrow, its sign, provenance and note and what each vignette says
about it. python-pptx is imported only when a deck is made, so that ``mechmap --help`` stays
quick.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence

from mechmap.diagrams.teach import (
    MEASUREMENT_NOTE,
    Said,
    Slide,
    arrow_text,
    one_line,
    png_size,
)
from mechmap.model import Edge, Map

# PowerPoint's own 16:9 size, in EMU (914400 to the inch): 13.333 in x 7.5 in.
WIDTH, HEIGHT = 12192000, 6858000
_INCH = 914400
_MARGIN = 0.4  # inches, left and right


class DeckUnavailable(RuntimeError):
    """python-pptx is not installed (an environment set up before it was a dependency)."""


def deck(m: Map, slides: Sequence[Slide], evidence: Mapping[Edge, list[Said]]) -> bytes:
    """The ``.pptx`` file's bytes: a title slide, then one slide per teaching step."""
    try:
        from pptx import Presentation
    except ImportError:
        raise DeckUnavailable(
            "python-pptx is missing, so deck.pptx cannot be written; "
            "reinstall mechmap (pip install -e .) or pip install python-pptx==1.0.2"
        ) from None

    presentation = Presentation()
    presentation.slide_width, presentation.slide_height = WIDTH, HEIGHT
    presentation.core_properties.title = m.title
    presentation.core_properties.subject = "Teaching steps of a mechanism map"
    _title_slide(presentation, m, len(slides))
    for slide in slides:
        _step_slide(presentation, m, slide, evidence.get(slide.step.edge, []))
    out = io.BytesIO()
    presentation.save(out)
    return out.getvalue()


def _title_slide(presentation, m: Map, steps: int) -> None:
    page = presentation.slides.add_slide(presentation.slide_layouts[0])  # Title Slide
    title, subtitle = page.shapes.title, page.placeholders[1]
    width = 13.333 - 2 * _MARGIN
    _place(title, _MARGIN, 0.8, width, 1.8)
    _set_text(title.text_frame, [m.title], width, 1.8, largest=40, smallest=24)
    _place(subtitle, _MARGIN, 2.9, width, 4.1)
    lines = [m.description] if m.description else []
    lines.append(f"{steps} step{'s' if steps != 1 else ''}, one arrow at a time")
    _set_text(subtitle.text_frame, lines, width, 4.1, largest=20, smallest=11)


def _step_slide(presentation, m: Map, slide: Slide, said: list[Said]) -> None:
    from pptx.enum.text import PP_ALIGN

    page = presentation.slides.add_slide(presentation.slide_layouts[5])  # Title Only
    width = 13.333 - 2 * _MARGIN
    title = page.shapes.title
    _place(title, _MARGIN, 0.15, width, 0.95)
    _set_text(title.text_frame, [slide.title], width, 0.95, largest=28, smallest=16)

    top, bottom = 1.15, 6.15  # the picture between the title and the caption
    w, h = png_size(slide.picture)
    scale = min(width / w, (bottom - top) / h)
    picture = page.shapes.add_picture(
        io.BytesIO(slide.picture),
        _emu((13.333 - w * scale) / 2),
        _emu(top + (bottom - top - h * scale) / 2),
        _emu(w * scale),
        _emu(h * scale),
    )
    picture.name = f"Map, {slide.name}"
    picture._element.nvPicPr.cNvPr.set("descr", f"{slide.title}. {slide.caption}")

    caption = page.shapes.add_textbox(_emu(_MARGIN), _emu(6.2), _emu(width), _emu(1.2))
    caption.name = "Caption"
    _set_text(caption.text_frame, [slide.caption], width, 1.2, largest=20, smallest=11)
    for paragraph in caption.text_frame.paragraphs:
        paragraph.alignment = PP_ALIGN.CENTER

    page.notes_slide.notes_text_frame.text = speaker_notes(m, slide, said)


def speaker_notes(m: Map, slide: Slide, said: list[Said]) -> str:
    """What the teacher can say: the arrow, its provenance and note, and the evidence."""
    edge, caption = slide.step.edge, slide.step.caption
    number = f"#{edge.arrow} " if edge.arrow is not None else ""
    sign = f", sign {edge.sign}" if edge.sign else ""
    lines = [f"Arrow {number}{arrow_text(m, edge)} ({edge.written}{sign})"]
    if edge.is_measurement:
        lines.append(f"Kind: {MEASUREMENT_NOTE}")
    lines.append(f"Provenance: {edge.provenance or 'not stated'}")
    if edge.note:
        lines.append(f"Note: {one_line(edge.note)}")
    if caption and caption != edge.note:
        lines.append(f"Caption: {one_line(caption)}")
    lines.append("What the vignettes say:")
    for s in said:
        says = f": {one_line(s.says)}" if s.says else ""
        lines.append(f"- {s.stance} ({one_line(s.title)}){says}")
    if not said:
        lines.append("- no vignette bears on this arrow")
    return "\n".join(lines)


def _emu(inches: float) -> int:
    return round(inches * _INCH)


def _place(shape, left: float, top: float, width: float, height: float) -> None:
    """Put a placeholder where it belongs on a 16:9 slide (the template's are 4:3)."""
    shape.left, shape.top, shape.width, shape.height = (
        _emu(left),
        _emu(top),
        _emu(width),
        _emu(height),
    )


def _set_text(frame, paragraphs: list[str], width: float, height: float, *, largest, smallest):
    """Paragraphs in the largest type that fits the box (an estimate from the number of
    characters; PowerPoint also shrinks text that overflows)."""
    from pptx.enum.text import MSO_AUTO_SIZE
    from pptx.util import Pt

    texts = [one_line(p) for p in paragraphs]
    size = _font_size(texts, width, height, largest, smallest)
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE
    frame.text = texts[0]
    for text in texts[1:]:
        frame.add_paragraph().text = text
    for paragraph in frame.paragraphs:
        for run in paragraph.runs:
            run.font.size = Pt(size)


def _font_size(texts: list[str], width: float, height: float, largest: int, smallest: int) -> int:
    """The largest size (points) at which ``texts`` should fit ``width`` x ``height`` inches:
    an average character half an em wide, lines 1.2 em apart, 0.2 in of inner margins."""
    for size in range(largest, smallest - 1, -1):
        per_line = max(1, int((width - 0.2) * 72 / (size * 0.5)))
        lines = sum(max(1, math.ceil(len(t) / per_line)) for t in texts)
        if lines * size * 1.2 <= (height - 0.1) * 72:
            return size
    return smallest
