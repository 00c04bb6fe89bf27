"""The cells to report, found by SQL and located: those that break a rule of their column,
and the gaps (missing or non-numeric values).

A broken rule is one error line for its column: the first bad cell located (file, line,
column, site), the next five by line, the rest counted, and how to fix it; values that look
like missing-value codes are found the same way, once the column's other values are known.
Gaps become :class:`~mechmap.data.gaps.Gap` objects, each located, for binding to drop or
report.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from mechmap.data import cells
from mechmap.data.cells import BLANK, Rule
from mechmap.data.gaps import Gap
from mechmap.data.tablesql import Read, SiteStats, TableSql
from mechmap.diagnostics import Diagnostic, error

_FIRST = 6  # bad cells fetched per broken rule: the first, located, and five more lines


class CellReport:
    """Reports on the cells of one table's bindings (:class:`TableSql`); errors go to
    ``problems``."""

    def __init__(self, sql: TableSql, problems: list[Diagnostic]):
        self.sql, self.problems = sql, problems

    def rules(self, r: Read, per_site: dict[str, SiteStats], level: str) -> None:
        """An error for each rule some cells break (the first located, the rest counted),
        and for values that look like missing-value codes."""
        broken = 0
        for s in per_site.values():
            broken |= s.broken
        for n, (j, rule) in enumerate(r.rules):
            if broken >> n & 1 and (rule.name != "zero-one" or level == "respondent"):
                self._broken(r, j, rule, f"r{r.index}_{n}")
        for n, j in enumerate(r.codes, start=len(r.rules)):
            if not broken >> n & 1:
                continue
            negative = r.binding.measure.type.kind != "count"  # a negative count: an error already
            rule = cells.code_rule(r.binding.variable, *self.sql.code_stats(r, j), negative)
            if rule is not None:
                self._broken(r, j, rule, rule.bad(f"x{r.index}_{j}"))

    def _broken(self, r: Read, j: int, rule: Rule, bad: str) -> None:
        """The error for the cells of value column ``j`` of ``r`` where ``bad`` holds: the
        first located, the next five by line, the rest counted."""
        i, series_sql = r.index, self.sql.series_sql
        x = f"{'y' if rule.on_label else 'x'}{i}_{j}"
        where = f"k{i} AND s{i}_{j} = 0 AND {bad}"
        found = self.sql.query(
            f"SELECT _row, {x}, site FROM ({series_sql}) WHERE {where} ORDER BY _row LIMIT {_FIRST}"
        )
        if not found:
            return
        flag_sql = rule.flag(x) if rule.flag is not None else "NULL"
        ((count, flag),) = self.sql.query(
            f"SELECT count(*), {flag_sql} FROM ({series_sql}) WHERE {where}"
        )
        first_row, first, site = found[0]
        rest = [str(n) for n in self.sql.table.lines_of(row for row, _, _ in found[1:])]
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
                self.sql.table.location(int(first_row), r.columns[j]),
                f"{rule.what(first)} (site {site}){listed}; {rule.fix(flag)}{hint}",
            )
        )

    def gaps(self, r: Read, found: Sequence[tuple]) -> list[tuple[int, str, Gap]]:
        """Gaps from rows ``(row, site, status, gap column, text)``, located in one go."""
        by_column: dict[int, list] = defaultdict(list)
        for row in found:
            by_column[int(row[3])].append(row)
        gaps = []
        for j, rows in by_column.items():
            column = r.columns[j]
            places = self.sql.table.locations([int(row[0]) for row in rows], column)
            for (row, site, status, _, text), place in zip(rows, places, strict=True):
                if status == BLANK:
                    said = f"missing value in column '{column}'"
                else:
                    comma = cells.decimal_comma(text or "")
                    hint = " (a decimal comma? write 0.25, not 0,25)" if comma else ""
                    said = f"'{text}' in column '{column}' is not a number{hint}"
                key = (self.sql.table.name, int(row))
                gaps.append((int(row), site, Gap(place, site, said, r.binding.variable, key)))
        return sorted(gaps, key=lambda g: g[0])
