"""The report as Markdown (CommonMark with GitHub's tables), figures as ``data:`` images.

Markdown renderers pass raw HTML through and turn ``[text](url)``, ``*``, ``_`` and ``$``
into markup, so every text from the map or the result goes through :func:`escape` (as does
every text in ``mechmap teach``'s outline): a label can neither inject HTML or a link, nor
break a table with a ``|`` or a line break. The only raw HTML is ours: ``<details>`` and
``<summary>`` around the falsification table, which GitHub and most renderers fold.
"""

from __future__ import annotations

import base64
import re

import mechmap
from mechmap.reports.blocks import (
    Block,
    Cell,
    Code,
    Collapsed,
    Figure,
    Heading,
    Items,
    Named,
    Paragraph,
    Report,
    Table,
)

# ``<``, ``>`` and ``&`` become entities, which every renderer shows as the characters (a
# backslash before ``<`` is an escape in CommonMark but not in Python-Markdown, which would
# pass the tag through). The other characters that start or end markup inside a line get a
# backslash: emphasis, links and images (with ``[`` escaped a ``(`` starts nothing), code
# spans, headings, tables, strikethrough, math (GitHub's $...$), the backslash itself.
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_SPECIAL = re.compile(r"[\\`*_\[\]#!|~$]")
# What is markup only at the start of a line: an ordered-list marker (``1.``, ``1)``), a
# bullet, a setext heading's underline.
_LINE_START = re.compile(r"^(\d+[.)]|[-+=])")
_TICKS = re.compile(r"`+")


def escape(text: str, *, line_start: bool = False) -> str:
    r"""``text`` on one line as Markdown that shows exactly those characters (tables and list
    items allow no line breaks); with ``line_start`` also when it begins a line.

    >>> print(escape("a|b <script> [x](javascript:y)\nnext & *so*"))
    a\|b &lt;script&gt; \[x\](javascript:y) next &amp; \*so\*
    >>> print(escape("1) first", line_start=True), escape("- item", line_start=True))
    1\) first \- item
    """
    text = " ".join(text.split())
    text = re.sub(r"[&<>]", lambda found: _ENTITIES[found.group()], text)
    text = _SPECIAL.sub(lambda found: "\\" + found.group(), text)
    if line_start:
        text = _LINE_START.sub(lambda found: found.group()[:-1] + "\\" + found.group()[-1], text)
    return text


def _cell(cell: Cell) -> str:
    if isinstance(cell, Named):
        return f"{escape(cell.label)} ({escape(cell.id)})"
    return escape(cell)


def _paragraph(block: Paragraph) -> str:
    lead = f"**{escape(block.lead)}** " if block.lead else ""
    text = f"{lead}{escape(block.text)}"
    return f"> {text}" if block.kind == "verdict" else text


def _table(block: Table) -> str:
    rule = ("---:" if i in block.numeric else "---" for i in range(len(block.header)))
    lines = [
        f"*{escape(block.caption)}*",
        "",
        "| " + " | ".join(escape(h) for h in block.header) + " |",
        "| " + " | ".join(rule) + " |",
    ]
    lines += ["| " + " | ".join(_cell(cell) for cell in row) + " |" for row in block.rows]
    return "\n".join(lines)


def _figure(block: Figure) -> str:
    caption = f"*{escape(block.caption)}*"
    if block.svg is None:
        return caption
    data = base64.b64encode(block.svg.encode("utf-8")).decode("ascii")
    return f"![{escape(block.caption)}](data:image/svg+xml;base64,{data})\n\n{caption}"


def _code(block: Code) -> str:
    # A fence longer than any run of backticks in the text cannot be closed by it.
    fence = "`" * max([3, *(len(run) + 1 for run in _TICKS.findall(block.text))])
    return f"{fence}text\n{block.text}\n{fence}"


def _block(block: Block) -> str:
    if isinstance(block, Heading):
        return f"{'#' * block.level} {escape(block.text)}"
    if isinstance(block, Paragraph):
        return _paragraph(block)
    if isinstance(block, Items):
        return "\n".join(f"- {escape(item)}" for item in block.items)
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Figure):
        return _figure(block)
    if isinstance(block, Code):
        return _code(block)
    if isinstance(block, Collapsed):
        # The summary line is also a paragraph, for renderers that show <details> as text.
        inner = "\n\n".join(_block(b) for b in block.blocks)
        return (
            f"{escape(block.summary)}\n\n<details>\n<summary>The table</summary>\n\n"
            f"{inner}\n\n</details>"
        )
    return (
        "Arrow colours: "
        + "; ".join(f"{escape(name)}: {escape(meaning)}" for _, name, meaning in block.entries)
        + "."
    )


def to_markdown(report: Report) -> str:
    """The report as Markdown text."""
    parts = []
    if report.banner:
        parts.append(f"> **{escape(report.banner)}**")
    parts.append(f"# {escape(report.title)}")
    parts += [_block(b) for b in report.blocks]
    parts.append(f"Made by mechmap {escape(mechmap.__version__)}.")
    return "\n\n".join(parts) + "\n"
