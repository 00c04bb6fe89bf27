"""Binding a map's variables to data: one checked matrix of numbers, a row per site (or per
respondent), never a NaN, and every dropped site or row accounted for.

Problems come in two kinds. A value that is missing or not a number can be dropped on
request (``missing="drop"``, the CLI's ``--missing drop``): its site, or its respondent row,
is left out and listed in :attr:`AnalysisData.dropped`. Anything else (a Likert answer off the
scale, a label that is not a category, two rows for one site of a site-level measure, a
value like ``-99`` that stands for "missing") is a mistake in the data or the measures and
always an error. Either way each problem is one located line,
``file:line:col: what is wrong (site s) ...; how to fix it``.

The values are read by DuckDB (:mod:`mechmap.data.reading`): at level ``site`` the
respondents' answers are aggregated to their sites there, and only a row per site comes
back; at level ``respondent`` the rows analysed come back, and no others.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from mechmap.data.bound import Aggregation, AnalysisData, Dropped, RowLabels
from mechmap.data.errors import DataError
from mechmap.data.gaps import Gap, gaps_error, label_hint, reasons
from mechmap.data.icc import icc_of_sites, site_moments
from mechmap.data.measures import Binding, resolve
from mechmap.data.reading import Labels, Reader, Series
from mechmap.data.tables import Table
from mechmap.diagnostics import Diagnostic, Location, did_you_mean, error
from mechmap.model import Map, Measures

LEVELS = ("site", "respondent")
MISSING = ("error", "drop")


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
    reader = Reader(measures, problems, rows_analysed=level == "respondent")
    series = reader.read(bindings)
    _raise_if(problems)
    return _Assembly(measures, reader, series, level, missing).build()


def _raise_if(problems: list[Diagnostic]) -> None:
    if problems:
        raise DataError(sorted(problems, key=lambda d: d.location))


class _Assembly:
    """Sites and rows from the series: what is dropped, what is aggregated, the matrix."""

    def __init__(self, measures, reader: Reader, series: list[Series], level, missing):
        self.measures, self.reader = measures, reader
        self.series = series
        self.level, self.missing = level, missing
        tables = list({id(s.binding.table): s.binding.table for s in series}.values())
        self.tables = tables
        # Rows without a site are gaps of their own.
        self.universe = list(
            dict.fromkeys(site for t in tables for site in reader.present.get(id(t), []))
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
                        Gap(first.location, site, "no respondent with every value", None)
                    ]
        gaps = [
            *(g for found in site_gaps.values() for g in found),
            *row_gaps.values(),
            *self.reader.orphans.values(),
        ]
        dropped_sites = set(site_gaps)
        kept = [s for s in self.universe if s not in dropped_sites]
        dropped_rows = sum(1 for g in row_gaps.values() if g.site not in dropped_sites)
        if gaps and self.missing == "error":
            n_orphans = len(self.reader.orphans)
            raise DataError(
                [gaps_error(gaps, len(dropped_sites), len(self.universe), dropped_rows, n_orphans)]
            )
        if not kept:
            lack = (
                f"all {len(self.universe)} lack a value"
                if self.universe
                else (f"no row of {', '.join(t.name for t in self.tables)} has a site id")
            )
            raise DataError(
                [
                    error(
                        gaps[0].location if gaps else Location(self.tables[0].name),
                        f"no site is left to analyse: {lack}",
                    )
                ]
            )
        dropped = self._dropped(site_gaps, row_gaps, dropped_sites)
        if self.level == "site":
            positions, clusters, labels = None, np.arange(len(kept), dtype=np.int64), tuple(kept)
        else:
            positions, clusters, labels, types = self._respondents_kept(kept, row_gaps, types)
        shown = [s for s in self.series if s.denominator_of is None]
        values = np.empty((len(clusters), len(shown)))
        for j, s in enumerate(shown):
            values[:, j] = self._column(s, kept, positions, clusters)
        denominators = {
            s.denominator_of: self._column(s, kept, positions, clusters)
            for s in self.series
            if s.denominator_of
        }
        for array in (values, clusters, *denominators.values()):
            array.setflags(write=False)
        return AnalysisData(
            level=self.level,
            columns=tuple(s.binding.variable for s in shown),
            values=values,
            clusters=clusters,
            site_ids=tuple(kept),
            row_labels=labels,
            respondent_types=types,
            measures=tuple(s.binding.measure for s in shown),
            dropped=dropped,
            aggregation=tuple(self._aggregation(s, kept, row_gaps) for s in respondent),
            synthetic=self.measures.synthetic,
            sources=tuple(dict.fromkeys(src for t in self.tables for src in t.sources)),
            denominators=denominators,
        )

    # -- what is missing -----------------------------------------------------------------
    def _gaps(self) -> tuple[dict[str, list[Gap]], dict[tuple[str, int], Gap]]:
        """Gaps that take out a whole site (per site, in variable order), and respondent rows
        with a gap in some variable (the first one per row)."""
        site_gaps: dict[str, list[Gap]] = defaultdict(list)
        row_gaps: dict[tuple[str, int], Gap] = {}
        for s in self.series:
            for gap in s.row_gaps.values():
                row_gaps.setdefault(gap.row, gap)
        for site in self.universe:
            for s in self.series:
                gap = self._site_gap(s, site)
                if gap is not None:
                    site_gaps[site].append(gap)
        return dict(site_gaps), row_gaps

    def _site_gap(self, s: Series, site: str) -> Gap | None:
        b = s.binding
        if s.level == "site":
            if site in s.site_values:
                return None
            if site in s.site_gaps:
                return s.site_gaps[site]
        else:
            summary = s.summary.get(site)
            if summary is not None and summary.rows and summary.used:
                return None
            if summary is not None and summary.rows:
                return Gap(
                    s.first_gaps[site].location,
                    site,
                    f"no respondent with a usable value in {b.table.name}",
                    b.variable,
                )
        present = self.reader.present.get(id(b.table), [])
        if site not in present:
            return Gap(
                Location(b.table.name),
                site,
                f"site {site} has no row in {b.table.name}{label_hint(site, present)}",
                b.variable,
            )
        return Gap(b.location, site, f"no row of {b.table.name} has {_filters(b)}", b.variable)

    def _respondent_rows(self, respondent: list[Series], row_gaps) -> Labels | None:
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
        types = first.row_types
        missing = [
            (int(first.rows[i]), first.row_sites[i]) for i in np.flatnonzero(types.codes < 0)
        ]
        places = table.locations([r for r, _ in missing], column)
        for (r, site), place in zip(missing, places, strict=True):
            row_gaps.setdefault(
                (table.name, r),
                Gap(
                    place,
                    str(site),
                    f"missing respondent type in column '{column}'",
                    None,
                    (table.name, r),
                ),
            )
        return types

    def _dropped(self, site_gaps, row_gaps, dropped_sites) -> tuple[Dropped, ...]:
        dropped = [Dropped(f"site {site}", reasons(found)) for site, found in site_gaps.items()]
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
            dropped.append(Dropped(where, reasons([gap]) + left_out))
        for gap in self.reader.orphans.values():
            dropped.append(Dropped(f"{gap.location.file}:{gap.location.line}", reasons([gap])))
        return tuple(dropped)

    # -- the matrix ----------------------------------------------------------------------
    def _clusters(self, s: Series, sites: Sequence[str], row_gaps) -> np.ndarray:
        """For each row of the respondent-level ``s`` (read row by row): its site's index in
        ``sites``, or -1 when the row is not used (its site is not in ``sites``, or it has a
        gap in any variable)."""
        clusters = s.row_sites.lookup({site: i for i, site in enumerate(sites)})
        table = s.binding.table.name
        gaps = np.fromiter((row for name, row in row_gaps if name == table), dtype=np.int64)
        clusters[np.isin(s.rows, gaps)] = -1
        return clusters

    def _respondents_kept(self, kept, row_gaps, types):
        """The respondent rows analysed (positions in the series' rows, grouped by site in
        the order of ``kept``), their sites, labels and respondent types."""
        respondent = next(s for s in self.series if s.level == "respondent")
        table = respondent.binding.table
        clusters = self._clusters(respondent, kept, row_gaps)
        positions = np.flatnonzero(clusters >= 0)
        positions = positions[np.argsort(clusters[positions], kind="stable")]
        labels = RowLabels(table.name, table.lines_of(respondent.rows[positions]))
        row_types = None
        if types is not None:
            names = np.array(types.names, dtype=object)
            row_types = tuple(names[types.codes[positions]])
        return positions, clusters[positions], labels, row_types

    def _column(self, s: Series, kept, positions, clusters) -> np.ndarray:
        """The values of ``s`` on the rows: per site (``positions`` ``None``), or per
        respondent row (a site-level value repeated on each of its site's rows)."""
        if s.level == "respondent" and positions is not None:
            return s.row_values[positions]
        if s.level == "site":
            per_site = np.array([s.site_values[site] for site in kept])
        elif s.binding.measure.aggregate == "median":
            per_site = np.array([s.summary[site].median for site in kept])
        else:  # mean, and proportion: the mean of 0/1 answers
            per_site = np.array([s.summary[site].mean for site in kept])
        return per_site if positions is None else per_site[clusters]

    def _aggregation(self, s: Series, kept, row_gaps) -> Aggregation:
        if self.level == "site":
            summaries = [s.summary[site] for site in kept]
            counts = np.array([x.used for x in summaries])
            result = icc_of_sites(
                counts, [x.mean for x in summaries], [x.within for x in summaries]
            )
        else:
            clusters = self._clusters(s, kept, row_gaps)
            used = clusters >= 0
            counts = _counts(clusters, kept)
            result = icc_of_sites(*site_moments(s.row_values[used], clusters[used]))
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


def _filters(b: Binding) -> str:
    return " and ".join(f"{c} = {v}" for c, v in b.filters)


def _source(b: Binding) -> str:
    return f"{b.table.name} where {_filters(b)}" if b.filters else b.table.name
