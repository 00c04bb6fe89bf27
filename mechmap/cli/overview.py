"""``mechmap --help`` without typer: the command list, drawn as typer draws it, in a third
of the time.

Typer's help formatter imports rich's Markdown, traceback and pretty-printing machinery
(about 0.1 s) before it prints a line; this module builds the same panels from
:mod:`mechmap.cli.commands` with rich's table and panel alone. A test compares its output
with typer's own, plain and in colour, so the two cannot drift apart. Every other help
(``mechmap validate --help``) is typer's.

>>> from rich.console import Console
>>> console = Console(width=60, color_system=None, file=__import__("io").StringIO())
>>> print_overview(console)
>>> console.file.getvalue().splitlines()[1]
' Usage: mechmap [OPTIONS] COMMAND [ARGS]...                 '
"""

from __future__ import annotations

import os

from rich.align import Align
from rich.columns import Columns
from rich.console import Console, Group
from rich.highlighter import RegexHighlighter
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.theme import Theme

from mechmap.cli.commands import APP_HELP, BY_NAME, ROOT_OPTIONS, panels

USAGE = "Usage: mechmap [OPTIONS] COMMAND [ARGS]..."
# Typer's options on every app with shell completion (typer/main.py).
COMPLETION_OPTIONS = (
    ("--install-completion", "Install completion for the current shell."),
    (
        "--show-completion",
        "Show completion for the current shell, to copy it or customize the installation.",
    ),
    ("--help", "Show this message and exit."),
)


class _OptionHighlighter(RegexHighlighter):
    """Typer's highlighter of options, types and ``Usage:`` (typer/rich_utils.py)."""

    highlights = (
        r"(^|\W)(?P<switch>\-\w+)(?![a-zA-Z0-9])",
        r"(^|\W)(?P<option>\-\-[\w\-]+)(?![a-zA-Z0-9])",
        r"(?P<types>\<[^\>]+\>)",
        r"(?P<usage>Usage: )",
    )


class _NegativeHighlighter(RegexHighlighter):
    highlights = (
        r"(^|\W)(?P<negative_switch>\-\w+)(?![a-zA-Z0-9])",
        r"(^|\W)(?P<negative_option>\-\-[\w\-]+)(?![a-zA-Z0-9])",
    )


class _TypesHighlighter(RegexHighlighter):
    highlights = (
        r"^(?P<types_sep>(\[|<))",
        r"(?P<types_sep>\|)",
        r"(?P<types_sep>(\]|>))(\.\.\.)?$",
    )


_HIGHLIGHT = _OptionHighlighter()
_THEME = {
    "option": "bold cyan",
    "switch": "bold green",
    "negative_option": "bold magenta",
    "negative_switch": "bold red",
    "types": "bold yellow",
    "types_sep": "dim",
    "usage": "yellow",
}


def _console() -> Console:
    """The console typer would print help on, with its environment switches."""
    width = os.getenv("TERMINAL_WIDTH")
    force = True if any(map(os.getenv, ("GITHUB_ACTIONS", "FORCE_COLOR", "PY_COLORS"))) else None
    if os.getenv("_TYPER_FORCE_DISABLE_TERMINAL"):
        force = False
    return Console(
        theme=Theme(_THEME),
        highlighter=_HIGHLIGHT,
        color_system="auto",
        force_terminal=force,
        width=int(width) if width else None,
    )


def _table(highlight: bool) -> Table:
    return Table(
        highlight=highlight,
        show_header=False,
        expand=True,
        box=None,
        show_lines=False,
        leading=0,
        border_style=None,
        row_styles=None,
        pad_edge=False,
        padding=(0, 1),
    )


def _options_panel() -> Panel:
    table = _table(highlight=True)
    for option, help_text in (*ROOT_OPTIONS, *COMPLETION_OPTIONS):
        # Typer's columns: long names, short names, their negations (--no-x), value type,
        # help; the root options have only the first and the last, but the empty columns
        # still take their padding.
        table.add_row(
            _HIGHLIGHT(option),
            _HIGHLIGHT(""),
            _NegativeHighlighter()(""),
            _NegativeHighlighter()(""),
            _TypesHighlighter()(Text(style="bold yellow", overflow="fold")),
            Columns([_HIGHLIGHT(Text.from_markup(help_text, style=""))]),
        )
    return Panel(table, border_style="dim", title="Options", title_align="left")


def _commands_panel(title: str, names: list[str], width: int) -> Panel:
    table = _table(highlight=False)
    table.add_column(style="bold cyan", no_wrap=True, width=width)
    table.add_column("Description", justify="left", no_wrap=False, ratio=10)
    for name in names:
        summary = Text.from_markup(BY_NAME[name].summary.strip(), style="")
        table.add_row(Text(name), _HIGHLIGHT(summary))
    return Panel(table, border_style="dim", title=title, title_align="left")


def print_overview(console: Console | None = None) -> None:
    """Print the top-level help: usage, what mechmap is, its options, its commands."""
    console = console or _console()
    console.print(Padding(_HIGHLIGHT(USAGE), 1), style="bold")
    summary = Group(_HIGHLIGHT(Text.from_markup(APP_HELP.replace("\n", " ").strip(), style="")))
    console.print(Padding(Align(summary, pad=False), (0, 1, 1, 1)))
    console.print(_options_panel())
    width = max(len(name) for name in BY_NAME)
    for title, names in panels():
        if names:
            console.print(_commands_panel(title, names, width))
