"""Reading data tables (CSV, Parquet, DuckDB) so that every value can be traced to its place.

A :class:`Table` keeps its file's name and, for each row, the line of the file it came from
(CSV: the file's own line number, the header being line 1; Parquet and query results: the row
number), so a problem in the data is reported as ``file:line:col`` like a problem in a map.
pandas, pyarrow and duckdb are imported only when a table is read.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from mechmap.diagnostics import Diagnostic, Location, MapError, error
from mechmap.mapfile.yamlsafe import read_text

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

CSV_SUFFIXES = (".csv",)
PARQUET_SUFFIXES = (".parquet", ".pq")
DUCKDB_SUFFIXES = (".duckdb", ".db")
QUERY = "query"  # the name a query's result goes by in messages


class DataError(MapError):
    """Data that cannot be bound: every problem as a located one-line diagnostic."""

    def __init__(self, diagnostics: Sequence[Diagnostic]):
        super().__init__(list(diagnostics))


def fail(location: Location, message: str) -> DataError:
    return DataError([error(location, message)])


@dataclass(frozen=True, eq=False)
class Table:
    """One table of data: ``frame`` as read, ``lines[i]`` the line (or row number) of row i.

    ``text`` is a CSV file's text, kept to find the column at which a cell starts.
    """

    name: str
    frame: pd.DataFrame
    lines: np.ndarray
    sources: tuple[str, ...]
    text: str | None = field(default=None, repr=False)

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(str(c) for c in self.frame.columns)

    @cached_property
    def _text_lines(self) -> list[str]:
        return self.text.split("\n") if self.text is not None else []

    def location(self, row: int | None, column: str | None = None) -> Location:
        """Where the cell of ``row`` (a position in ``frame``; ``None``: the header) and
        ``column`` is: file, line and the character column at which the cell starts."""
        line = 1 if row is None else int(self.lines[row])
        index = self.columns.index(column) if column in self.columns else 0
        if self.text is None:
            return Location(self.name, line, index + 1 if column is not None else 1)
        text = self._text_lines[line - 1] if line <= len(self._text_lines) else ""
        return Location(self.name, line, _field_start(text, index))


def _field_start(line: str, index: int) -> int:
    """The 1-based character column at which field ``index`` of a CSV line starts."""
    quoted, field_number = False, 0
    if index == 0:
        return 1
    for i, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            field_number += 1
            if field_number == index:
                return i + 2
    return len(line) + 1


def read_tables(paths: Iterable[str | Path], query: str | None = None) -> list[Table]:
    """The tables in ``paths``: CSV (``.csv``), Parquet (``.parquet``) or, with ``query``,
    the result of that SQL query run by DuckDB over all of them.

    With a query, each CSV or Parquet file is a view named after its file stem
    (``patients.csv`` is ``patients``) and each DuckDB database (``.duckdb``, ``.db``) is
    attached read-only under its stem; with a single database its tables need no prefix. So
    patient rows can become site rates::

        read_tables(
            [Path("patients.csv")],
            query="SELECT site, wave, avg(screened) AS screening FROM patients GROUP BY ALL",
        )

    Raises :class:`DataError` (located) for unreadable files and failing queries.
    """
    paths = [Path(p) for p in paths]
    for path in paths:
        if path.suffix.lower() not in CSV_SUFFIXES + PARQUET_SUFFIXES + DUCKDB_SUFFIXES:
            raise fail(
                Location(str(path)),
                f"cannot read '{path.suffix or path.name}' files: data tables are .csv, "
                ".parquet or a DuckDB database (.duckdb, .db) with a query",
            )
        if not path.is_file():
            raise fail(Location(str(path)), "no such file")
    if query is not None:
        return [_query(paths, query)]
    for path in paths:
        if path.suffix.lower() in DUCKDB_SUFFIXES:
            raise fail(
                Location(str(path)),
                f'a DuckDB database is read with a query (--query "SELECT ..."); its tables: '
                f"{', '.join(_database_tables(path)) or 'none'}",
            )
    return [
        _read_csv(path) if path.suffix.lower() in CSV_SUFFIXES else _read_parquet(path)
        for path in paths
    ]


def _read_csv(path: Path) -> Table:
    import numpy as np
    import pandas as pd

    name = str(path)
    text, problems = read_text(path.read_bytes(), name)
    if text is None:
        raise DataError(problems)
    lines = _record_lines(text)
    if not lines:
        raise fail(Location(name), "file is empty: a table starts with a header line")
    header = next(csv.reader([text.split("\n")[lines[0] - 1]]))
    repeated = [i for i, c in enumerate(header) if c in header[:i]]
    if repeated:
        column = header[repeated[0]]
        col = _field_start(text.split("\n")[lines[0] - 1], repeated[0])
        raise fail(Location(name, lines[0], col), f"column '{column}' appears twice in the header")
    try:
        frame = pd.read_csv(io.StringIO(text))
    except pd.errors.ParserError as exc:
        found = re.search(r"line (\d+)", str(exc))
        line = int(found.group(1)) if found else 1
        raise fail(Location(name, line), f"not a CSV table: {_one_line(exc)}") from None
    rows = np.asarray(lines[1:], dtype=np.int64)
    if len(rows) != len(frame):
        # pandas and the csv module disagree on what a record is (an unusual file): the row
        # number is then the best location there is.
        rows = np.arange(2, len(frame) + 2, dtype=np.int64)
    return Table(name, frame, rows, (name,), text)


def _record_lines(text: str) -> list[int]:
    """The line on which each record starts, blank lines skipped as pandas skips them."""
    if '"' not in text:
        return [i + 1 for i, line in enumerate(text.split("\n")) if line.strip()]
    reader = csv.reader(io.StringIO(text))
    starts, previous_end = [], 0
    for record in reader:
        if any(value.strip() for value in record) or len(record) > 1:
            starts.append(previous_end + 1)
        previous_end = reader.line_num
    return starts


def _read_parquet(path: Path) -> Table:
    import numpy as np
    import pandas as pd

    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for a damaged or foreign file
        raise fail(Location(str(path)), f"not a Parquet table: {_one_line(exc)}") from None
    rows = np.arange(1, len(frame) + 1, dtype=np.int64)
    return Table(str(path), frame.reset_index(drop=True), rows, (str(path),))


def _database_tables(path: Path) -> list[str]:
    import duckdb

    try:
        with duckdb.connect(str(path), read_only=True) as con:
            return [row[0] for row in con.execute("SHOW TABLES").fetchall()]
    except duckdb.Error as exc:
        raise fail(Location(str(path)), f"not a DuckDB database: {_one_line(exc)}") from None


def _query(paths: list[Path], query: str) -> Table:
    import duckdb
    import numpy as np

    stems: dict[str, Path] = {}
    for path in paths:
        if path.stem in stems:
            raise fail(
                Location(str(path)),
                f"two tables would be called '{path.stem}' in the query ({stems[path.stem]} "
                "and this one): rename one file",
            )
        stems[path.stem] = path
    databases = [p for p in paths if p.suffix.lower() in DUCKDB_SUFFIXES]
    with duckdb.connect() as con:
        for path in paths:
            source, stem = _sql_text(str(path)), _sql_name(path.stem)
            try:
                if path in databases:
                    con.execute(f"ATTACH {source} AS {stem} (READ_ONLY)")
                elif path.suffix.lower() in CSV_SUFFIXES:
                    con.execute(f"CREATE TEMP VIEW {stem} AS SELECT * FROM read_csv_auto({source})")
                else:
                    con.execute(f"CREATE TEMP VIEW {stem} AS SELECT * FROM read_parquet({source})")
            except duckdb.Error as exc:
                raise fail(Location(str(path)), f"cannot read: {_one_line(exc)}") from None
        if len(databases) == 1:
            con.execute(f"USE {_sql_name(databases[0].stem)}")
        try:
            frame = con.execute(query).df()
        except duckdb.Error as exc:
            raise fail(Location(QUERY), f"the query failed: {_one_line(exc)}") from None
    rows = np.arange(1, len(frame) + 1, dtype=np.int64)
    return Table(QUERY, frame, rows, tuple(str(p) for p in paths))


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _sql_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())
