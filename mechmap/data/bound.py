"""What binding gives: :class:`AnalysisData`, the map's variables as one checked matrix, with
what was dropped (:class:`Dropped`) and how respondents were aggregated to sites
(:class:`Aggregation`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from mechmap.model import Measure


@dataclass(frozen=True)
class Dropped:
    """A site or a respondent row left out (``missing="drop"``), and why."""

    label: str
    reason: str


@dataclass(frozen=True)
class Aggregation:
    """A respondent-level variable: respondents per site (over the sites kept) and how
    much its answers agree within sites (:func:`mechmap.data.icc.icc`; ``None``: undefined)."""

    variable: str
    respondents_min: int
    respondents_median: float
    respondents_max: int
    icc1: float | None
    icc2: float | None
    aggregate: str = "mean"


class RowLabels(Sequence[str]):
    """The ``file:line`` label of each respondent row, written out when read: a million rows
    keep one array of line numbers rather than a million strings. Equal to a tuple of the
    same labels."""

    def __init__(self, name: str, lines: np.ndarray):
        self.name, self.lines = name, lines

    def __len__(self) -> int:
        return len(self.lines)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(len(self))))
        return f"{self.name}:{int(self.lines[index])}"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str) or len(other) != len(self):
            return NotImplemented if not isinstance(other, Sequence) else False
        return all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"RowLabels({self.name!r}, {len(self)} rows)"


@dataclass(frozen=True, eq=False)
class AnalysisData:
    """Data bound to a map, ready for estimation.

    ``values[i, j]`` is variable ``columns[j]`` on row ``i``: a site at level ``site``, a
    respondent at level ``respondent`` (site-level variables repeated on each of the site's
    respondents). ``clusters[i]`` is the row's site, an index into ``site_ids``; ``row_labels[i]``
    names the row: its site id, or ``file:line`` for a respondent (:class:`RowLabels`).
    ``denominators[v]`` holds, row by row, the denominator of a proportion ``v`` whose measure
    names one (all positive): regressions with ``v`` as outcome are weighted by it.
    """

    level: str
    columns: tuple[str, ...]
    values: np.ndarray
    clusters: np.ndarray
    site_ids: tuple[str, ...]
    row_labels: Sequence[str]
    respondent_types: tuple[str, ...] | None = None
    measures: tuple[Measure, ...] = ()  # how each column was read, in column order
    dropped: tuple[Dropped, ...] = ()
    aggregation: tuple[Aggregation, ...] = ()
    synthetic: bool = False
    sources: tuple[str, ...] = ()
    denominators: Mapping[str, np.ndarray] = field(default_factory=dict)

    @property
    def n_sites(self) -> int:
        return len(self.site_ids)

    @property
    def n_rows(self) -> int:
        return int(self.values.shape[0])

    def column(self, variable: str) -> np.ndarray:
        """The values of one variable, a row per row."""
        return self.values[:, self.columns.index(variable)]
