"""How much room a label takes: Helvetica advance widths, and wrapping to a width.

The layout places every box itself (Graphviz only draws it), so it must know how wide a
label is before anything is drawn. Viewers show Helvetica or a metric-compatible face
(Arial, Liberation Sans, Arimo), whose advance widths are those of the Adobe Helvetica
metrics used here, in thousandths of the font size. Characters outside the table count as
wide letters, so an estimate errs towards room to spare, never towards clipped text.

>>> round(text_width("Trust", 10), 1)
22.8
>>> wrap("Acceptance of the facilitator by the social system", 16)
'Acceptance of\\nthe facilitator\\nby the social\\nsystem'
"""

from __future__ import annotations

_WIDTHS: dict[str, int] = {" ": 278, "!": 278, '"': 355, "#": 556, "$": 556, "%": 889}
_WIDTHS.update({"&": 667, "'": 191, "(": 333, ")": 333, "*": 389, "+": 584, ",": 278})
_WIDTHS.update({"-": 333, ".": 278, "/": 278, ":": 278, ";": 278, "<": 584, "=": 584})
_WIDTHS.update({">": 584, "?": 556, "@": 1015, "[": 278, "]": 278, "_": 556, "|": 260})
_WIDTHS.update(dict.fromkeys("0123456789", 556))
_WIDTHS.update(
    zip(
        "abcdefghijklmnopqrstuvwxyz",
        (
            556,
            556,
            500,
            556,
            556,
            278,
            556,
            556,
            222,
            222,
            500,
            222,
            833,
            556,
            556,
            556,
            556,
            333,
            500,
            278,
            556,
            500,
            722,
            500,
            500,
            500,
        ),
        strict=True,
    )
)
_WIDTHS.update(
    zip(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        (
            667,
            667,
            722,
            722,
            667,
            611,
            778,
            722,
            278,
            500,
            667,
            556,
            833,
            722,
            778,
            667,
            778,
            722,
            667,
            611,
            722,
            667,
            944,
            667,
            667,
            611,
        ),
        strict=True,
    )
)
_WIDE = 1000  # anything else: as wide as an em, so the box is never too small
LINE_HEIGHT = 1.2  # baseline to baseline, in font sizes


def text_width(line: str, size: float) -> float:
    """Width of one line of Helvetica at ``size`` points."""
    return sum(_WIDTHS.get(c, 556 if c.isascii() else _WIDE) for c in line) * size / 1000


def text_box(text: str, size: float) -> tuple[float, float]:
    """Width and height of a (possibly multi-line) label at ``size`` points."""
    lines = text.split("\n")
    return max(text_width(line, size) for line in lines), len(lines) * size * LINE_HEIGHT


def wrap(text: str, width: int) -> str:
    """Break ``text`` into lines of at most about ``width`` characters, at spaces."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines)
