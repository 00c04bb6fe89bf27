"""Data tables (CSV, Parquet, the result of a query) read through DuckDB, every value traceable
to its place.

A :class:`Table` is a view in a locked DuckDB connection (:mod:`mechmap.data.sql`). Its
column names and types are known as soon as it is read, but its rows stay in the file:
binding asks for the few columns it needs, filtered and often already aggregated to one row
per site (:mod:`mechmap.data.reading`), so memory follows the work, not the file.

Each row keeps the line it came from, so a problem in the data is reported as
``file:line:col`` like a problem in a map: in a CSV file the file's own line (the header
being line 1; blank lines and values spanning lines accounted for by the file's layout,
:mod:`mechmap.data.csvfile`); in Parquet and in a query's result the row number; in a data
frame the row number plus one, as if under a header.

A CSV file is read by fixed rules, whatever it looks like: values separated by commas,
quoted with ``"`` (``""`` inside quotes), a header line, UTF-8. Every value is read as text
and becomes a number or a label later, cell by cell (:mod:`mechmap.data.cells`), so one
stray word in a column of numbers is one located error rather than a different column type.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterable, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from mechmap.data import csvfile
from mechmap.data.cells import decimal_comma
from mechmap.data.errors import DataError, fail
from mechmap.data.sql import (
    QUERY,
    QUERY_MEMORY_LIMIT,
    Database,
    one_line,
    select_statement,
    sql_name,
    sql_text,
)
from mechmap.diagnostics import Location

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

__all__ = ["QUERY", "DataError", "Table", "fail", "read_tables"]

CSV_SUFFIXES = (".csv",)
PARQUET_SUFFIXES = (".parquet", ".pq")
DUCKDB_SUFFIXES = (".duckdb", ".db")
_RESULT = "memory.main.mechmap_query"  # where a query's result is kept
# DuckDB reads a CSV file in buffers of this size, one per thread (its default, 16 MB or so,
# costs memory and buys no speed here); a line must fit in one.
CSV_BUFFER = 1 << 22


class _Numbered:
    """Rows located by number: row ``i`` is on line ``first + i``; column ``j`` at ``j + 1``."""

    def __init__(self, first: int):
        self.first = first
        self.header_line = 1

    def lines(self, rows: np.ndarray) -> np.ndarray:
        return self.first + np.asarray(rows, dtype=np.int64)

    def cols(self, lines: Sequence[int], index: int) -> list[int]:
        return [index + 1] * len(lines)


class _CsvLines:
    """Rows of a CSV file located by its layout; a column at the character it starts at."""

    def __init__(self, layout: csvfile.CsvLayout):
        self.layout = layout
        self.header_line = layout.header_line

    def lines(self, rows: np.ndarray) -> np.ndarray:
        return self.layout.lines(rows)

    def cols(self, lines: Sequence[int], index: int) -> list[int]:
        if index == 0:
            return [1] * len(lines)
        texts = self.layout.line_texts(lines)
        texts[self.layout.header_line] = self.layout.header_text.split("\n")[0]
        return [csvfile.field_start(texts[int(n)], index) for n in lines]


class Table:
    """One table of data: a view ``relation`` in ``database`` with ``columns`` (DuckDB
    ``types``) and ``n_rows`` rows; ``sources`` are the files it was read from.

    Rows are numbered from 0 in the order of the file. :meth:`location` says where a cell
    is; :attr:`frame` reads the whole table into pandas (for small tables).
    """

    def __init__(
        self,
        name: str,
        sources: tuple[str, ...],
        database: Database,
        relation: str,
        n_rows: int,
        lines: _Numbered | _CsvLines,
    ):
        self.name, self.sources = name, sources
        self.database, self.relation, self.n_rows = database, relation, n_rows
        self._lines = lines
        described = database.execute(f"DESCRIBE {relation}").fetchall()
        self.types = {str(row[0]): str(row[1]) for row in described}

    def __repr__(self) -> str:
        return f"Table({self.name!r}, {self.n_rows} rows, columns {list(self.columns)})"

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self.types)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, name: str) -> Table:
        """A data frame as a table called ``name``; row ``i`` is located on line ``i + 2``,
        as under a CSV header."""
        frame = frame.reset_index(drop=True)
        frame.columns = [str(c) for c in frame.columns]
        database = Database([], lambda con: con.register("frame", frame))
        return cls(name, (name,), database, "frame", len(frame), _Numbered(2))

    def lines_of(self, rows: Iterable[int]) -> np.ndarray:
        """The line (or row number) of each of ``rows``."""
        if isinstance(rows, np.ndarray):  # a million rows analysed: no Python int per row
            return self._lines.lines(rows.astype(np.int64, copy=False))
        return self._lines.lines(np.fromiter((int(r) for r in rows), dtype=np.int64))

    def location(self, row: int | None, column: str | None = None) -> Location:
        """Where the cell of ``row`` (``None``: the header) and ``column`` is: file, line
        and the character column at which the cell starts."""
        return self.locations([row], column)[0]

    def locations(self, rows: Sequence[int | None], column: str | None = None) -> list[Location]:
        """:meth:`location` for many rows of one column, the file read once."""
        header = self._lines.header_line
        found = [r for r in rows if r is not None]
        known = dict(zip(found, self.lines_of(found).tolist(), strict=True))
        lines = [header if r is None else known[r] for r in rows]
        if column is None:
            return [Location(self.name, line, 1) for line in lines]
        index = self.columns.index(column) if column in self.columns else 0
        cols = self._lines.cols(lines, index)
        return [Location(self.name, line, col) for line, col in zip(lines, cols, strict=True)]

    @cached_property
    def lines(self) -> np.ndarray:
        """The line (or row number) of every row."""
        return self._lines.lines(np.arange(self.n_rows))

    @cached_property
    def frame(self) -> pd.DataFrame:
        """The whole table as a pandas DataFrame (CSV values as text)."""
        return self.database.execute(f"SELECT * FROM {self.relation}").df()


def read_tables(paths: Iterable[str | Path], query: str | None = None) -> list[Table]:
    """The tables in ``paths``: CSV (``.csv``), Parquet (``.parquet``) or, with ``query``,
    the result of that SQL query run by DuckDB over all of them.

    With a query, each CSV or Parquet file is a view named after its file stem
    (``patients.csv`` is ``patients``; its types found by DuckDB) and each DuckDB database
    (``.duckdb``, ``.db``) is attached read-only under its stem; with a single database its
    tables need no prefix. The query must be one SELECT, and can read nothing but those
    files (:mod:`mechmap.data.sql`). So patient rows can become site rates::

        read_tables(
            [Path("patients.csv")],
            query="SELECT site, wave, avg(screened) AS screening FROM patients GROUP BY ALL",
        )

    Raises :class:`DataError` (located) for unreadable files and refused or failing queries.
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
    layouts = {p: csvfile.scan(p) for p in paths if p.suffix.lower() in CSV_SUFFIXES}
    views = {p: f"t{i}" for i, p in enumerate(paths)}

    def setup(con: duckdb.DuckDBPyConnection) -> None:
        for path, view in views.items():
            layout = layouts.get(path)
            source = _csv_source(layout) if layout else f"read_parquet({sql_text(str(path))})"
            _view(con, view, source, path, "not a CSV table" if layout else "not a Parquet table")

    database = Database(paths, setup)
    tables = []
    for path, view in views.items():
        name, layout = str(path), layouts.get(path)
        if layout is None:
            n_rows, lines = _count(database, view), _Numbered(1)
        else:
            n_rows, lines = _checked_csv(database, layout, view)
        if not n_rows:
            what = "the file has a header but no rows" if layout else "the table has no rows"
            raise fail(
                Location(name, lines.header_line),
                f"{what} of data: add the rows, or leave the file out",
            )
        tables.append(Table(name, (name,), database, view, n_rows, lines))
    return tables


def _view(con, view: str, source: str, path: Path, what: str) -> None:
    import duckdb

    try:
        con.execute(f"CREATE TEMP VIEW {view} AS SELECT * FROM {source}")
    except duckdb.Error as exc:
        raise fail(Location(str(path)), f"{what}: {one_line(exc)}") from None


def _csv_source(layout: csvfile.CsvLayout, rejects: str | None = None) -> str:
    """The DuckDB reader of a CSV file by fixed rules (every value as text); with
    ``rejects``, malformed lines are collected in that table instead of failing the read."""
    columns = ", ".join(f"{sql_text(c)}: 'VARCHAR'" for c in layout.columns)
    options = [
        "delim = ','",
        "quote = '\"'",
        "escape = '\"'",
        "header = true",
        "auto_detect = false",
        f"skip = {layout.header_line - 1}",
        f"columns = {{{columns}}}",
        f"buffer_size = {CSV_BUFFER}",
    ]
    if rejects is not None:
        options += ["store_rejects = true", f"rejects_table = {sql_text(rejects)}"]
        options.append(f"rejects_scan = {sql_text(rejects + '_scans')}")
    elif layout.spaces_only:
        options.append("ignore_errors = true")  # lines of spaces only, checked when read
    return f"read_csv({sql_text(str(layout.path))}, {', '.join(options)})"


def _checked_csv(
    database: Database, layout: csvfile.CsvLayout, view: str
) -> tuple[int, _CsvLines | _Numbered]:
    """Read the whole file once: every record must have the header's number of values.
    Its rows and how they are located (by the layout, or by number if DuckDB and the layout
    count the records differently: a file that breaks the CSV rules in a way DuckDB passes)."""
    import duckdb

    name, rejects = str(layout.path), f"{view}_rejects"
    try:
        # fetchall: the rejects are stored once the scan is finished, not at its first row
        ((count,),) = database.execute(
            f"SELECT count(*) FROM {_csv_source(layout, rejects)}"
        ).fetchall()
        kept = database.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [rejects]
        ).fetchone()[0]
        bad = (
            kept
            and database.execute(
                f"SELECT line_byte_position, error_message, csv_line FROM {rejects} "
                "WHERE trim(csv_line, ' \t\r\n') <> '' ORDER BY line_byte_position LIMIT 1"
            ).fetchone()
        )
    except duckdb.Error as exc:
        raise fail(Location(name), f"not a CSV table: {one_line(exc)}") from None
    if bad:
        offset, message, text = bad
        found = len(next(csv.reader([text.strip("\r\n")]), []))
        if found != len(layout.columns):
            message = (
                f"this line has {found} value{'s' * (found != 1)}, the header {len(layout.columns)}"
            )
        hint = (
            "; a decimal comma? write 0.25, not 0,25 (or quote the value)"
            if any(decimal_comma(v) for v in _pairs(text))
            else ""
        )
        raise fail(
            Location(name, layout.line_at(int(offset))),
            f"not a CSV table: {one_line(message)}{hint}",
        )
    if count != layout.records:
        return count, _Numbered(layout.first_line)
    return count, _CsvLines(layout)


def _pairs(text: str) -> list[str]:
    """Neighbouring comma-separated fields joined again, as a decimal comma splits them."""
    fields = text.split(",")
    return [f"{a},{b}" for a, b in itertools.pairwise(fields)]


def _count(database: Database, view: str) -> int:
    return int(database.execute(f"SELECT count(*) FROM {view}").fetchone()[0])


def _database_tables(path: Path) -> list[str]:
    import duckdb

    def attach(con: duckdb.DuckDBPyConnection) -> None:
        try:
            con.execute(f"ATTACH {sql_text(str(path))} AS db (READ_ONLY)")
        except duckdb.Error as exc:
            raise fail(Location(str(path)), f"not a DuckDB database: {one_line(exc)}") from None

    database = Database([path], attach)
    rows = database.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'db' "
        "ORDER BY table_name"
    ).fetchall()
    return [row[0] for row in rows]


def _query(paths: list[Path], query: str) -> Table:
    import duckdb

    stems: dict[str, Path] = {}
    for path in paths:
        if path.stem in stems:
            raise fail(
                Location(str(path)),
                f"two tables would be called '{path.stem}' in the query ({stems[path.stem]} "
                "and this one): rename one file",
            )
        stems[path.stem] = path
    statement = select_statement(query, list(stems))  # refused before any file is opened
    databases = [p for p in paths if p.suffix.lower() in DUCKDB_SUFFIXES]

    def setup(con: duckdb.DuckDBPyConnection) -> None:
        for path in paths:
            source, stem = sql_text(str(path)), sql_name(path.stem)
            if path in databases:
                try:
                    con.execute(f"ATTACH {source} AS {stem} (READ_ONLY)")
                except duckdb.Error as exc:
                    raise fail(Location(str(path)), f"cannot read: {one_line(exc)}") from None
            elif path.suffix.lower() in CSV_SUFFIXES:
                _view(con, stem, f"read_csv_auto({source})", path, "cannot read")
            else:
                _view(con, stem, f"read_parquet({source})", path, "cannot read")
        if len(databases) == 1:
            con.execute(f"USE {sql_name(databases[0].stem)}")

    database = Database(paths, setup, QUERY_MEMORY_LIMIT)
    try:
        database.connection.sql(statement).to_table(_RESULT)
    except duckdb.PermissionException as exc:
        raise fail(
            Location(QUERY),
            f"the query may read only the data files given ({', '.join(stems)}): {one_line(exc)}",
        ) from None
    except duckdb.Error as exc:
        raise fail(Location(QUERY), f"the query failed: {one_line(exc)}") from None
    n_rows = _count(database, _RESULT)
    if not n_rows:
        raise fail(Location(QUERY), "the query gave no rows: there is nothing to bind")
    return Table(QUERY, tuple(str(p) for p in paths), database, _RESULT, n_rows, _Numbered(1))
