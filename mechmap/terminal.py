"""What reaches a terminal: text from people's files made harmless, and progress on stderr.

A label, note or title is text from a collaborator's file, and a terminal obeys control
characters: ``ESC [ 2 J`` clears the screen, ``ESC ] 0 ; ... BEL`` retitles the window,
``ESC ] 8`` plants a link, a right-to-left override reverses what follows. So every text a
command prints for people passes through :func:`printable`, which removes them (tabs and
line breaks stay). Rich tables print through :func:`console`, whose every segment of text is
made printable after it is laid out; rich measures these characters as zero-width, so the
columns still line up.

:func:`progress` shows a bar (or a spinner) on stderr while something slow runs, only when
stderr is a terminal: piped or redirected output, ``--json`` on stdout and the test suite
never see it.

>>> printable("Trust\\x1b[2J in the coach\\x07 \\u202edrow")
'Trust[2J in the coach drow'
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

# C0 controls but tab and line feed, DEL, C1 controls (0x9b alone is a CSI on some terminals),
# and the bidirectional embeddings, overrides and isolates that reorder what a line shows.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` without the control characters a terminal would act on."""
    return _CONTROL.sub("", text)


def console(stderr: bool = False) -> Console:
    """The console every table and report prints through: nothing from a file controls the
    terminal, and piped output gets a fixed, generous width instead of rich's 80 columns."""
    out = _printable_console_class()(highlight=False, soft_wrap=False, stderr=stderr)
    if not out.is_terminal:
        out.width = 140
    return out


@functools.cache
def _printable_console_class() -> type[Console]:
    from rich.console import Console
    from rich.segment import Segment

    class PrintableConsole(Console):
        def render(self, renderable, options=None):
            for segment in super().render(renderable, options):
                if segment.control or not _CONTROL.search(segment.text):
                    yield segment
                else:
                    yield Segment(printable(segment.text), segment.style)

    return PrintableConsole


Advance = Callable[..., None]


@contextmanager
def progress(what: str, total: int | None = None) -> Iterator[Advance]:
    """Show ``what`` on stderr while the block runs: a bar of ``total`` steps, or a spinner
    without ``total``. Gives ``advance(now=None)``, to call once per step done, with ``now``
    the new description if what is being done changes. Shows nothing unless stderr is a
    terminal, and leaves nothing behind (the line is cleared at the end).

    >>> with progress("drawing slides", total=2) as advance:
    ...     advance()
    ...     advance("writing the deck")
    """
    err = console(stderr=True)
    if not err.is_terminal or err.is_dumb_terminal:
        yield lambda now=None: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = [SpinnerColumn(), TextColumn("{task.description}")]
    if total is not None:
        columns += [BarColumn(), MofNCompleteColumn()]
    with Progress(*columns, TimeElapsedColumn(), console=err, transient=True) as bar:
        task = bar.add_task(printable(what), total=total)

        def advance(now: str | None = None) -> None:
            bar.update(task, advance=1, **({"description": printable(now)} if now else {}))

        yield advance
