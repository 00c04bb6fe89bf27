"""Diagnostics: what is wrong with an input file, and where.

Every problem mechmap finds in a file becomes one :class:`Diagnostic` that prints as
``FILE:LINE:COL: severity: message``, the form compilers use, so editors can jump to it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Location(NamedTuple):
    """A 1-based line and column in a file (a tuple: loading makes tens of thousands)."""

    file: str
    line: int = 1
    col: int = 1

    def shifted(self, columns: int) -> Location:
        return Location(self.file, self.line, self.col + columns)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Diagnostic:
    location: Location
    severity: Severity
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.severity}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.location.file,
            "line": self.location.line,
            "col": self.location.col,
            "severity": str(self.severity),
            "message": self.message,
        }


def _one_line(message: str) -> str:
    # Messages quote user text, which may span lines; a diagnostic is always one line.
    return " ".join(message.split())


def error(location: Location, message: str) -> Diagnostic:
    return Diagnostic(location, Severity.ERROR, _one_line(message))


def warning(location: Location, message: str) -> Diagnostic:
    return Diagnostic(location, Severity.WARNING, _one_line(message))


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)


class MapError(Exception):
    """Raised by the Python API when a file cannot become a valid map or vignette."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        errors = [d for d in diagnostics if d.severity is Severity.ERROR]
        super().__init__("\n".join(str(d) for d in errors))


def did_you_mean(word: str, choices: Iterable[str], ignore_case: bool = False) -> str:
    """A ``" (did you mean 'x'?)"`` suffix for the closest choice, or ``""``; with
    ``ignore_case`` the words are compared case-folded and the choice is shown as written.

    >>> did_you_mean("facilitaton", ["Facilitation", "Tailor strategies"], ignore_case=True)
    " (did you mean 'Facilitation'?)"
    """
    written = {c.casefold() if ignore_case else c: c for c in choices}
    word = str(word).casefold() if ignore_case else str(word)
    close = difflib.get_close_matches(word, list(written), n=1, cutoff=0.6)
    return f" (did you mean '{written[close[0]]}'?)" if close else ""
