"""Reports of a path test: HTML (one offline page), Markdown, or the terminal, from one set
of blocks (:mod:`mechmap.reports.content`) built from a ``PathResult`` or its ``as_dict()``.

The report opens with a plain-language summary, says what would make an unidentifiable
effect identifiable, then shows the map with the tested path coloured by result, a scatter
plot per link, a forest plot of the effects, and the tables of links, path effects,
refutations, map falsification and Kazdin's mechanism-evidence checklist, each with its n and
level of analysis, and ends with what reproduces it. Heavy imports (matplotlib) wait until a
report is made.

>>> report_format(Path("out/report.md"))
'md'
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mechmap.model import Map

if TYPE_CHECKING:
    from mechmap.mechanism.result import PathResult

    Result = PathResult | Mapping[str, Any]

FORMATS = {".html": "html", ".htm": "html", ".md": "md"}


def print_report(m: Map, result: Result) -> None:
    """The report on ``result`` in the terminal (without figures)."""
    from mechmap.reports.content import build
    from mechmap.reports.terminal import print_report as print_blocks

    print_blocks(build(m, result, drawn=False))


def report_format(path: Path) -> str:
    """``html`` or ``md`` from the file's suffix; anything else is a ValueError."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"{path}: a report is HTML or Markdown; name it with .html, .htm or .md")
    return fmt


def report_bytes(path: Path, m: Map, result: Result) -> bytes:
    """The report on ``result`` (a ``PathResult`` or ``mechmap test --json``) for map ``m``,
    in the format that ``path``'s suffix names, as UTF-8 bytes."""
    from mechmap.reports.content import build

    fmt = report_format(path)
    report = build(m, result)
    if fmt == "html":
        from mechmap.reports.html import to_html

        return to_html(report).encode("utf-8")
    from mechmap.reports.markdown import to_markdown

    return to_markdown(report).encode("utf-8")


def write_report(path: Path, m: Map, result: Result, force: bool = False) -> None:
    """Write the report to ``path`` (.html, .htm or .md) atomically.

    An existing file is kept unless ``force``; without it a FileExistsError names --force.
    The check comes first, so no time is spent on a report that cannot be written, and the
    write itself refuses to replace a file that appeared meanwhile.
    """
    from mechmap.files import write_atomically

    report_format(path)
    refusal = f"{path} exists; pass --force (force=True) to overwrite it"
    if path.exists() and not force:
        raise FileExistsError(refusal)
    content = report_bytes(path, m, result)
    try:
        write_atomically(path, content, overwrite=force)
    except FileExistsError:
        raise FileExistsError(refusal) from None
