"""One table's bindings as SQL: its cells, one set of columns per binding, and the one pass
that summarises them per site.

The query is built in layers, each a SELECT over the one before:

1. the rows of the table, numbered from 0 in file order (``_row``), with only the columns
   the bindings use, renamed ``c0``, ``c1``, ...;
2. their cells (:func:`mechmap.data.cells.cells_sql`): label, number and status of each;
3. the *series* columns, per binding ``i``: ``k{i}`` whether the row is selected (it has a
   site id, and matches the ``where`` and wave), ``v{i}`` its value (a number, a category's
   rank, or an instrument's score), ``g{i}`` its status (0: usable, else the first gap's),
   ``gc{i}``/``gt{i}`` which value column has that gap and its text; per value column
   ``j`` its number ``x{i}_{j}``, label ``y{i}_{j}`` and status ``s{i}_{j}``, and per rule
   ``n`` of the binding whether the cell breaks it (``r{i}_{n}``); per ``where``/wave
   filter ``f{n}`` whether the row matches it.

Labels from the measures (``where`` values, categories) enter the SQL only as parameters.
:meth:`TableSql.summary` is the pass over the table that everything else starts from: one
row per site with, per binding, :class:`SiteStats`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from mechmap.data import cells
from mechmap.data.cells import BLANK, Cell, Rule
from mechmap.data.errors import DataError
from mechmap.data.measures import Binding
from mechmap.data.sql import sql_name
from mechmap.data.tables import Table
from mechmap.diagnostics import Diagnostic, did_you_mean, error
from mechmap.instruments.wai import FORMS
from mechmap.model import Measures, ValueType


@dataclass
class Read:
    """One binding as the table's query reads it; ``index`` names its SQL columns."""

    binding: Binding
    index: int
    rules: list[tuple[int, Rule]]  # (value column, rule)
    codes: list[int]  # value columns checked for missing-value codes
    denominator_of: Read | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        return self.binding.columns


@dataclass(frozen=True)
class SiteStats:
    """One binding at one site: the rows it selects, how many have a usable value, their
    mean and population variance, and the distinct waves of the rows (a missing wave
    counted once). Bit ``n`` of ``broken`` is set when a cell breaks rule ``n`` of the
    binding; the bits after the rules, when a value column checked for missing-value
    codes holds one."""

    rows: int
    used: int
    mean: float | None
    variance: float | None
    waves: int
    broken: int


@dataclass
class _Params:
    """Parameters of the SQL, numbered in the order they are added."""

    values: list[object] = field(default_factory=list)

    def __call__(self, value: object) -> str:
        self.values.append(value)
        return f"${len(self.values)}"


class TableSql:
    """The bindings of ``table`` as SQL (see the module docstring). Proportions whose
    denominator column is missing get an error in ``problems`` and are listed in
    ``no_denominator``."""

    def __init__(
        self,
        table: Table,
        bindings: Sequence[Binding],
        measures: Measures,
        problems: list[Diagnostic],
        respondent_types: bool,
    ):
        self.table, self.measures = table, measures
        site = measures.site
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
        self.params = _Params()
        self.reads = [self._plan(b, i) for i, b in enumerate(bindings)]
        self.no_denominator: list[Binding] = []
        for read in list(self.reads):
            if read.binding.measure.denominator:
                denominator = self._denominator(read, len(self.reads), problems)
                if denominator is not None:
                    self.reads.append(denominator)
        used = dict.fromkeys(c for r in self.reads for c in self.columns_of(r))
        if respondent_types and measures.respondent_type in table.columns:
            used[measures.respondent_type] = None
        self._nested(used)
        self.alias = {c: f"c{i}" for i, c in enumerate(used)}
        self.filters = list(dict.fromkeys(f for r in self.reads for f in r.binding.filters))
        self.cells_sql = self._cells()
        self.series_sql = self._series()

    # -- the plan --------------------------------------------------------------------------
    def _plan(self, b: Binding, index: int) -> Read:
        measure = b.measure
        if measure.score is not None:
            form = FORMS[measure.score.instrument]
            scale = ValueType("likert", form.low, form.high)
            found = cells.rules(scale, b.variable, form)
            return Read(b, index, [(j, r) for j in range(len(b.columns)) for r in found], [])
        value_type = measure.type
        categories = " ".join(f"WHEN {self.params(c)} THEN false" for c in value_type.categories)
        rules = [(0, r) for r in cells.rules(value_type, b.variable, None, categories)]
        if measure.aggregate == "proportion":
            rules.append((0, cells.zero_one(b.variable)))
        return Read(b, index, rules, [0] if value_type.kind in ("continuous", "count") else [])

    def _denominator(self, proportion: Read, index: int, problems) -> Read | None:
        """The denominator of a proportion, read from the proportion's own rows."""
        b = proportion.binding
        column = b.measure.denominator
        if column not in self.table.columns:
            problems.append(
                error(
                    b.location,
                    f"{b.variable}: {self.table.name} has no column '{column}' for its "
                    f"denominator{did_you_mean(column, self.table.columns)}; the denominator "
                    "is read from the proportion's own rows",
                )
            )
            self.no_denominator.append(b)
            return None
        measure = replace(
            b.measure, column=column, type=ValueType("denominator"), denominator=None, level="site"
        )
        binding = replace(
            b, variable=f"the denominator of {b.variable}", measure=measure, columns=(column,)
        )
        return replace(self._plan(binding, index), denominator_of=proportion)

    def columns_of(self, r: Read) -> list[str]:
        wave = self.measures.wave
        return [
            self.measures.site,
            *(c for c, _ in r.binding.filters),
            *r.columns,
            *([wave] if wave in self.table.columns else []),
        ]

    def _nested(self, used) -> None:
        """A column that holds lists or records has no value per row to bind."""
        for column in used:
            duck_type = self.table.types[column]
            if cells.nested(duck_type):
                raise DataError(
                    [
                        error(
                            self.table.location(None, column),
                            f"column '{column}' of {self.table.name} holds {duck_type} values "
                            "(lists or records), but a binding needs one value per row; "
                            "unnest or flatten the column first, or bind another",
                        )
                    ]
                )

    # -- the layers ------------------------------------------------------------------------
    def _cells(self) -> str:
        raw = ", ".join(f"{sql_name(c)} AS {a}" for c, a in self.alias.items())
        return cells.cells_sql(
            f"SELECT row_number() OVER () - 1 AS _row, {raw} FROM {self.table.relation}",
            [Cell(a, self.table.types[c]) for c, a in self.alias.items()],
        )

    def _series(self) -> str:
        alias, measures = self.alias, self.measures
        site = f"l_{alias[measures.site]}"
        wave = f"l_{alias[measures.wave]}" if measures.wave in alias else "NULL"
        columns = ["_row", f"{site} AS site", f"{wave} AS wave"]
        if measures.respondent_type in alias:
            columns.append(f"l_{alias[measures.respondent_type]} AS rtype")
        for r in self.reads:
            columns += self._series_columns(r, site)
        for n, (column, wanted) in enumerate(self.filters):
            columns.append(f"(l_{alias[column]} = {self.params(wanted)}) AS f{n}")
        return f"SELECT {', '.join(columns)} FROM ({self.cells_sql})"

    def status(self, r: Read, column: str) -> str:
        a = self.alias[column]
        if r.binding.measure.score is None and r.binding.measure.type.kind == "category":
            return f"(CASE WHEN b_{a} THEN {BLANK} ELSE 0 END)"
        return f"s_{a}"

    def _series_columns(self, r: Read, site: str) -> list[str]:
        b, i, alias = r.binding, r.index, self.alias
        keep = [f"{site} IS NOT NULL"]
        keep += [f"l_{alias[c]} = {self.params(wanted)}" for c, wanted in b.filters]
        statuses = [self.status(r, c) for c in r.columns]
        first = " ".join(f"WHEN {s} <> 0 THEN {s}" for s in statuses)
        which = " ".join(f"WHEN {s} <> 0 THEN {j}" for j, s in enumerate(statuses))
        text = " ".join(
            f"WHEN {s} <> 0 THEN t_{alias[c]}" for s, c in zip(statuses, r.columns, strict=True)
        )
        columns = [
            f"({' AND '.join(keep)}) AS k{i}",
            f"{self._value(r)} AS v{i}",
            f"(CASE {first} ELSE 0 END) AS g{i}",
            f"(CASE {which} END) AS gc{i}",
            f"(CASE {text} END) AS gt{i}",
        ]
        for j, column in enumerate(r.columns):
            x, y = f"n_{alias[column]}", f"l_{alias[column]}"
            columns += [f"{x} AS x{i}_{j}", f"{y} AS y{i}_{j}", f"{statuses[j]} AS s{i}_{j}"]
        for n, (j, rule) in enumerate(r.rules):
            cell = ("l_" if rule.on_label else "n_") + alias[r.columns[j]]
            columns.append(f"{rule.bad(cell)} AS r{i}_{n}")
        return columns

    def _value(self, r: Read) -> str:
        measure = r.binding.measure
        if measure.score is not None:
            form = FORMS[measure.score.instrument]
            terms = [
                f"({form.low + form.high} - n_{self.alias[c]})"
                if n in form.reversed
                else f"n_{self.alias[c]}"
                for n, c in zip(r.binding.items, r.columns, strict=True)
            ]
            return f"(({' + '.join(terms)}) / {len(terms)})"
        a = self.alias[r.columns[0]]
        if measure.type.kind == "category":
            whens = " ".join(
                f"WHEN {self.params(c)} THEN {k}.0"
                for k, c in enumerate(measure.type.categories, start=1)
            )
            return f"(CASE l_{a} {whens} END)"
        return f"n_{a}"

    # -- running it ------------------------------------------------------------------------
    def query(self, sql: str, extra: Sequence[object] = ()) -> list[tuple]:
        """The rows of ``sql``, a query over ``({series_sql})``, run with the parameters the
        layers hold and then ``extra`` (placeholders from :meth:`extra`)."""
        return self.table.database.execute(sql, [*self.params.values, *extra]).fetchall()

    def batches(self, sql: str):
        """:meth:`query` as pyarrow record batches, streamed: many rows, no Python object
        per cell, never all of them at once."""
        return self.table.database.batches(sql, self.params.values)

    def extra(self, k: int = 1) -> str:
        """The placeholder of the ``k``-th extra parameter of :meth:`query`."""
        return f"${len(self.params.values) + k}"

    def summary(self) -> tuple[dict[str | None, tuple[int, int]], list[int], list[dict]]:
        """The pass over the table: per site id (``None`` for rows without one) its rows
        and first row; per filter the rows that match it; per binding the
        :class:`SiteStats` of each site."""
        wave = self.measures.wave in self.alias
        aggregates = ["site", "count(*)", "min(_row)"]
        aggregates += [f"count(*) FILTER (f{n})" for n in range(len(self.filters))]
        for r in self.reads:
            i, ok = r.index, f"k{r.index} AND g{r.index} = 0"
            waves = (
                f"count(DISTINCT wave) FILTER (k{i}) "
                f"+ least(count(*) FILTER (k{i} AND wave IS NULL), 1)"
            )
            flags = [f"s{i}_{j} = 0 AND r{i}_{n}" for n, (j, _) in enumerate(r.rules)]
            flags += [f"s{i}_{j} = 0 AND {cells.is_code_sql(f'x{i}_{j}')}" for j in r.codes]
            bits = " + ".join(f"(({f})::BIGINT << {n})" for n, f in enumerate(flags)) or "0"
            aggregates += [
                f"count(*) FILTER (k{i})",
                f"count(*) FILTER ({ok})",
                f"avg(v{i}) FILTER ({ok})",
                f"var_pop(v{i}) FILTER ({ok})",
                waves if wave and not r.binding.by_wave else "0",
                f"coalesce(bit_or({bits}) FILTER (k{i}), 0)",
            ]
        rows = self.query(f"SELECT {', '.join(aggregates)} FROM ({self.series_sql}) GROUP BY site")
        sites = {row[0]: (int(row[1]), int(row[2])) for row in rows}
        matches = [sum(int(row[3 + n]) for row in rows) for n in range(len(self.filters))]
        at, per_read = 3 + len(self.filters), []
        for _ in self.reads:
            per_read.append(
                {
                    row[0]: SiteStats(
                        int(row[at]),
                        int(row[at + 1]),
                        row[at + 2],
                        row[at + 3],
                        int(row[at + 4]),
                        int(row[at + 5]),
                    )
                    for row in rows
                    if row[0] is not None
                }
            )
            at += 6
        return sites, matches, per_read

    def code_stats(self, r: Read, j: int) -> tuple[float | None, float | None, float | None]:
        """The smallest, largest and largest in size of the usable numbers of value column
        ``j`` of ``r`` that are not missing-value codes."""
        x = f"x{r.index}_{j}"
        other = f"k{r.index} AND s{r.index}_{j} = 0 AND NOT {cells.is_code_sql(x)}"
        return self.query(
            f"SELECT min({x}), max({x}), max(abs({x})) FROM ({self.series_sql}) WHERE {other}"
        )[0]
