"""The report as one self-contained HTML page that works offline from disk.

Figures are inline SVG and the stylesheet is inlined; the page has no script at all, and a
Content-Security-Policy that allows nothing but inline styles and ``data:`` images backs
that up (as the viewer's does). Every text from the map or the result is HTML-escaped
(:func:`html.escape`); the SVG comes from Graphviz and matplotlib, which escape the labels
they draw. The falsification table folds under its summary line (``<details>``), which
needs no script.
"""

from __future__ import annotations

import html
import re
from importlib import resources

import mechmap
from mechmap.reports.blocks import (
    SYNTHETIC,
    Block,
    Cell,
    Code,
    Collapsed,
    Figure,
    Heading,
    Items,
    Legend,
    Named,
    Paragraph,
    Report,
    Table,
)

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'"
)


def _e(text: str) -> str:
    return html.escape(text, quote=True)


_LONG = re.compile(r"(\S{16})(?=\S)")


def _breakable(text: str) -> str:
    """``text`` escaped, with a line-break opportunity every 16 characters of a long token.

    >>> _breakable("0123456789abcdef0123 <b>")
    '0123456789abcdef<wbr>0123 &lt;b&gt;'
    """
    return _e(_LONG.sub("\\1\0", text.replace("\0", ""))).replace("\0", "<wbr>")


def _cell(cell: Cell) -> str:
    if isinstance(cell, Named):
        return f'{_breakable(cell.label)} <small class="mm-id">{_breakable(cell.id)}</small>'
    return _breakable(cell)


def _paragraph(block: Paragraph) -> str:
    lead = f"<strong>{_e(block.lead)}</strong> " if block.lead else ""
    css = f' class="mm-{block.kind}"' if block.kind else ""
    return f"<p{css}>{lead}{_e(block.text)}</p>"


def _table(block: Table) -> str:
    head = "".join(f'<th scope="col">{_e(h)}</th>' for h in block.header)
    body = "\n".join(
        "<tr>"
        + "".join(
            f'<td class="num">{_cell(cell)}</td>'
            if i in block.numeric
            else f"<td>{_cell(cell)}</td>"
            for i, cell in enumerate(row)
        )
        + "</tr>"
        for row in block.rows
    )
    return (
        f'<div class="mm-table"><table>\n<caption>{_e(block.caption)}</caption>\n'
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table></div>"
    )


def _figure(block: Figure) -> str:
    drawing = f'<div class="mm-svg">\n{block.svg}\n</div>\n' if block.svg else ""
    return (
        f'<figure id="fig-{_e(block.name)}">\n{drawing}'
        f"<figcaption>{_e(block.caption)}</figcaption>\n</figure>"
    )


def _legend(block: Legend) -> str:
    items = "".join(
        f'<li><span class="mm-swatch" style="background: {_e(colour)}"></span>'
        f"{_e(meaning)} ({_e(name)})</li>"
        for colour, name, meaning in block.entries
    )
    return f'<ul class="mm-legend" aria-label="{_e(block.label)}">{items}</ul>'


def _block(block: Block) -> str:
    if isinstance(block, Heading):
        return f"<h{block.level}>{_e(block.text)}</h{block.level}>"
    if isinstance(block, Paragraph):
        return _paragraph(block)
    if isinstance(block, Items):
        return "<ul>" + "".join(f"<li>{_e(item)}</li>" for item in block.items) + "</ul>"
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Figure):
        return _figure(block)
    if isinstance(block, Code):
        return f'<pre class="mm-code"><code>{_e(block.text)}</code></pre>'
    if isinstance(block, Collapsed):
        inner = "\n".join(_block(b) for b in block.blocks)
        return f"<details>\n<summary>{_e(block.summary)}</summary>\n{inner}\n</details>"
    return _legend(block)


def to_html(report: Report, kind: str = "path test") -> str:
    """The report as an HTML page (a string); ``kind`` names the report in the page title
    (``"<title>: path test (mechmap)"``)."""
    css = resources.files("mechmap.reports").joinpath("report.css").read_text("utf-8")
    banner = f'<p class="mm-banner" role="note">{_e(report.banner)}</p>\n' if report.banner else ""
    title = f"{SYNTHETIC}: {report.title}" if report.banner else report.title
    body = "\n".join(_block(b) for b in report.blocks)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<title>{_e(title)}: {_e(kind)} (mechmap)</title>
<link rel="icon" href="data:,">
<style>
{css}</style>
</head>
<body>
{banner}<header><h1>{_e(report.title)}</h1></header>
<main>
{body}
</main>
<footer>Made by mechmap {_e(mechmap.__version__)}.</footer>
</body>
</html>
"""
