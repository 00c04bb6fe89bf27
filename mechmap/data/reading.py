"""Each variable's values read out of DuckDB: per site where sites are analysed, row by row
only where rows are.

For every table one query (:meth:`_TableRead.summarise`) goes through its rows once and
returns a row per site: for each variable read from the table, how many of the site's rows
it selects (by its ``where`` and wave), how many hold a usable value, their mean, their sum
of squared deviations (for the ICCs), their range, and how many cells break each of the
variable's rules (:mod:`mechmap.data.cells`). The rest is asked only where needed:

- the rows of a site-level variable (one per site, or one per wave): a handful per site;
- the rows of respondent-level variables when respondents are what is analysed;
- the cells to report: the first cells that break a rule, the gaps (missing or
  non-numeric values), the rows without a site id;
- medians, from a histogram of each site's values that DuckDB keeps on disk if it must.

So memory follows the number of sites, or of the rows analysed, never the file's size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from mechmap.data import cells
from mechmap.data.cells import BLANK, Cell, Rule
from mechmap.data.errors import DataError
from mechmap.data.gaps import Gap, label_hint
from mechmap.data.measures import Binding
from mechmap.data.sql import sql_name
from mechmap.data.tables import Table
from mechmap.diagnostics import Diagnostic, did_you_mean, error
from mechmap.instruments.wai import FORMS
from mechmap.model import Measures, ValueType

_FIRST = 6  # bad cells fetched per broken rule: the first, located, and five more lines


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
    without a usable value and ``first_gaps`` each site's first of them; ``rows``,
    ``row_sites``, ``row_values`` (and ``row_types``, the respondent types) are filled only
    when respondents are the rows analysed."""

    binding: Binding
    level: str
    site_values: dict[str, float] = field(default_factory=dict)
    site_gaps: dict[str, Gap] = field(default_factory=dict)
    summary: dict[str, SiteSummary] = field(default_factory=dict)
    row_gaps: dict[int, Gap] = field(default_factory=dict)
    first_gaps: dict[str, Gap] = field(default_factory=dict)
    rows: np.ndarray | None = None
    row_sites: np.ndarray | None = None
    row_values: np.ndarray | None = None
    row_types: np.ndarray | None = None
    denominator_of: str | None = None  # the proportion this series is the denominator of


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
        tables: dict[int, Table] = {}
        for b in bindings:
            by_table[id(b.table)].append(b)
            tables[id(b.table)] = b.table
        read: dict[str, Series] = {}
        denominators: dict[str, Series] = {}
        for key, found in by_table.items():
            plan = _TableRead(self, tables[key], found)
            read.update(plan.series)
            denominators.update(plan.denominators)
        return [read[b.variable] for b in bindings] + [
            denominators[b.variable] for b in bindings if b.variable in denominators
        ]


class _Sql:
    """SQL text with numbered parameters, so that no label is ever written into it."""

    def __init__(self):
        self.params: list[object] = []

    def __call__(self, value: object) -> str:
        self.params.append(value)
        return f"${len(self.params)}"


@dataclass
class _Read:
    """One binding as this table's query reads it: ``index`` names its SQL columns."""

    binding: Binding
    index: int
    value_columns: tuple[str, ...]
    rules: list[tuple[int, Rule]]
    codes: list[int]  # value columns checked for missing-value codes
    denominator_of: _Read | None = None


class _TableRead:
    """The bindings of one table read with as few passes over it as there can be."""

    def __init__(self, reader: Reader, table: Table, bindings: list[Binding]):
        self.reader, self.table, self.measures = reader, table, reader.measures
        self.problems = reader.problems
        self.series: dict[str, Series] = {}
        self.denominators: dict[str, Series] = {}
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
        self.sql = _Sql()
        self.reads = [self._plan(b, i) for i, b in enumerate(bindings)]
        for r in list(self.reads):
            if r.binding.measure.denominator:
                denominator = self._denominator(r, len(self.reads))
                if denominator is not None:
                    self.reads.append(denominator)
        self._nested()
        self.cells_sql, self.series_sql = self._layers()
        self.summarise()

    # -- the plan --------------------------------------------------------------------------
    def _plan(self, b: Binding, index: int) -> _Read:
        measure = b.measure
        if measure.score is not None:
            form = FORMS[measure.score.instrument]
            scale = ValueType("likert", form.low, form.high)
            found = cells.rules(scale, b.variable, form)
            rules = [(j, r) for j in range(len(b.columns)) for r in found]
            return _Read(b, index, b.columns, rules, [])
        value_type = measure.type
        categories = ", ".join(self.sql(c) for c in value_type.categories)
        rules = [(0, r) for r in cells.rules(value_type, b.variable, None, categories)]
        if measure.aggregate == "proportion":
            rules.append((0, cells.zero_one(b.variable)))
        codes = [0] if value_type.kind in ("continuous", "count") else []
        return _Read(b, index, b.columns, rules, codes)

    def _denominator(self, proportion: _Read, index: int) -> _Read | None:
        """The denominator of a proportion, read from the proportion's own rows."""
        b = proportion.binding
        column = b.measure.denominator
        if column not in self.table.columns:
            self.problems.append(
                error(
                    b.location,
                    f"{b.variable}: {self.table.name} has no column '{column}' for its "
                    f"denominator{did_you_mean(column, self.table.columns)}; the denominator "
                    "is read from the proportion's own rows",
                )
            )
            self.denominators[b.variable] = Series(
                replace(b, variable=f"the denominator of {b.variable}"),
                "site",
                denominator_of=b.variable,
            )
            return None
        measure = replace(
            b.measure, column=column, type=ValueType("denominator"), denominator=None, level="site"
        )
        binding = replace(
            b, variable=f"the denominator of {b.variable}", measure=measure, columns=(column,)
        )
        found = self._plan(binding, index)
        found.denominator_of = proportion
        return found

    def _nested(self) -> None:
        """A column that holds lists or records has no value per row to bind."""
        for r in self.reads:
            for column in self._columns_of(r):
                duck_type = self.table.types[column]
                if Cell(column, duck_type).nested:
                    raise DataError(
                        [
                            error(
                                self.table.location(None, column),
                                f"column '{column}' of {self.table.name} holds {duck_type} "
                                f"values (lists or records), but {r.binding.variable} needs one "
                                "value per row; unnest or flatten the column first",
                            )
                        ]
                    )

    def _columns_of(self, r: _Read) -> list[str]:
        wave = self.measures.wave
        return [
            self.measures.site,
            *(c for c, _ in r.binding.filters),
            *r.value_columns,
            *([wave] if wave in self.table.columns else []),
        ]

    # -- the SQL ---------------------------------------------------------------------------
    def _layers(self) -> tuple[str, str]:
        """The table's cells (labels, numbers and statuses of the columns used), and over
        them one set of columns per binding: ``k`` whether a row is selected, ``v`` its
        value, ``g`` its status, ``gc`` which value column has the gap, ``gt`` its text."""
        table, measures = self.table, self.measures
        used = dict.fromkeys(c for r in self.reads for c in self._columns_of(r))
        if self.reader.rows_analysed and measures.respondent_type in table.columns:
            used[measures.respondent_type] = None
        alias = {c: f"c{i}" for i, c in enumerate(used)}
        self.alias = alias
        raw = ", ".join(f"{sql_name(c)} AS {a}" for c, a in alias.items())
        cells_sql = cells.cells_sql(
            f"SELECT row_number() OVER () - 1 AS _row, {raw} FROM {table.relation}",
            [Cell(a, table.types[c]) for c, a in alias.items()],
        )
        site = f"l_{alias[measures.site]}"
        wave = f"l_{alias[measures.wave]}" if measures.wave in alias else "NULL"
        columns = ["_row", f"{site} AS site", f"{wave} AS wave"]
        if measures.respondent_type in alias:
            columns.append(f"l_{alias[measures.respondent_type]} AS rtype")
        for r in self.reads:
            columns += self._series_columns(r, site)
        for r in self.reads:
            for j, column in enumerate(r.value_columns):
                x, y = f"n_{alias[column]}", f"l_{alias[column]}"
                columns += [
                    f"{x} AS x{r.index}_{j}",
                    f"{y} AS y{r.index}_{j}",
                    f"{self._status(r, column)} AS s{r.index}_{j}",
                ]
                for n, (at, rule) in enumerate(r.rules):
                    if at == j:
                        columns.append(f"{rule.bad(y if rule.on_label else x)} AS r{r.index}_{n}")
        self.filters = list(dict.fromkeys(f for r in self.reads for f in r.binding.filters))
        for n, (column, wanted) in enumerate(self.filters):
            columns.append(f"(l_{alias[column]} = {self.sql(wanted)}) AS f{n}")
        return cells_sql, f"SELECT {', '.join(columns)} FROM ({cells_sql})"

    def _status(self, r: _Read, column: str) -> str:
        a = self.alias[column]
        if r.binding.measure.score is None and r.binding.measure.type.kind == "category":
            return f"(CASE WHEN b_{a} THEN {BLANK} ELSE 0 END)"
        return f"s_{a}"

    def _series_columns(self, r: _Read, site: str) -> list[str]:
        b, i = r.binding, r.index
        keep = [f"{site} IS NOT NULL"]
        keep += [f"l_{self.alias[c]} = {self.sql(wanted)}" for c, wanted in b.filters]
        statuses = [self._status(r, c) for c in r.value_columns]
        first = " ".join(f"WHEN {s} <> 0 THEN {s}" for s in statuses)
        which = " ".join(f"WHEN {s} <> 0 THEN {j}" for j, s in enumerate(statuses))
        text = " ".join(
            f"WHEN {s} <> 0 THEN t_{self.alias[c]}"
            for s, c in zip(statuses, r.value_columns, strict=True)
        )
        return [
            f"({' AND '.join(keep)}) AS k{i}",
            f"{self._value(r)} AS v{i}",
            f"(CASE {first} ELSE 0 END) AS g{i}",
            f"(CASE {which} END) AS gc{i}",
            f"(CASE {text} END) AS gt{i}",
        ]

    def _value(self, r: _Read) -> str:
        measure = r.binding.measure
        if measure.score is not None:
            form = FORMS[measure.score.instrument]
            terms = [
                f"({form.low + form.high} - n_{self.alias[c]})"
                if n in form.reversed
                else f"n_{self.alias[c]}"
                for n, c in zip(r.binding.items, r.value_columns, strict=True)
            ]
            return f"(({' + '.join(terms)}) / {len(terms)})"
        a = self.alias[r.value_columns[0]]
        if measure.type.kind == "category":
            whens = " ".join(
                f"WHEN {self.sql(c)} THEN {k}.0"
                for k, c in enumerate(measure.type.categories, start=1)
            )
            return f"(CASE l_{a} {whens} END)"
        return f"n_{a}"

    def query(self, sql: str, extra: Sequence[object] = ()):
        """Run ``sql``, a query over :attr:`series_sql`, with the parameters it holds and
        ``extra`` (numbered on from them: :meth:`next`)."""
        return self.table.database.execute(sql, [*self.sql.params, *extra])

    def next(self, k: int = 1) -> str:
        """The placeholder of the ``k``-th extra parameter of :meth:`query`."""
        return f"${len(self.sql.params) + k}"

    # -- the one pass ----------------------------------------------------------------------
    def summarise(self) -> None:
        """The pass over the table: its sites, and per binding and site the aggregates the
        rest is decided from."""
        wave = self.measures.wave
        has_wave = wave in self.alias
        aggregates = ["site", "count(*)", "min(_row)"]
        aggregates += [f"count(*) FILTER (f{n})" for n in range(len(self.filters))]
        for r in self.reads:
            i, ok = r.index, f"k{r.index} AND g{r.index} = 0"
            aggregates += [
                f"count(*) FILTER (k{i})",
                f"count(*) FILTER ({ok})",
                f"avg(v{i}) FILTER ({ok})",
                f"var_pop(v{i}) FILTER ({ok})",
                f"min(v{i}) FILTER ({ok})",
                f"max(v{i}) FILTER ({ok})",
                f"count(*) FILTER (k{i} AND g{i} <> 0)",
                f"count(DISTINCT wave) FILTER (k{i}) + "
                f"least(count(*) FILTER (k{i} AND wave IS NULL), 1)"
                if has_wave
                else "0",
            ]
            for n, (j, _) in enumerate(r.rules):
                aggregates.append(f"count(*) FILTER (k{i} AND s{i}_{j} = 0 AND r{i}_{n})")
            for j in r.codes:
                x, ok_j = f"x{i}_{j}", f"k{i} AND s{i}_{j} = 0"
                codes = ", ".join(f"{c}.0" for c in cells.CODES)
                aggregates += [
                    f"min({x}) FILTER ({ok_j} AND {x} NOT IN ({codes}))",
                    f"max({x}) FILTER ({ok_j} AND {x} NOT IN ({codes}))",
                    f"max(abs({x})) FILTER ({ok_j} AND {x} NOT IN ({codes}))",
                    f"list(DISTINCT {x}) FILTER ({ok_j} AND {x} IN ({codes}))",
                ]
        sql = f"SELECT {', '.join(aggregates)} FROM ({self.series_sql}) GROUP BY site"
        rows = self.query(sql).fetchall()
        self._sites(rows)
        self._filters_exist([sum(row[3 + n] for row in rows) for n in range(len(self.filters))])
        summaries = self._per_read(rows)
        for r, per_site in zip(self.reads, summaries, strict=True):
            self._finish(r, per_site)

    def _sites(self, rows) -> None:
        table = self.table
        named = sorted((r for r in rows if r[0] is not None), key=lambda r: r[2])
        self.reader.present[id(table)] = [r[0] for r in named]
        if any(r[0] is None for r in rows):
            site = self.measures.site
            found = self.table.database.execute(
                f"SELECT _row FROM ({self.cells_sql}) WHERE l_{self.alias[site]} IS NULL "
                "ORDER BY _row"
            ).fetchall()
            orphans = [int(r[0]) for r in found]
            for row, location in zip(orphans, table.locations(orphans, site), strict=True):
                key = (table.name, row)
                self.reader.orphans.setdefault(
                    key, Gap(location, None, f"missing site id in column '{site}'", None, key)
                )

    def _filters_exist(self, counts: list[int]) -> None:
        """A ``where`` (or wave) value that no row of the table has is an error, listing
        the values there are."""
        for (column, wanted), count in zip(self.filters, counts, strict=True):
            if count:
                continue
            label = f"l_{self.alias[column]}"
            found = self.table.database.execute(
                f"SELECT {label} AS label, min(_row) AS first FROM ({self.cells_sql}) "
                f"WHERE {label} IS NOT NULL GROUP BY label ORDER BY first LIMIT 9"
            ).fetchall()
            values = [v for v, _ in found]
            for b in (r.binding for r in self.reads if (column, wanted) in r.binding.filters):
                self.problems.append(
                    error(
                        b.location,
                        f"{b.variable}: no row of {self.table.name} has {column} = {wanted}"
                        f"{label_hint(wanted, values)}; values there: "
                        f"{', '.join(values[:8])}{' ...' if len(values) > 8 else ''}",
                    )
                )

    def _per_read(self, rows) -> list[dict[str, tuple]]:
        """Per binding, its aggregates by site (the columns after the table's own)."""
        result, at = [], 3 + len(self.filters)
        for r in self.reads:
            width = 8 + len(r.rules) + 4 * len(r.codes)
            result.append({row[0]: row[at : at + width] for row in rows if row[0] is not None})
            at += width
        return result

    # -- per binding -----------------------------------------------------------------------
    def _finish(self, r: _Read, per_site: dict[str, tuple]) -> None:
        b = r.binding
        if r.denominator_of is not None:
            proportion = self.series.get(r.denominator_of.binding.variable)
            if proportion is not None and proportion.level != "site":
                self.problems.append(
                    error(
                        r.denominator_of.binding.location,
                        f"{r.denominator_of.binding.variable} has several rows per site, but a "
                        "denominator weights one proportion per site; aggregate the rows to "
                        "sites, or remove 'denominator'",
                    )
                )
                series = Series(b, "site", denominator_of=r.denominator_of.binding.variable)
                self.denominators[r.denominator_of.binding.variable] = series
                return
        level = self._level(b, per_site)
        self._rules(r, per_site, level)
        series = Series(b, level)
        if level == "respondent":
            self._respondents(r, series, per_site)
        else:
            self._one_per_site(r, series, per_site)
        if r.denominator_of is not None:
            series.denominator_of = r.denominator_of.binding.variable
            self.denominators[series.denominator_of] = series
        else:
            self.series[b.variable] = series

    def _level(self, b: Binding, per_site: dict[str, tuple]) -> str:
        """The measure's level, else respondent when a site has several rows, unless they
        are one per wave of a long table (a timeless value repeated at each wave)."""
        if b.measure.level is not None:
            return b.measure.level
        if all(stats[0] <= 1 for stats in per_site.values()):
            return "site"
        wave = self.measures.wave
        if b.by_wave or wave is None or wave not in self.table.columns:
            return "respondent"
        unique = all(stats[7] == stats[0] for stats in per_site.values())
        return "site" if unique else "respondent"

    def _rules(self, r: _Read, per_site: dict[str, tuple], level: str) -> None:
        """An error for each rule some cells break (the first located, the rest counted),
        and for values that look like missing-value codes."""
        at = 8
        for n, (j, rule) in enumerate(r.rules):
            count = sum(stats[at] for stats in per_site.values())
            at += 1
            if count and (rule.name != "zero-one" or level == "respondent"):
                self._broken(r, j, rule, f"r{r.index}_{n}", count)
        for j in r.codes:
            stats = [s[at : at + 4] for s in per_site.values()]
            at += 4
            low = min((s[0] for s in stats if s[0] is not None), default=None)
            high = max((s[1] for s in stats if s[1] is not None), default=None)
            largest = max((s[2] for s in stats if s[2] is not None), default=None)
            codes = sorted({c for s in stats for c in (s[3] or ())})
            flagged = cells.missing_codes(codes, low, high, largest)
            if r.binding.measure.type.kind == "count":
                flagged = [c for c in flagged if c > 0]  # a negative count is an error already
            if flagged:
                listed = ", ".join(f"{c!r}" for c in flagged)
                rule = Rule(
                    "code",
                    lambda x: "",
                    lambda v, low=low, high=high, variable=r.binding.variable: (
                        f"{v:g} looks like a missing-value code for {variable}, not a value "
                        f"(its other values run from {low:g} to {high:g})"
                    ),
                    lambda _: (
                        "leave missing values empty (and pass --missing drop to leave "
                        "their sites or rows out), or fix the value"
                    ),
                )
                self._broken(r, j, rule, f"x{r.index}_{j} IN ({listed})", None)

    def _broken(self, r: _Read, j: int, rule: Rule, bad: str, count: int | None) -> None:
        """The error for the cells of value column ``j`` of ``r`` where ``bad`` holds
        (``count`` of them, counted here if ``None``)."""
        i, column = r.index, r.value_columns[j]
        x = f"{'y' if rule.on_label else 'x'}{i}_{j}"
        where = f"k{i} AND s{i}_{j} = 0 AND {bad}"
        found = self.query(
            f"SELECT _row, {x}, site FROM ({self.series_sql}) WHERE {where} "
            f"ORDER BY _row LIMIT {_FIRST}"
        ).fetchall()
        if count is None:
            count = int(
                self.query(f"SELECT count(*) FROM ({self.series_sql}) WHERE {where}").fetchone()[0]
            )
        flag = None
        if rule.flag is not None:
            flag = self.query(
                f"SELECT {rule.flag(x)} FROM ({self.series_sql}) WHERE {where}"
            ).fetchone()[0]
        first_row, first, site = found[0]
        rest = [str(n) for n in self.table.lines_of(row for row, _, _ in found[1:])]
        more = count - 1
        listed = (
            f"; {more} more in this column (line{'s' * (more > 1)} "
            f"{', '.join(rest[:5])}{' ...' if more > 5 else ''})"
            if more
            else ""
        )
        hint = cells.code_hint(first) if rule.name not in ("code", "category") else ""
        self.problems.append(
            error(
                self.table.location(int(first_row), column),
                f"{rule.what(first)} (site {site}){listed}; {rule.fix(flag)}{hint}",
            )
        )

    def _gap_text(self, status: int, column: str, text: str | None) -> str:
        if status == BLANK:
            return f"missing value in column '{column}'"
        hint = " (a decimal comma? write 0.25, not 0,25)" if cells.decimal_comma(text or "") else ""
        return f"'{text}' in column '{column}' is not a number{hint}"

    def _gaps(self, r: _Read, found) -> list[tuple[int, str, Gap]]:
        """Gaps from rows ``(row, site, status, gap column, text)``, located in one go."""
        by_column: dict[int, list] = defaultdict(list)
        for row in found:
            by_column[int(row[3])].append(row)
        gaps = []
        for j, rows in by_column.items():
            column = r.value_columns[j]
            places = self.table.locations([int(row[0]) for row in rows], column)
            for (row, site, status, _, text), place in zip(rows, places, strict=True):
                gap_text = self._gap_text(int(status), column, text)
                key = (self.table.name, int(row))
                gaps.append((int(row), site, Gap(place, site, gap_text, r.binding.variable, key)))
        return sorted(gaps, key=lambda g: g[0])

    def _respondents(self, r: _Read, series: Series, per_site: dict[str, tuple]) -> None:
        i = r.index
        series.summary = {
            site: SiteSummary(
                int(s[0]),
                int(s[1]),
                float("nan") if s[2] is None else float(s[2]),
                0.0 if s[3] is None else float(s[3]) * int(s[1]),
            )
            for site, s in per_site.items()
        }
        if any(s[6] for s in per_site.values()):
            found = self.query(
                f"SELECT _row, site, g{i}, gc{i}, gt{i} FROM ({self.series_sql}) "
                f"WHERE k{i} AND g{i} <> 0 ORDER BY _row"
            ).fetchall()
            for row, site, gap in self._gaps(r, found):
                series.row_gaps[row] = gap
                series.first_gaps.setdefault(site, gap)
        if self.reader.rows_analysed:
            self._rows(r, series)
        elif r.binding.measure.aggregate == "median":
            self._medians(r, series)

    def _rows(self, r: _Read, series: Series) -> None:
        """The rows analysed: their positions, sites and values (a gap's value is NaN)."""
        i = r.index
        rtype = ", rtype" if self.measures.respondent_type in self.alias else ""
        found = self.table.database.arrow(
            f"SELECT _row, site, CASE WHEN g{i} = 0 THEN v{i} END AS v{rtype} "
            f"FROM ({self.series_sql}) WHERE k{i} ORDER BY _row",
            self.sql.params,
        )
        series.rows = found.column("_row").to_numpy()
        series.row_sites = _labels(found.column("site"))
        series.row_values = found.column("v").to_numpy(zero_copy_only=False).astype(float)
        if rtype:
            series.row_types = _labels(found.column("rtype"))

    def _medians(self, r: _Read, series: Series) -> None:
        """Each site's median from a histogram of its values: exact, and bounded by the
        distinct values, which DuckDB spills to disk if it must."""
        i = r.index
        found = self.query(
            f"WITH h AS (SELECT site, v{i} AS v, count(*) AS c FROM ({self.series_sql}) "
            f"WHERE k{i} AND g{i} = 0 GROUP BY site, v{i}), "
            "c AS (SELECT site, v, sum(c) OVER (PARTITION BY site ORDER BY v) AS upto, "
            "sum(c) OVER (PARTITION BY site) AS n FROM h) "
            "SELECT site, (min(v) FILTER (upto >= (n + 1) // 2) "
            "+ min(v) FILTER (upto >= n // 2 + 1)) / 2 FROM c GROUP BY site"
        ).fetchall()
        for site, median in found:
            series.summary[site] = replace(series.summary[site], median=float(median))

    def _one_per_site(self, r: _Read, series: Series, per_site: dict[str, tuple]) -> None:
        b, i = r.binding, r.index
        wave = self.measures.wave
        has_waves = wave in self.alias and not b.by_wave
        duplicated = sorted(
            site for site, s in per_site.items() if s[0] > 1 and (not has_waves or s[7] < s[0])
        )
        found = self.query(
            f"SELECT _row, site, g{i}, gc{i}, gt{i}, v{i} FROM ({self.series_sql}) "
            f"WHERE k{i} AND NOT list_contains({self.next()}::VARCHAR[], site) "
            "ORDER BY _row",
            [duplicated],
        ).fetchall()
        gaps = {row: gap for row, _, gap in self._gaps(r, [f[:5] for f in found if f[2]])}
        rows_of: dict[str, list[tuple]] = defaultdict(list)
        for row in found:
            rows_of[row[1]].append(row)
        for site in sorted(rows_of):
            rows = rows_of[site]
            good = [row for row in rows if row[2] == 0 and row[5] is not None]
            distinct = {float(row[5]) for row in good}
            if len(rows) > 1 and len(distinct) > 1:
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
            elif rows[0][0] in gaps:  # else its value breaks a rule: an error already
                series.site_gaps[site] = replace(gaps[rows[0][0]], row=None)
        if duplicated:
            self._duplicated(r, duplicated, per_site)

    def _duplicated(self, r: _Read, duplicated: list[str], per_site: dict[str, tuple]) -> None:
        b, i, site = r.binding, r.index, duplicated[0]
        found = self.query(
            f"SELECT _row FROM ({self.series_sql}) WHERE k{i} AND site = {self.next()} "
            "ORDER BY _row LIMIT 5",
            [site],
        ).fetchall()
        rows = [int(row[0]) for row in found]
        lines = self.table.lines_of(rows).tolist()
        more = f"; {len(duplicated) - 1} more site(s) have several rows" * (len(duplicated) > 1)
        self.problems.append(
            error(
                self.table.location(rows[1], self.measures.site),
                f"site {site} has {per_site[site][0]} rows in {self.table.name} (lines "
                f"{', '.join(map(str, lines))}) for site-level {b.variable}{more}; "
                "remove the duplicates, or set 'level: respondent' to aggregate them",
            )
        )


def _labels(column) -> np.ndarray:
    """An Arrow column of labels as an object array sharing one string per distinct label."""
    encoded = column.combine_chunks().dictionary_encode()
    dictionary = np.array([*encoded.dictionary.to_pylist(), None], dtype=object)
    indices = encoded.indices.fill_null(len(dictionary) - 1).to_numpy(zero_copy_only=False)
    return dictionary[indices]
