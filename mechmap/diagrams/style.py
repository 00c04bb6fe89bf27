"""How a map looks: role fills, themes, and DOT's quoting, shared by every drawing.

Fills are light tints of Okabe & Ito's colour-blind-safe palette, so black text stays
legible and each role keeps a distinct grey level; the shape carries the role as well
(:data:`mechmap.diagrams.arrange.SHAPES`). Arrows differ by line and head as well as by
shade, so that they too survive greyscale and colour-blindness.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLE_FILLS: dict[str, str] = {
    "strategy": "#F5C46B",  # orange
    "component": "#FBE3B5",  # light orange
    "actor": "#F7F3C6",  # yellow
    "determinant": "#E8A27C",  # vermillion
    "context": "#E6E6E6",  # grey
    "precondition": "#D9D9D9",
    "moderator": "#EBC7DC",  # reddish purple
    "mechanism": "#A7D8F2",  # sky blue
    "proximal_outcome": "#BFE6D6",  # bluish green
    "implementation_outcome": "#7FCDB3",
    "service_outcome": "#8DB9DE",  # blue
    "clinical_outcome": "#D9A6C5",
    "confounder": "#CCCCCC",
    "other": "#FFFFFF",
}
DIMMED = "#C8C8C8"
HIGHLIGHT = "#D55E00"  # vermillion
CARRIED = "#999999"
# A measurement arrow (part of / indicator of) is told from a causal one by its dashes and
# open head, not by colour alone; a darker grey than the carry arrows', thinner than a step.
MEASUREMENT = "#666666"
MEASUREMENT_WIDTH = 0.7  # times the theme's pen width
# An expert panel's verdict (mechmap consensus): included arrows drawn heavier, uncertain ones
# amber and dashed, excluded ones dark red and dashed; the label's badge says it without colour.
INCLUDED_WIDTH = 1.8  # times the theme's pen width
UNCERTAIN, EXCLUDED = "#A66F00", "#A50F15"
WAVE_FILL, WAVE_LINE = "#F4F4F4", "#BBBBBB"


@dataclass(frozen=True)
class Theme:
    """Type sizes (points) and line widths.

    Of the label widths in ``wrap_at`` the one whose figure, scaled to fit ``fit`` (points or
    pixels), has the largest type wins: a landscape page for print, the screen for slides.
    ``screen`` is the display a slide fills exactly (its shape and pixel size).
    """

    font: float
    edge_font: float
    penwidth: float
    wrap_at: tuple[int, ...]
    fit: tuple[float, float]
    screen: tuple[int, int] | None = None
    layer_gap: float = 4.2  # between layers, in font sizes (arrows need room to bend)
    box_pad: float = 0.8  # between a label and its outline, in font sizes


THEMES = {
    # A landscape page inside 2 cm margins (9.7 x 7 in): a big map still reads when printed.
    "print": Theme(font=10, edge_font=9, penwidth=1, wrap_at=(22, 18, 14), fit=(698, 504)),
    "slides": Theme(
        font=16,
        edge_font=14,
        penwidth=2,
        wrap_at=(14, 11, 9, 8),
        fit=(1920, 1080),
        screen=(1920, 1080),
        # A projector needs large type more than roomy curves and boxes.
        layer_gap=2.0,
        box_pad=0.5,
    ),
}
FONT = "Helvetica"


def quote(text: str) -> str:
    """A DOT double-quoted string that shows ``text`` literally.

    Backslashes are doubled so that Graphviz's escapes (``\\N``, ``\\G``, ``\\l``) never
    fire, and quotes and line breaks are escaped.

    >>> quote('say "hi"\\\\N')
    '"say \\\\"hi\\\\"\\\\\\\\N"'
    """
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\r", "").replace("\n", "\\n") + '"'


def attributes(**values: str | float | None) -> str:
    """A DOT attribute list; ``None`` values are left out, numbers written compactly."""
    return (
        "["
        + ", ".join(
            f"{k}={quote(v if isinstance(v, str) else _number(v))}"
            for k, v in values.items()
            if v is not None
        )
        + "]"
    )


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")
