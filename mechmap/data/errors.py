"""The error every problem with data becomes: located one-line diagnostics, like a map's."""

from __future__ import annotations

from collections.abc import Sequence

from mechmap.diagnostics import Diagnostic, Location, MapError, error


class DataError(MapError):
    """Data that cannot be bound: every problem as a located one-line diagnostic."""

    def __init__(self, diagnostics: Sequence[Diagnostic]):
        super().__init__(list(diagnostics))


def fail(location: Location, message: str) -> DataError:
    """One located problem as a :class:`DataError`."""
    return DataError([error(location, message)])
