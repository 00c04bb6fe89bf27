"""Binding a map's variables to data: one checked matrix of numbers, a row per site (or per
respondent), never a NaN, and every dropped site or row accounted for.

Problems come in two kinds. A value that is missing or not a number can be dropped on
request (``missing="drop"``, the CLI's ``--missing drop``): its site, or its respondent row,
is left out and listed in :attr:`AnalysisData.dropped`. Anything else (a Likert answer off the
scale, a label that is not a category, two rows for one site of a site-level measure) is a
mistake in the data or the measures and always an error. Either way each problem is one
located line, ``file:line:col: what is wrong (site s) ...; how to fix it``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from mechmap.data.icc import icc
from mechmap.data.measures import Binding, resolve
from mechmap.data.tables import DataError, Table
from mechmap.diagnostics import Diagnostic, Location, did_you_mean, error
from mechmap.instruments.wai import FORMS, score_items
from mechmap.model import Map, Measure, Measures, ValueType, value_label

LEVELS = ("site", "respondent")
MISSING = ("error", "drop")
_SHOWN = 3  # problems listed by location after the first, in one message


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


@dataclass(frozen=True, eq=False)
class AnalysisData:
    """Data bound to a map, ready for estimation.

    ``values[i, j]`` is variable ``columns[j]`` on row ``i``: a site at level ``site``, a
    respondent at level ``respondent`` (site-level variables repeated on each of the site's
    respondents). ``clusters[i]`` is the row's site, an index into ``site_ids``.
    ``denominators[v]`` holds, row by row, the denominator of a proportion ``v`` whose measure
    names one (all positive): regressions with ``v`` as outcome are weighted by it.
    """

    level: str
    columns: tuple[str, ...]
    values: np.ndarray
    clusters: np.ndarray
    site_ids: tuple[str, ...]
    row_labels: tuple[str, ...]
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


@dataclass(frozen=True)
class _Gap:
    """A missing or non-numeric value, or a site without a row: what dropping takes care of.

    ``row`` is (table, row position) for a respondent's row; ``None`` when the gap takes out
    the site's value as a whole."""

    location: Location
    site: str | None
    text: str
    variable: str | None
    row: tuple[str, int] | None = None


@dataclass
class _Series:
    """One variable as read: per site (site level) or per row (respondent level)."""

    binding: Binding
    level: str
    site_values: dict[str, float] = field(default_factory=dict)
    site_gaps: dict[str, _Gap] = field(default_factory=dict)
    rows: np.ndarray | None = None
    row_sites: np.ndarray | None = None
    row_values: np.ndarray | None = None
    row_gaps: dict[int, _Gap] = field(default_factory=dict)
    by_site: dict[str, np.ndarray] = field(default_factory=dict)  # positions in rows
    denominator_of: str | None = None  # the proportion this series is the denominator of


def bind(
    m: Map,
    measures: Measures | None,
    tables: Sequence[Table],
    variables: Sequence[str],
    level: str = "site",
    missing: str = "error",
) -> AnalysisData:
    """The ``variables`` of ``m`` read from ``tables`` as ``measures`` (or the map's defaults)
    say, with a row per site or per respondent (``level``).

    Respondent-level measures become site values by their ``aggregate`` at level ``site``,
    with ICC(1), ICC(2) and respondents per site in :attr:`AnalysisData.aggregation`.
    Raises :class:`DataError` with every problem found; with ``missing="drop"``, sites and
    respondent rows whose values are missing or not numbers are dropped and listed instead.
    """
    if level not in LEVELS:
        raise ValueError(f"level is one of {', '.join(LEVELS)}, not {level!r}")
    if missing not in MISSING:
        raise ValueError(f"missing is one of {', '.join(MISSING)}, not {missing!r}")
    measures = measures or Measures()
    problems: list[Diagnostic] = []
    bindings = []
    for variable in dict.fromkeys(variables):
        try:
            bindings.append(resolve(m, measures, list(tables), variable))
        except DataError as exc:
            problems += exc.diagnostics
    if not bindings and not problems:
        raise ValueError("bind needs at least one variable")
    _raise_if(problems)
    reader = _Reader(measures, problems)
    series = [reader.series(b) for b in bindings]
    series += [reader.denominator(s) for s in series if s.binding.measure.denominator]
    _raise_if(problems)
    return _Assembly(m, measures, reader, series, level, missing).build()


def _raise_if(problems: list[Diagnostic]) -> None:
    if problems:
        raise DataError(sorted(problems, key=lambda d: d.location))


class _Reader:
    """Reads each binding's rows and values, collecting hard errors in ``problems``."""

    def __init__(self, measures: Measures, problems: list[Diagnostic]):
        self.measures = measures
        self.problems = problems
        self._labels: dict[tuple[int, str], np.ndarray] = {}
        self.orphans: dict[tuple[str, int], _Gap] = {}  # rows without a site id

    def labels(self, table: Table, column: str) -> np.ndarray:
        """The column's values as labels (``None`` where empty), as compared with the
        labels of a measures file (:func:`mechmap.model.value_label`)."""
        key = (id(table), column)
        if key not in self._labels:
            values = table.frame[column].to_numpy(dtype=object)
            empty = _blank(table.frame[column])
            self._labels[key] = np.array(
                [None if e else value_label(v) for v, e in zip(values, empty, strict=True)],
                dtype=object,
            )
        return self._labels[key]

    def sites(self, table: Table) -> np.ndarray:
        site = self.measures.site
        if site not in table.columns:
            raise DataError(
                [
                    error(
                        table.location(None),
                        f"{table.name} has no site column '{site}'"
                        f"{did_you_mean(site, table.columns)}; name the column that identifies "
                        "sites with 'site:' in the measures",
                    )
                ]
            )
        labels = self.labels(table, site)
        for row in np.flatnonzero(labels == None):  # noqa: E711 (elementwise)
            location = table.location(int(row), site)
            location_key = (table.name, int(row))
            self.orphans.setdefault(
                location_key,
                _Gap(location, None, f"missing site id in column '{site}'", None, location_key),
            )
        return labels

    def series(self, b: Binding) -> _Series:
        table = b.table
        sites = self.sites(table)
        mask = sites != None  # noqa: E711 (elementwise)
        for column, wanted in b.filters:
            present = self.labels(table, column)
            if not (present == wanted).any():
                values = [v for v in dict.fromkeys(present) if v is not None]
                self.problems.append(
                    error(
                        b.location,
                        f"{b.variable}: no row of {table.name} has {column} = {wanted}"
                        f"{_label_hint(wanted, values)}; values there: "
                        f"{', '.join(values[:8])}{' ...' if len(values) > 8 else ''}",
                    )
                )
            mask &= present == wanted
        rows = np.flatnonzero(mask)
        values, gaps = self._values(b, rows)
        row_sites = sites[rows]
        level = self._level(b, rows, row_sites)
        series = _Series(b, level)
        if level == "respondent":
            series.rows, series.row_sites, series.row_values = rows, row_sites, values
            series.by_site = _positions_by_site(row_sites)
            series.row_gaps = {
                int(r): _Gap(loc, str(s), text, b.variable, (table.name, int(r)))
                for r, s, (loc, text) in zip(rows, row_sites, gaps, strict=True)
                if text is not None
            }
            if b.measure.aggregate == "proportion":
                self._zero_one(b, rows, values)
        else:
            self._one_per_site(series, rows, row_sites, values, gaps)
        return series

    def denominator(self, proportion: _Series) -> _Series:
        """The denominator of a site-level proportion, read from the proportion's own rows:
        positive numbers, whose gaps drop the site as the proportion's own gaps would."""
        b = proportion.binding
        column = b.measure.denominator
        denominator = replace(
            b,
            variable=f"the denominator of {b.variable}",
            measure=replace(
                b.measure, column=column, type=ValueType("denominator"), denominator=None
            ),
            columns=(column,),
        )
        if column not in b.table.columns:
            self.problems.append(
                error(
                    b.location,
                    f"{b.variable}: {b.table.name} has no column '{column}' for its "
                    f"denominator{did_you_mean(column, b.table.columns)}; the denominator is "
                    "read from the proportion's own rows",
                )
            )
        elif proportion.level != "site":
            self.problems.append(
                error(
                    b.location,
                    f"{b.variable} has several rows per site, but a denominator weights one "
                    "proportion per site; aggregate the rows to sites, or remove 'denominator'",
                )
            )
        else:
            series = self.series(
                replace(denominator, measure=replace(denominator.measure, level="site"))
            )
            series.denominator_of = b.variable
            return series
        return _Series(denominator, "site", denominator_of=b.variable)

    def _level(self, b: Binding, rows: np.ndarray, row_sites: np.ndarray) -> str:
        """The measure's level, else respondent when a site has several rows, unless they
        are one per wave of a long table (a timeless value repeated at each wave)."""
        if b.measure.level is not None:
            return b.measure.level
        if len(set(row_sites)) == len(row_sites):
            return "site"
        wave = self.measures.wave
        if b.by_wave or wave is None or wave not in b.table.columns:
            return "respondent"
        waves = self.labels(b.table, wave)[rows]
        pairs = set(zip(row_sites, waves, strict=True))
        return "site" if len(pairs) == len(rows) else "respondent"

    def _one_per_site(self, series, rows, row_sites, values, gaps) -> None:
        b = series.binding
        by_site = _positions_by_site(row_sites)
        wave = self.measures.wave
        has_waves = wave is not None and wave in b.table.columns and not b.by_wave
        duplicated = []
        for site, positions in by_site.items():
            good = [int(i) for i in positions if gaps[i][1] is None]
            if len(positions) > 1:
                waves = self.labels(b.table, wave)[rows[positions]] if has_waves else None
                if waves is None or len(set(waves)) < len(positions):
                    duplicated.append((site, positions))
                    continue
                distinct = {float(values[i]) for i in good}
                if len(distinct) > 1:
                    first, other = (b.table.location(int(rows[i]), b.columns[0]) for i in good[:2])
                    self.problems.append(
                        error(
                            first,
                            f"{b.variable} is timeless in the map but column '{b.columns[0]}' "
                            f"differs between waves at site {site} (here and line {other.line}); "
                            "give the node waves, or pick one wave with the measure's 'wave:'",
                        )
                    )
                    continue
            if good:
                series.site_values[site] = float(values[good[0]])
            else:
                location, text = gaps[positions[0]]
                series.site_gaps[site] = _Gap(location, site, text, b.variable)
        if duplicated:
            site, positions = duplicated[0]
            lines = [int(b.table.lines[rows[i]]) for i in positions]
            more = f"; {len(duplicated) - 1} more site(s) have several rows" * (len(duplicated) > 1)
            self.problems.append(
                error(
                    b.table.location(int(rows[positions[1]]), self.measures.site),
                    f"site {site} has {len(positions)} rows in {b.table.name} (lines "
                    f"{', '.join(map(str, lines[:5]))}) for site-level {b.variable}{more}; "
                    "remove the duplicates, or set 'level: respondent' to aggregate them",
                )
            )

    def _values(self, b: Binding, rows: np.ndarray):
        """The binding's values on ``rows`` (NaN where a gap is) and per row ``(location,
        gap text)`` (text ``None`` where the value is fine)."""
        if b.measure.score is None:
            return self._column(b, b.columns[0], b.measure.type, rows)
        form = FORMS[b.measure.score.instrument]
        scale = ValueType("likert", form.low, form.high)
        matrix = np.empty((len(rows), len(b.columns)))
        gaps: list[tuple[Location | None, str | None]] = [(None, None)] * len(rows)
        for j, column in enumerate(b.columns):
            matrix[:, j], item_gaps = self._column(b, column, scale, rows)
            gaps = [g if g[1] is not None else h for g, h in zip(gaps, item_gaps, strict=True)]
        values = np.full(len(rows), np.nan)
        ok = np.array([text is None for _, text in gaps], dtype=bool)
        if ok.any():
            values[ok] = score_items(matrix[ok], b.items, b.measure.score.instrument)
        return values, gaps

    def _column(self, b: Binding, column: str, value_type: ValueType, rows):
        table = b.table
        raw = table.frame[column].iloc[rows]
        blank = _blank(raw)
        if value_type.kind == "category":
            values, bad = self._categories(b, column, value_type, rows, blank)
            unreadable = np.zeros(len(rows), dtype=bool)
        else:
            values = _numbers(raw, blank)
            unreadable = ~blank & ~np.isfinite(values)
            values[unreadable] = np.nan
            bad = self._out_of_range(b, column, value_type, rows, values)
        values[bad] = np.nan
        gaps: list[tuple[Location | None, str | None]] = []
        shown = raw.to_numpy(dtype=object)
        for i in range(len(rows)):
            if blank[i] or unreadable[i]:
                text = (
                    f"missing value in column '{column}'"
                    if blank[i]
                    else f"'{shown[i]}' in column '{column}' is not a number"
                )
                gaps.append((table.location(int(rows[i]), column), text))
            elif bad[i]:
                # Reported as an error already; the row stays out of the value either way.
                gaps.append((table.location(int(rows[i]), column), "an invalid value"))
            else:
                gaps.append((None, None))
        return values, gaps

    def _categories(self, b, column, value_type, rows, blank):
        labels = self.labels(b.table, column)[rows]
        score = {label: float(k) for k, label in enumerate(value_type.categories, start=1)}
        values = np.array([score.get(v, np.nan) if v is not None else np.nan for v in labels])
        bad = ~blank & np.isnan(values)
        if bad.any():
            first = labels[bad][0]
            self._cells_error(
                b,
                column,
                rows[bad],
                f"'{first}' is not a category of {b.variable}"
                f"{did_you_mean(first, value_type.categories)}",
                f"fix the value, or list it under the measure's category "
                f"({', '.join(value_type.categories)})",
            )
        return values, bad

    def _out_of_range(self, b, column, value_type, rows, values) -> np.ndarray:
        ok = np.isfinite(values)
        kind = value_type.kind
        if kind == "likert":
            bad = ok & ((values < value_type.low) | (values > value_type.high))
            what = f"outside the Likert range {value_type.low:g}-{value_type.high:g}"
            fix = "fix the value, or the measure's 'type'"
        elif kind == "proportion":
            bad = ok & ((values < 0) | (values > 1))
            what = "not a proportion (0 to 1)"
            percent = bad.any() and (values[bad] >= 0).all() and (values[bad] <= 100).all()
            fix = "percentages? divide them by 100" if percent else "fix the value"
        elif kind == "denominator":
            bad = ok & (values <= 0)
            what = "not a denominator (a number above 0)"
            fix = "a proportion's denominator counts what it is a share of; fix the value"
        elif kind == "count":
            bad = ok & ((values < 0) | (values != np.round(values)))
            what = "not a count (a whole number, 0 or more)"
            fix = "fix the value, or make the measure's type continuous"
        else:
            return np.zeros(len(values), dtype=bool)
        if bad.any():
            first = values[bad][0]
            self._cells_error(b, column, rows[bad], f"{first:g} is {what} for {b.variable}", fix)
        return bad

    def _zero_one(self, b: Binding, rows, values) -> None:
        bad = np.isfinite(values) & (values != 0) & (values != 1)
        if bad.any():
            self._cells_error(
                b,
                b.columns[0],
                rows[bad],
                f"{values[bad][0]:g} is not 0 or 1, but {b.variable} aggregates by "
                "'proportion' (the share of respondents with 1)",
                "code the column 0/1, or aggregate by mean",
            )

    def _cells_error(self, b, column, bad_rows, what: str, fix: str) -> None:
        """One error for every bad cell of a column: the first located, the rest counted."""
        table = b.table
        first = int(bad_rows[0])
        site = self.labels(table, self.measures.site)[first]
        rest = [str(int(table.lines[r])) for r in bad_rows[1:]]
        more = (
            f"; {len(rest)} more in this column (line{'s' * (len(rest) > 1)} "
            f"{', '.join(rest[:5])}{' ...' if len(rest) > 5 else ''})"
            if rest
            else ""
        )
        self.problems.append(
            error(table.location(first, column), f"{what} (site {site}){more}; {fix}")
        )


def _blank(values) -> np.ndarray:
    """Where a column has no value: NA, or text that is empty or only spaces."""
    blank = values.isna().to_numpy()
    if values.dtype == object or str(values.dtype) == "string":
        text = values.astype(str).str.strip().to_numpy()
        blank |= text == ""
    return blank


def _numbers(values, blank: np.ndarray) -> np.ndarray:
    """Numbers as floats (True = 1); NaN where a value is blank or not a number."""
    import pandas as pd

    if not (values.dtype == bool or pd.api.types.is_numeric_dtype(values.dtype)):
        values = pd.to_numeric(values.astype(str).str.strip().where(~blank), errors="coerce")
    # A copy: pandas may hand out a read-only view, and gaps are written into it.
    return np.array(values.to_numpy(dtype=float, na_value=np.nan), dtype=float)


class _Assembly:
    """Sites and rows from the series: what is dropped, what is aggregated, the matrix."""

    def __init__(self, m, measures, reader, series, level, missing):
        self.m, self.measures, self.reader = m, measures, reader
        self.series: list[_Series] = series
        self.level, self.missing = level, missing
        tables = list({id(s.binding.table): s.binding.table for s in series}.values())
        self.tables = tables
        self.universe = list(
            dict.fromkeys(
                site
                for t in tables
                for site in reader.sites(t)
                if site is not None  # rows without a site are gaps of their own
            )
        )

    def build(self) -> AnalysisData:
        site_gaps, row_gaps = self._gaps()
        respondent = [s for s in self.series if s.level == "respondent"]
        types = None
        if self.level == "respondent":
            if not respondent:
                raise DataError(
                    [
                        error(
                            self.series[0].binding.location,
                            "level respondent needs a respondent-level variable (a site with "
                            "several rows), but every variable has one value per site; "
                            "use level site",
                        )
                    ]
                )
            types = self._respondent_rows(respondent, row_gaps)
            counts = _counts(self._clusters(respondent[0], self.universe, row_gaps), self.universe)
            for site, count in zip(self.universe, counts, strict=True):
                if site not in site_gaps and not count:
                    first = min(
                        (g for g in row_gaps.values() if g.site == site), key=lambda g: g.location
                    )
                    site_gaps[site] = [
                        _Gap(first.location, site, "no respondent with every value", None)
                    ]
        gaps = [
            *(g for found in site_gaps.values() for g in found),
            *row_gaps.values(),
            *self.reader.orphans.values(),
        ]
        dropped_sites = set(site_gaps)
        kept = [s for s in self.universe if s not in dropped_sites]
        dropped_rows = self._rows_lost(row_gaps, dropped_sites)
        if gaps and self.missing == "error":
            raise DataError([self._gaps_error(gaps, len(dropped_sites), dropped_rows)])
        if not kept:
            raise DataError(
                [
                    error(
                        gaps[0].location if gaps else Location(self.tables[0].name),
                        f"no site is left to analyse: all {len(self.universe)} lack a value",
                    )
                ]
            )
        dropped = self._dropped(site_gaps, row_gaps, dropped_sites)
        if self.level == "site":
            values, labels, clusters = self._site_matrix(kept, row_gaps)
        else:
            values, labels, clusters, types = self._respondent_matrix(kept, row_gaps, types)
        shown = [j for j, s in enumerate(self.series) if s.denominator_of is None]
        denominators = {
            s.denominator_of: values[:, j] for j, s in enumerate(self.series) if s.denominator_of
        }
        values = values[:, shown]
        for array in (values, clusters, *denominators.values()):
            array.setflags(write=False)
        return AnalysisData(
            level=self.level,
            columns=tuple(self.series[j].binding.variable for j in shown),
            values=values,
            clusters=clusters,
            site_ids=tuple(kept),
            row_labels=labels,
            respondent_types=types,
            measures=tuple(self.series[j].binding.measure for j in shown),
            dropped=dropped,
            aggregation=tuple(self._aggregation(s, kept, row_gaps) for s in respondent),
            synthetic=self.measures.synthetic,
            sources=tuple(dict.fromkeys(src for t in self.tables for src in t.sources)),
            denominators=denominators,
        )

    # -- what is missing -----------------------------------------------------------------
    def _gaps(self) -> tuple[dict[str, list[_Gap]], dict[tuple[str, int], _Gap]]:
        """Gaps that take out a whole site (per site, in variable order), and respondent rows
        with a gap in some variable (the first one per row)."""
        site_gaps: dict[str, list[_Gap]] = defaultdict(list)
        row_gaps: dict[tuple[str, int], _Gap] = {}
        for s in self.series:
            for gap in s.row_gaps.values():
                row_gaps.setdefault(gap.row, gap)
        for site in self.universe:
            for s in self.series:
                gap = self._site_gap(s, site)
                if gap is not None:
                    site_gaps[site].append(gap)
        return dict(site_gaps), row_gaps

    def _site_gap(self, s: _Series, site: str) -> _Gap | None:
        b = s.binding
        if s.level == "site":
            if site in s.site_values:
                return None
            if site in s.site_gaps:
                return s.site_gaps[site]
        else:
            rows = s.rows[s.by_site.get(site, [])]
            if len(rows) and any(int(r) not in s.row_gaps for r in rows):
                return None
            if len(rows):
                return _Gap(
                    s.row_gaps[int(rows[0])].location,
                    site,
                    f"no respondent with a usable value in {b.table.name}",
                    b.variable,
                )
        present = self.reader.sites(b.table)
        location = Location(b.table.name)
        if site not in present:
            others = [p for p in dict.fromkeys(present) if p is not None]
            return _Gap(
                location,
                site,
                f"site {site} has no row in {b.table.name}{_label_hint(site, others)}",
                b.variable,
            )
        return _Gap(b.location, site, f"no row of {b.table.name} has {_filters(b)}", b.variable)

    def _respondent_rows(self, respondent: list[_Series], row_gaps) -> np.ndarray | None:
        """Check that respondent-level variables share their rows, and add the gaps of
        their respondent types; the types per row, if the measures name their column."""
        first = respondent[0]
        for s in respondent[1:]:
            same = s.binding.table is first.binding.table and np.array_equal(s.rows, first.rows)
            if not same:
                raise DataError(
                    [
                        error(
                            s.binding.location,
                            f"at level respondent, {s.binding.variable} and "
                            f"{first.binding.variable} must come from the same respondents "
                            f"(the same table and 'where'), but {s.binding.variable} reads "
                            f"{_source(s.binding)} and {first.binding.variable} reads "
                            f"{_source(first.binding)}; bind at level site instead",
                        )
                    ]
                )
        column = self.measures.respondent_type
        if column is None:
            return None
        table = first.binding.table
        if column not in table.columns:
            raise DataError(
                [
                    error(
                        self.measures.location,
                        f"{table.name} has no respondent type column '{column}'"
                        f"{did_you_mean(column, table.columns)}",
                    )
                ]
            )
        types = self.reader.labels(table, column)
        for r, site in zip(first.rows, first.row_sites, strict=True):
            if types[r] is None:
                row_gaps.setdefault(
                    (table.name, int(r)),
                    _Gap(
                        table.location(int(r), column),
                        str(site),
                        f"missing respondent type in column '{column}'",
                        None,
                        (table.name, int(r)),
                    ),
                )
        return types

    def _rows_lost(self, row_gaps, dropped_sites) -> int:
        """Respondent rows dropping would leave out of the sites that stay."""
        return sum(1 for g in row_gaps.values() if g.site not in dropped_sites)

    def _gaps_error(self, gaps: list[_Gap], n_sites: int, n_rows: int) -> Diagnostic:
        gaps = sorted(gaps, key=lambda g: g.location)
        first = gaps[0]
        message = first.text
        if first.site is not None and f"site {first.site}" not in message:
            message += f" (site {first.site})"
        if first.variable is not None:
            message += f" for node {first.variable}"
        if len(gaps) > 1:
            listed = ", ".join(f"{g.location} {_brief(g)}" for g in gaps[1 : 1 + _SHOWN])
            others = len(gaps) - 1 - _SHOWN
            message += f"; {len(gaps) - 1} more: {listed}" + (
                f" and {others} other(s)" if others > 0 else ""
            )
        plan = []
        if n_sites:
            what = "the site" if n_sites == 1 else f"{n_sites} sites"
            plan.append(f"{what} ({n_sites} of {len(self.universe)})")
        if n_rows:
            plan.append(f"{n_rows} respondent row{'s' * (n_rows > 1)}")
        if self.reader.orphans:
            n = len(self.reader.orphans)
            plan.append(f"{n} row{'s' * (n > 1)} without a site id")
        if len(gaps) > 1:
            fix = "fill or fix them"
        else:
            fix = "fill it" if first.text.startswith("missing") else "fix it"
        message += f"; {fix}, or pass --missing drop to drop {' and '.join(plan)}"
        return error(first.location, message)

    def _dropped(self, site_gaps, row_gaps, dropped_sites) -> tuple[Dropped, ...]:
        dropped = [Dropped(f"site {site}", _reasons(found)) for site, found in site_gaps.items()]
        affected: dict[tuple[str, int], list[str]] = defaultdict(list)
        if self.level == "site":
            for s in self.series:
                for gap in s.row_gaps.values():
                    affected[gap.row].append(s.binding.variable)
        for key, gap in sorted(row_gaps.items(), key=lambda kv: kv[1].location):
            if gap.site in dropped_sites:
                continue
            where = f"{gap.location.file}:{gap.location.line}"
            left_out = f"; left out of {', '.join(affected[key])}" if affected[key] else ""
            dropped.append(Dropped(where, _reasons([gap]) + left_out))
        for gap in self.reader.orphans.values():
            dropped.append(Dropped(f"{gap.location.file}:{gap.location.line}", _reasons([gap])))
        return tuple(dropped)

    # -- the matrix ----------------------------------------------------------------------
    def _clusters(self, s: _Series, sites: Sequence[str], row_gaps) -> np.ndarray:
        """For each row of the respondent-level ``s``: its site's index in ``sites``, or -1
        when the row is not used (its site is not in ``sites``, or it has a gap: in ``s`` at
        level site, in any variable at level respondent)."""
        index = {site: i for i, site in enumerate(sites)}
        table = s.binding.table.name
        by_row = self.level == "site"
        return np.array(
            [
                -1
                if (int(r) in s.row_gaps if by_row else (table, int(r)) in row_gaps)
                else index.get(site, -1)
                for r, site in zip(s.rows, s.row_sites, strict=True)
            ],
            dtype=np.int64,
        )

    def _site_matrix(self, kept, row_gaps):
        values = np.empty((len(kept), len(self.series)))
        for j, s in enumerate(self.series):
            if s.level == "site":
                values[:, j] = [s.site_values[site] for site in kept]
                continue
            clusters = self._clusters(s, kept, row_gaps)
            used = clusters >= 0
            if s.binding.measure.aggregate == "median":
                order = np.argsort(clusters[used], kind="stable")
                groups = np.split(
                    s.row_values[used][order], np.cumsum(_counts(clusters, kept))[:-1]
                )
                values[:, j] = [np.median(g) for g in groups]
            else:  # mean, and proportion: the mean of 0/1 answers
                sums = np.bincount(clusters[used], s.row_values[used], minlength=len(kept))
                values[:, j] = sums / _counts(clusters, kept)
        return values, tuple(kept), np.arange(len(kept), dtype=np.int64)

    def _respondent_matrix(self, kept, row_gaps, types):
        respondent = next(s for s in self.series if s.level == "respondent")
        table = respondent.binding.table
        clusters = self._clusters(respondent, kept, row_gaps)
        positions = np.flatnonzero(clusters >= 0)
        positions = positions[np.argsort(clusters[positions], kind="stable")]
        clusters = clusters[positions]
        values = np.empty((len(positions), len(self.series)))
        for j, s in enumerate(self.series):
            if s.level == "respondent":
                values[:, j] = s.row_values[positions]
            else:
                values[:, j] = np.array([s.site_values[site] for site in kept])[clusters]
        rows = respondent.rows[positions]
        labels = tuple(f"{table.name}:{int(table.lines[r])}" for r in rows)
        row_types = tuple(str(types[r]) for r in rows) if types is not None else None
        return values, labels, clusters, row_types

    def _aggregation(self, s: _Series, kept, row_gaps) -> Aggregation:
        clusters = self._clusters(s, kept, row_gaps)
        used = clusters >= 0
        counts = _counts(clusters, kept)
        result = icc(s.row_values[used], clusters[used])
        return Aggregation(
            variable=s.binding.variable,
            respondents_min=int(counts.min()),
            respondents_median=float(np.median(counts)),
            respondents_max=int(counts.max()),
            icc1=result.icc1,
            icc2=result.icc2,
            aggregate=s.binding.measure.aggregate,
        )


def _counts(clusters: np.ndarray, sites: Sequence[str]) -> np.ndarray:
    return np.bincount(clusters[clusters >= 0], minlength=len(sites))


def _positions_by_site(row_sites: np.ndarray) -> dict[str, np.ndarray]:
    if not len(row_sites):
        return {}
    order = np.argsort(row_sites.astype(str), kind="stable")
    ordered = row_sites[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    ends = [*starts[1:], len(order)]
    return {str(ordered[a]): order[a:b] for a, b in zip(starts, ends, strict=True)}


def _label_hint(label: str, others: Sequence[str]) -> str:
    """A "did you mean" for a label (a site id, a ``where`` value) that the data write
    differently: in another case or spacing (``Site 1``, ``site_1``), or misspelt."""
    folded = {"".join(ch for ch in o.casefold() if ch.isalnum()): o for o in others}
    same = folded.get("".join(ch for ch in label.casefold() if ch.isalnum()))
    if same is not None:
        return f" (did you mean '{same}'? labels must match exactly)"
    return did_you_mean(label, others)


def _filters(b: Binding) -> str:
    return " and ".join(f"{c} = {v}" for c, v in b.filters)


def _source(b: Binding) -> str:
    return f"{b.table.name} where {_filters(b)}" if b.filters else b.table.name


def _brief(gap: _Gap) -> str:
    site = f" (site {gap.site})" if gap.site is not None and "site " not in gap.text else ""
    return f"{gap.text}{site}"


def _reasons(gaps: Sequence[_Gap]) -> str:
    """The reasons of a site's gaps, a cell that several variables read (a denominator
    shared by proportions) once, naming them all."""
    by_cell: dict[tuple[Location, str], list[str]] = {}
    for gap in gaps:
        by_cell.setdefault((gap.location, _brief(gap)), []).append(gap.variable or "")
    return "; ".join(
        f"{brief}{' for ' + ' and '.join(v for v in names if v) if any(names) else ''} ({location})"
        for (location, brief), names in by_cell.items()
    )
