"""The report in the terminal, with rich: the same blocks as the HTML and Markdown reports.

Every text is given to rich as ``Text``, never as markup, so a label like ``[bold]`` or
``[link=...]`` prints as written, and through :func:`mechmap.terminal.console`, so that no
control character from a file reaches the terminal. Figures have no place here (the report
builder leaves them out for the terminal); a folded table prints as its summary line and its
brief form (the failing rows only).
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from mechmap.reports.blocks import (
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
from mechmap.terminal import console


def _cell(cell: Cell) -> Text:
    if isinstance(cell, Named):
        text = Text(cell.label)
        text.append(f" {cell.id}", style="dim")
        return text
    return Text(cell)


def _table(block: Table) -> RichTable:
    table = RichTable(
        title=Text(block.caption, style="bold"), title_justify="left", show_lines=False
    )
    for i, name in enumerate(block.header):
        table.add_column(Text(name), justify="right" if i in block.numeric else "left")
    for row in block.rows:
        table.add_row(*(_cell(cell) for cell in row))
    return table


def _print(out: Console, block: Block) -> None:
    if isinstance(block, Heading):
        out.print()
        out.print(Text(block.text.upper() if block.level <= 2 else block.text, style="bold"))
    elif isinstance(block, Paragraph):
        text = Text(f"{block.lead} " if block.lead else "", style="bold")
        text.append(block.text)
        out.print(text, soft_wrap=False)
    elif isinstance(block, Items):
        for item in block.items:
            out.print(Text(f"  • {item}"))
    elif isinstance(block, Table):
        out.print(_table(block))
    elif isinstance(block, Code):
        # One line per command, never wrapped, so it copies whole.
        for line in block.text.splitlines():
            out.print(Text(f"  {line}"), soft_wrap=True)
    elif isinstance(block, Collapsed):
        out.print(Text(block.summary))
        for inner in block.brief:
            _print(out, inner)
    elif not isinstance(block, Figure | Legend):
        raise TypeError(f"no terminal form for {type(block).__name__}")


def print_report(report: Report, out: Console | None = None) -> None:
    """Print the report (built without figures) to ``out``, standard output by default."""
    out = out or console()
    if report.banner:
        out.print(Text(report.banner, style="bold red"))
    out.print(Text(report.title, style="bold"))
    for block in report.blocks:
        _print(out, block)
