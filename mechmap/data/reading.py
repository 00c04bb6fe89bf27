"""Each variable's values read out of DuckDB: per site where sites are analysed, row by row
only where rows are.

For every table, one pass (:meth:`~mechmap.data.tablesql.TableSql.summary`) goes through its
rows and returns a row per site: for each variable read from the table, how many of the
site's rows it selects (by its ``where`` and wave), how many hold a usable value, their mean
and variance (for the ICCs), and how many cells break each of its rules
(:mod:`mechmap.data.cells`). Everything else is asked only where needed:

- the rows of the site-level variables (one per site, or one per wave): a handful per site,
  for all of a table's variables in one query;
- the rows of respondent-level variables when respondents are the rows analysed;
- the cells to report: the first cells that break a rule, the gaps (missing or
  non-numeric values), the rows without a site id;
- medians, from a histogram of each site's values, which DuckDB keeps on disk if it must.

So memory follows the number of sites, or of the rows analysed, never the file's size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from mechmap.data.gaps import Gap, label_hint
from mechmap.data.measures import Binding
from mechmap.data.problems import CellReport
from mechmap.data.tables import Table
from mechmap.data.tablesql import Read, SiteStats, TableSql
from mechmap.diagnostics import Diagnostic, error
from mechmap.model import Measures


@dataclass(frozen=True)
class SiteSummary:
    """A respondent-level variable at one site: the rows it selects there, how many hold
    a usable value, and of those the mean, sum of squared deviations and median."""

    rows: int
    used: int
    mean: float
    within: float
    median: float = float("nan")


@dataclass
class Series:
    """One variable as read: per site (level ``site``) or per row (level ``respondent``).

    At level respondent ``summary`` holds the per-site aggregates, ``row_gaps`` the rows
    without a usable value and ``first_gaps`` each site's first of them. When respondents
    are the rows analysed, ``rows`` holds their positions, ``row_values`` their values (NaN
    at a gap), ``row_sites`` and ``row_types`` their site ids and respondent types as
    :class:`Labels`."""

    binding: Binding
    level: str
    site_values: dict[str, float] = field(default_factory=dict)
    site_gaps: dict[str, Gap] = field(default_factory=dict)
    summary: dict[str, SiteSummary] = field(default_factory=dict)
    row_gaps: dict[int, Gap] = field(default_factory=dict)
    first_gaps: dict[str, Gap] = field(default_factory=dict)
    rows: np.ndarray | None = None
    row_values: np.ndarray | None = None
    row_sites: Labels | None = None
    row_types: Labels | None = None
    denominator_of: str | None = None  # the proportion this series is the denominator of


@dataclass(frozen=True)
class Labels:
    """A label per row, compactly: ``codes[i]`` indexes ``names`` (-1: no label)."""

    names: tuple[str, ...]
    codes: np.ndarray

    def lookup(self, values: dict[str, int], missing: int = -1) -> np.ndarray:
        """``values[label]`` per row (``missing`` for a row without one, or not in ``values``)."""
        table = np.array([values.get(name, missing) for name in self.names] + [missing])
        return table[self.codes]

    def __getitem__(self, row: int) -> str | None:
        code = int(self.codes[row])
        return None if code < 0 else self.names[code]


class Reader:
    """Reads bindings table by table; hard errors go to ``problems``. ``rows_analysed``:
    whether respondents' rows are the rows of the analysis (level respondent)."""

    def __init__(self, measures: Measures, problems: list[Diagnostic], rows_analysed: bool):
        self.measures = measures
        self.problems = problems
        self.rows_analysed = rows_analysed
        self.orphans: dict[tuple[str, int], Gap] = {}  # rows without a site id
        self.present: dict[int, list[str]] = {}  # a table's site ids, in order of first row

    def read(self, bindings: Sequence[Binding]) -> list[Series]:
        """The series of ``bindings`` (in their order), then their denominators."""
        by_table: dict[int, list[Binding]] = defaultdict(list)
        for b in bindings:
            by_table[id(b.table)].append(b)
        series: dict[str, Series] = {}
        denominators: dict[str, Series] = {}
        for found in by_table.values():
            table = _TableRead(self, found[0].table, found)
            series.update(table.series)
            denominators.update(table.denominators)
        return [series[b.variable] for b in bindings] + [
            denominators[b.variable] for b in bindings if b.variable in denominators
        ]


class _TableRead:
    """The bindings of one table, read with as few passes over it as there can be."""

    def __init__(self, reader: Reader, table: Table, bindings: list[Binding]):
        self.reader, self.table, self.measures = reader, table, reader.measures
        self.problems = reader.problems
        self.sql = TableSql(table, bindings, self.measures, self.problems, reader.rows_analysed)
        self.report = CellReport(self.sql, self.problems)
        self.series: dict[str, Series] = {}
        self.denominators = {  # proportions whose denominator column is missing: an error
            b.variable: Series(
                replace(b, variable=f"the denominator of {b.variable}"),
                "site",
                denominator_of=b.variable,
            )
            for b in self.sql.no_denominator
        }
        sites, matches, per_read = self.sql.summary()
        self._sites(sites)
        self._filters_exist(matches)
        levels = {}
        for r, per_site in zip(self.sql.reads, per_read, strict=True):
            if r.denominator_of is not None and levels.get(r.denominator_of.index) != "site":
                self._unweighted(r)
                continue
            levels[r.index] = self._level(r.binding, per_site)
            self.report.rules(r, per_site, levels[r.index])
        at_sites = [r for r in self.sql.reads if levels.get(r.index) == "site"]
        duplicated = {r.index: self._duplicated(r, per_read[r.index]) for r in at_sites}
        site_rows = self._site_rows(at_sites, duplicated)
        respondents: list[tuple[Read, Series]] = []
        for r, per_site in zip(self.sql.reads, per_read, strict=True):
            if r.index not in levels:
                continue
            series = Series(r.binding, levels[r.index])
            if series.level == "respondent":
                self._respondents(r, series, per_site)
                respondents.append((r, series))
            else:
                self._one_per_site(r, series, site_rows[r.index], duplicated[r.index])
            if r.denominator_of is None:
                self.series[r.binding.variable] = series
            else:
                series.denominator_of = r.denominator_of.binding.variable
                self.denominators[series.denominator_of] = series
        if self.reader.rows_analysed and respondents:
            self._rows(respondents)

    # -- the table -------------------------------------------------------------------------
    def _sites(self, sites: dict[str | None, tuple[int, int]]) -> None:
        """The table's site ids in the order of their first row; rows without one."""
        table, site = self.table, self.measures.site
        named = sorted((s for s in sites if s is not None), key=lambda s: sites[s][1])
        self.reader.present[id(table)] = named
        if None not in sites:
            return
        found = self.table.database.execute(
            f"SELECT _row FROM ({self.sql.cells_sql}) WHERE l_{self.sql.alias[site]} IS NULL "
            "ORDER BY _row"
        ).fetchall()
        orphans = [int(r[0]) for r in found]
        for row, location in zip(orphans, table.locations(orphans, site), strict=True):
            key = (table.name, row)
            self.reader.orphans.setdefault(
                key, Gap(location, None, f"missing site id in column '{site}'", None, key)
            )

    def _filters_exist(self, matches: list[int]) -> None:
        """A ``where`` (or wave) value that no row of the table has is an error, listing
        the values there are."""
        for (column, wanted), count in zip(self.sql.filters, matches, strict=True):
            if count:
                continue
            label = f"l_{self.sql.alias[column]}"
            found = self.table.database.execute(
                f"SELECT {label} AS label, min(_row) AS first FROM ({self.sql.cells_sql}) "
                f"WHERE {label} IS NOT NULL GROUP BY label ORDER BY first LIMIT 9"
            ).fetchall()
            values = [v for v, _ in found]
            for r in self.sql.reads:
                if (column, wanted) in r.binding.filters:
                    self.problems.append(
                        error(
                            r.binding.location,
                            f"{r.binding.variable}: no row of {self.table.name} has "
                            f"{column} = {wanted}{label_hint(wanted, values)}; values there: "
                            f"{', '.join(values[:8])}{' ...' if len(values) > 8 else ''}",
                        )
                    )

    def _unweighted(self, r: Read) -> None:
        """A denominator of a proportion with several rows per site: an error."""
        proportion = r.denominator_of.binding
        self.problems.append(
            error(
                proportion.location,
                f"{proportion.variable} has several rows per site, but a denominator weights "
                "one proportion per site; aggregate the rows to sites, or remove 'denominator'",
            )
        )
        series = Series(r.binding, "site", denominator_of=proportion.variable)
        self.denominators[proportion.variable] = series

    def _level(self, b: Binding, per_site: dict[str, SiteStats]) -> str:
        """The measure's level, else respondent when a site has several rows, unless they
        are one per wave of a long table (a timeless value repeated at each wave)."""
        if b.measure.level is not None:
            return b.measure.level
        if all(s.rows <= 1 for s in per_site.values()):
            return "site"
        wave = self.measures.wave
        if b.by_wave or wave is None or wave not in self.table.columns:
            return "respondent"
        return "site" if all(s.waves == s.rows for s in per_site.values()) else "respondent"

    # -- respondent level ------------------------------------------------------------------
    def _respondents(self, r: Read, series: Series, per_site: dict[str, SiteStats]) -> None:
        i = r.index
        series.summary = {
            site: SiteSummary(
                s.rows,
                s.used,
                float("nan") if s.mean is None else float(s.mean),
                0.0 if s.variance is None else float(s.variance) * s.used,
            )
            for site, s in per_site.items()
        }
        if any(s.used < s.rows for s in per_site.values()):
            found = self.sql.query(
                f"SELECT _row, site, g{i}, gc{i}, gt{i} FROM ({self.sql.series_sql}) "
                f"WHERE k{i} AND g{i} <> 0 ORDER BY _row"
            )
            for row, site, gap in self.report.gaps(r, found):
                series.row_gaps[row] = gap
                series.first_gaps.setdefault(site, gap)
        if r.binding.measure.aggregate == "median" and not self.reader.rows_analysed:
            self._medians(r, series)

    def _rows(self, reads: list[tuple[Read, Series]]) -> None:
        """The rows analysed, read once for the respondent-level series that select the same
        rows: their positions, sites, respondent types and values, streamed in batches into
        arrays of the size the summary counted. No ORDER BY: DuckDB keeps the rows in file
        order (``preserve_insertion_order``), and sorting them would cost."""
        groups: dict[tuple, list[tuple[Read, Series]]] = defaultdict(list)
        for read, series in reads:
            groups[read.binding.filters].append((read, series))
        types = self.measures.respondent_type in self.sql.alias
        for group in groups.values():
            first, series = group[0]
            n = sum(s.rows for s in series.summary.values())
            rows = np.empty(n, dtype=np.int64)
            sites, kinds = _Coder(n), _Coder(n) if types else None
            values = [np.empty(n) for _ in group]
            chosen = ", ".join(
                f"CASE WHEN g{r.index} = 0 THEN v{r.index} ELSE 'NaN'::DOUBLE END" for r, _ in group
            )
            at = 0
            for batch in self.sql.batches(
                f"SELECT _row, site{', rtype' if types else ''}, {chosen} "
                f"FROM ({self.sql.series_sql}) WHERE k{first.index}"
            ):
                size = batch.num_rows
                rows[at : at + size] = batch.column(0).to_numpy()
                sites.add(batch.column(1), at)
                if kinds is not None:
                    kinds.add(batch.column(2), at)
                for k, array in enumerate(values):
                    array[at : at + size] = batch.column(len(batch.columns) - len(group) + k)
                at += size
            for (_, s), array in zip(group, values, strict=True):
                s.rows, s.row_values, s.row_sites = rows, array, sites.labels()
                s.row_types = kinds.labels() if kinds is not None else None

    def _medians(self, r: Read, series: Series) -> None:
        """Each site's median from a histogram of its values: exact, and bounded by the
        distinct values, which DuckDB spills to disk if it must."""
        i = r.index
        found = self.sql.query(
            f"WITH h AS (SELECT site, v{i} AS v, count(*) AS c FROM ({self.sql.series_sql}) "
            f"WHERE k{i} AND g{i} = 0 GROUP BY site, v{i}), "
            "c AS (SELECT site, v, sum(c) OVER (PARTITION BY site ORDER BY v) AS upto, "
            "sum(c) OVER (PARTITION BY site) AS n FROM h) "
            "SELECT site, (min(v) FILTER (upto >= (n + 1) // 2) "
            "+ min(v) FILTER (upto >= n // 2 + 1)) / 2 FROM c GROUP BY site"
        )
        for site, median in found:
            series.summary[site] = replace(series.summary[site], median=float(median))

    # -- site level ------------------------------------------------------------------------
    def _duplicated(self, r: Read, per_site: dict[str, SiteStats]) -> list[str]:
        """Sites with several rows for a site-level binding (not one per wave)."""
        waves = self.measures.wave in self.sql.alias and not r.binding.by_wave
        return sorted(
            site for site, s in per_site.items() if s.rows > 1 and (not waves or s.waves < s.rows)
        )

    def _site_rows(self, reads: list[Read], duplicated: dict[int, list[str]]):
        """The rows of the site-level ``reads`` in one query, but for their ``duplicated``
        sites (an error): ``(row, site, status, gap column, gap text, value)`` per read."""
        if not reads:
            return {}
        columns = ", ".join(
            f"k{r.index} AND NOT list_contains({self.sql.extra(n + 1)}::VARCHAR[], site), "
            f"g{r.index}, gc{r.index}, gt{r.index}, v{r.index}"
            for n, r in enumerate(reads)
        )
        found = self.sql.query(
            f"SELECT _row, site, {columns} FROM ({self.sql.series_sql}) "
            f"WHERE {' OR '.join(f'k{r.index}' for r in reads)} ORDER BY _row",
            [duplicated[r.index] for r in reads],
        )
        rows: dict[int, list[tuple]] = {r.index: [] for r in reads}
        for row in found:
            for n, r in enumerate(reads):
                selected, *rest = row[2 + 5 * n : 7 + 5 * n]
                if selected:
                    rows[r.index].append((row[0], row[1], *rest))
        return rows

    def _one_per_site(self, r: Read, series: Series, rows: list[tuple], duplicated) -> None:
        """A value per site: the site's row, or the same value on each wave's row."""
        b = r.binding
        gaps = {row: gap for row, _, gap in self.report.gaps(r, [x[:5] for x in rows if x[2]])}
        rows_of: dict[str, list[tuple]] = defaultdict(list)
        for row in rows:
            rows_of[row[1]].append(row)
        for site in sorted(rows_of):
            found = rows_of[site]
            good = [row for row in found if row[2] == 0 and row[5] is not None]
            if len({float(row[5]) for row in good}) > 1:
                first, other = self.table.locations([good[0][0], good[1][0]], b.columns[0])
                self.problems.append(
                    error(
                        first,
                        f"{b.variable} is timeless in the map but column '{b.columns[0]}' "
                        f"differs between waves at site {site} (here and line {other.line}); "
                        "give the node waves, or pick one wave with the measure's 'wave:'",
                    )
                )
            elif good:
                series.site_values[site] = float(good[0][5])
            elif found[0][0] in gaps:  # else its value breaks a rule: an error already
                series.site_gaps[site] = replace(gaps[found[0][0]], row=None)
        if duplicated:
            self._duplicates_error(r, duplicated)

    def _duplicates_error(self, r: Read, duplicated: list[str]) -> None:
        b, site = r.binding, duplicated[0]
        found = self.sql.query(
            f"SELECT _row FROM ({self.sql.series_sql}) WHERE k{r.index} AND site = "
            f"{self.sql.extra()} ORDER BY _row",
            [site],
        )
        rows = [int(row[0]) for row in found]
        lines = self.table.lines_of(rows[:5]).tolist()
        more = f"; {len(duplicated) - 1} more site(s) have several rows" * (len(duplicated) > 1)
        self.problems.append(
            error(
                self.table.location(rows[1], self.measures.site),
                f"site {site} has {len(rows)} rows in {self.table.name} (lines "
                f"{', '.join(map(str, lines))}) for site-level {b.variable}{more}; "
                "remove the duplicates, or set 'level: respondent' to aggregate them",
            )
        )


class _Coder:
    """:class:`Labels` of ``n`` rows filled batch by batch from Arrow columns."""

    def __init__(self, n: int):
        self.codes = np.full(n, -1, dtype=np.int64)
        self.index: dict[str, int] = {}

    def add(self, column, at: int) -> None:
        encoded = column.dictionary_encode()
        known = [
            self.index.setdefault(name, len(self.index)) for name in encoded.dictionary.to_pylist()
        ]
        codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)
        self.codes[at : at + len(codes)] = np.where(codes >= 0, np.array([*known, -1])[codes], -1)

    def labels(self) -> Labels:
        return Labels(tuple(self.index), self.codes)
