"""Pinning a box where it was dropped: its ``pos`` written into the map's ``layout:`` block.

The edit goes through ruamel.yaml's round-trip mode, so the file's comments, quoting, flow
mappings and indentation survive; only the one entry changes. An existing entry keeps its
other keys (``order``, ``band``) and its style, a new one is written ``node: {pos: [x, y]}``
at the end of the block, and the block is added at the end of the file when there is none.

>>> text = "nodes:   # the boxes\\n  a: {}\\nlayout:\\n  a: {order: 1}  # first\\n"
>>> edited, key = pinned_text(text, ("a",), (120, 80.5))
>>> print(edited, end="")
nodes:   # the boxes
  a: {}
layout:
  a: {order: 1, pos: [120, 80.5]} # first

:func:`pin` is the whole step on a file: it checks that the file is still the one the page
was drawn from, that the edited text is still a valid map, and only then puts it in place
atomically.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mechmap.diagrams.render import Drawing
from mechmap.files import write_atomically
from mechmap.model import Map

# Indentation styles tried, in order, as (mapping, sequence, dash offset); the one that
# reproduces the file unchanged is used to write it back.
_INDENTS = ((2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 6, 4), (4, 4, 0), (4, 2, 0))
_DOCUMENT_START = re.compile(r"\A(?:[ \t]*(?:#[^\n]*)?\n)*---")
_BOM = "\ufeff"
_ROUNDS = 4


class PinRefused(ValueError):
    """The position could not be written: the message says why, for the person dragging."""


@dataclass(frozen=True)
class Pinned:
    """A position written into a map file: the ``layout`` key and the ``pos`` it got."""

    key: str
    pos: tuple[float, float]


def layout_keys(m: Map, variable: str) -> tuple[str, ...]:
    """The ``layout`` keys that place ``variable``; the first is the one a new entry gets.

    A copy of a time-indexed node is placed by its own ``node@wave``; a node with one
    variable by its id, or by ``node@wave`` where the drafter wrote that.

    >>> import mechmap
    >>> m = mechmap.loads("mechmap: 1\\nid: m\\ntitle: M\\nwaves: {t1: T1, t2: T2}\\n"
    ...     "nodes: {a: {waves: [t1, t2]}, b: {wave: t2}, c: {}}\\nedges: [a@t1 -> b]")
    >>> layout_keys(m, "a@t2"), layout_keys(m, "b"), layout_keys(m, "c")
    (('a@t2',), ('b', 'b@t2'), ('c',))
    """
    node = m.variable_info[variable].node
    if node.waves:
        return (variable,)
    return (node.id, f"{node.id}@{node.wave}") if node.wave else (node.id,)


def dropped_pos(drawing: Drawing, variable: str, moved: tuple[float, float]) -> tuple[float, float]:
    """The ``pos`` that draws ``variable``'s box ``moved`` points away from where
    ``drawing`` has it (points, y down), rounded to a tenth of a point."""
    x, y = drawing.centres[variable]
    ox, oy = drawing.origin
    return (_tidy(x + moved[0] - ox), _tidy(y + moved[1] - oy))


def _tidy(value: float) -> float:
    rounded = round(value, 1)
    return int(rounded) if math.isfinite(rounded) and rounded == int(rounded) else rounded


def pinned_text(text: str, keys: Sequence[str], pos: tuple[float, float]) -> tuple[str, str]:
    """``text`` with the layout entry named by one of ``keys`` pinned at ``pos``, and the
    key of that entry (an existing one as written, else ``keys[0]``)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    bom = text.startswith(_BOM)
    newline = "\r\n" if "\r\n" in text else "\n"
    plain = text.removeprefix(_BOM).replace("\r\n", "\n")
    yaml = _round_trip(plain)
    document = yaml.load(plain)
    if not isinstance(document, CommentedMap):
        raise PinRefused("the file is not a YAML mapping; nothing was written")
    layout = document.get("layout")
    if not isinstance(layout, CommentedMap):  # absent, or `layout:` left empty
        layout = CommentedMap()
        document["layout"] = layout
    key = next((k for k in layout if isinstance(k, str) and k.strip() in keys), keys[0])
    entry = layout.get(key)
    if not isinstance(entry, CommentedMap):
        entry = CommentedMap()
        entry.fa.set_flow_style()
        layout[key] = entry
    if isinstance(entry.get("pos"), CommentedSeq) and len(entry["pos"]) == 2:
        entry["pos"][0], entry["pos"][1] = pos  # the same list: its style and comments stay
    else:
        point = CommentedSeq(pos)
        point.fa.set_flow_style()
        entry["pos"] = point
    written = io.StringIO()
    yaml.dump(document, written)
    edited = _spliced(plain, written.getvalue(), yaml)
    return (_BOM if bom else "") + edited.replace("\n", newline), key


def _block_lines(text: str, yaml) -> tuple[int, int] | None:
    """The lines ``[start, end)`` of ``text``'s top-level ``layout`` block (up to the next
    top-level key, else the end), or None when it has none."""
    document = yaml.load(text)
    if "layout" not in document:
        return None
    starts = sorted(document.lc.key(k)[0] for k in document)
    start = document.lc.key("layout")[0]
    later = [line for line in starts if line > start]
    return start, later[0] if later else len(text.splitlines())


def _spliced(original: str, dumped: str, yaml) -> str:
    """``original`` with only its ``layout`` block taken from ``dumped``.

    A round trip keeps comments and quoting but writes some scalars its own way (escapes
    such as ``\\u201c`` come back as characters), so every line outside the block is kept
    byte for byte from the file as its author wrote it.
    """
    new = _block_lines(dumped, yaml)
    if new is None:  # cannot happen: the block was just written
        return dumped
    block = dumped.splitlines(keepends=True)[new[0] : new[1]]
    lines = original.splitlines(keepends=True)
    old = _block_lines(original, yaml)
    if old is None:
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        return "".join(lines + block)
    return "".join(lines[: old[0]] + block + lines[old[1] :])


def _round_trip(text: str):
    """A round-trip YAML that writes ``text`` back as it is written: the indentation
    style that reproduces it (else the one that comes closest), quotes and document start
    kept, long lines never folded."""
    from ruamel.yaml import YAML

    def configured(mapping: int, sequence: int, offset: int) -> YAML:
        yaml = YAML(typ="rt")
        yaml.preserve_quotes = True
        yaml.width = 1_000_000
        yaml.explicit_start = bool(_DOCUMENT_START.match(text))
        yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
        return yaml

    lines = text.splitlines()
    best, fewest = None, None
    for indent in _INDENTS:
        yaml = configured(*indent)
        again = io.StringIO()
        yaml.dump(yaml.load(text), again)
        if again.getvalue() == text:
            return configured(*indent)
        differ = sum(a != b for a, b in zip(lines, again.getvalue().splitlines(), strict=False))
        if fewest is None or differ < fewest:
            best, fewest = indent, differ
    return configured(*best)


def placed_text(text: str, m: Map, variable: str, moved: tuple[float, float]) -> tuple[str, Pinned]:
    """``text`` with ``variable``'s box pinned ``moved`` points (x right, y down) from where
    ``m``'s drawing has it, and the entry written.

    Pinning a box can change how the engine arranges the rest (and so where the layout's
    origin falls in the figure), so the position is corrected against a drawing of the
    edited map until the box lands where it was dropped, to a quarter of a point (a few
    rounds at most).
    """
    from mechmap.diagrams.render import draw
    from mechmap.mapfile.loader import parse_map

    drawing = draw(m)
    x, y = drawing.centres[variable]
    target = (x + moved[0], y + moved[1])
    keys = layout_keys(m, variable)
    pos = dropped_pos(drawing, variable, moved)
    best: tuple[float, str, str, tuple[float, float]] | None = None
    for _ in range(_ROUNDS):
        edited, key = pinned_text(text, keys, pos)
        placed, _problems = parse_map(edited.encode("utf-8"), "<pinned>")
        if placed is None:
            return edited, Pinned(key.strip(), pos)  # refused by the caller's validation
        lx, ly = draw(placed).centres[variable]
        miss = (target[0] - lx, target[1] - ly)
        if best is None or max(map(abs, miss)) < best[0]:
            best = (max(map(abs, miss)), edited, key, pos)
        if best[0] <= 0.25:
            break
        pos = (_tidy(pos[0] + miss[0]), _tidy(pos[1] + miss[1]))
    _, edited, key, pos = best
    return edited, Pinned(key.strip(), pos)


def pin(
    path: Path,
    drawn_from: bytes,
    m: Map,
    variable: str,
    moved: tuple[float, float],
    vignettes: Path | None = None,
) -> Pinned:
    """Pin ``variable``'s box in the map file at ``path``, ``moved`` points from where
    ``m``'s drawing has it (see :func:`placed_text`).

    ``drawn_from`` is the file's content that ``m`` was loaded from: a file changed since
    is left alone. The edited text must be a valid map (checked as ``validate`` checks it,
    with the same vignette library) before it atomically replaces the file.
    """
    from ruamel.yaml.error import YAMLError

    from mechmap.mapfile.validation import check_map_file

    if variable not in m.variable_info:
        raise PinRefused(f"the map has no box '{variable}' any more; nothing was written")
    try:
        current = path.read_bytes()
    except OSError as exc:
        raise PinRefused(f"cannot read {path}: {exc.strerror}") from None
    if current != drawn_from:
        raise PinRefused("the file changed since the page was drawn; drag again once it redraws")
    try:
        edited, pinned = placed_text(current.decode("utf-8"), m, variable, moved)
    except (UnicodeDecodeError, ValueError, YAMLError) as exc:
        raise PinRefused(f"cannot edit the file: {exc}") from None
    checked = check_map_file(edited.encode("utf-8"), path, vignettes)
    if not checked.valid:
        first = next(d for d in checked.problems if d.severity == "error")
        raise PinRefused(f"the pinned file would not be a valid map ({first}); nothing written")
    write_atomically(path, edited)
    return pinned
