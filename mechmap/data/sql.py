"""The DuckDB connection every table is read through, and the check a user's query passes.

Data files are never loaded whole into Python: each is a view in a DuckDB connection, and
binding asks that connection for what it needs (a few columns, filtered, often already
aggregated to one row per site). The connection is shut in before anything else runs:

- it may read only the files it was opened for (``allowed_paths``), and nothing else:
  no other file, no network, no extension (``enable_external_access=false``, automatic
  installing and loading of extensions off);
- its configuration is then locked (``lock_configuration=true``), so no statement can
  undo any of that;
- its memory is capped (:data:`MEMORY_LIMIT`, more for a user's query), as are its threads
  (:data:`THREADS`: each holds buffers of its own), and it spills to a private temporary
  directory, removed with the connection, so a large file costs disk rather than memory.

A query written by a user (``--query``) is moreover checked before it runs
(:func:`select_statement`): one SELECT statement, nothing else; the locked connection is the
second wall behind that check. Any other text from users (a ``where`` value, a category)
reaches SQL only as a parameter, or, where SQL takes none (a file's path in a view, a column's
name), quoted by :func:`sql_text` or :func:`sql_name`.

>>> database = Database([])
>>> database.execute("SELECT 40 + 2").fetchall()
[(42,)]
>>> from mechmap.data.errors import DataError
>>> try:  # doctest: +ELLIPSIS
...     select_statement("COPY (SELECT 1) TO 'out.csv'")
... except DataError as exc:
...     print(exc.diagnostics[0])
query:1:1: error: the query is a COPY statement, but --query runs one SELECT ...
"""

from __future__ import annotations

import re
import shutil
import tempfile
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mechmap.data.errors import fail
from mechmap.diagnostics import Location

if TYPE_CHECKING:
    import duckdb

# DuckDB's own share of memory (it spills to disk beyond it, where it can): binding's queries
# need little, and a user's query, which may hold a median's values, gets more.
MEMORY_LIMIT, QUERY_MEMORY_LIMIT = "256MB", "1GB"
# DuckDB runs a thread per core by default, and each thread reading a CSV file holds its own
# buffers and partial aggregates (binding 1M rows took +74 MB with 1 thread, +95 MB with 2,
# +152 MB with 16): two, whatever the machine, so memory does not grow with its cores.
THREADS = 2
QUERY = "query"  # the name a query goes by in messages


class Database:
    """A locked DuckDB connection that can read ``files`` and nothing else, using up to
    ``memory_limit`` of memory.

    ``setup`` runs on the connection before it is locked (registering views, attaching
    databases, registering data frames); afterwards its settings cannot change.
    """

    def __init__(
        self,
        files: Sequence[Path],
        setup: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
        memory_limit: str = MEMORY_LIMIT,
    ):
        import duckdb

        self.spill = tempfile.mkdtemp(prefix="mechmap-duckdb-")
        try:
            self.connection = duckdb.connect(
                config={
                    "autoinstall_known_extensions": False,
                    "autoload_known_extensions": False,
                    "temp_directory": self.spill,
                    "memory_limit": memory_limit,
                    "threads": THREADS,
                }
            )
        except BaseException:
            shutil.rmtree(self.spill, ignore_errors=True)
            raise
        self._finalize = weakref.finalize(self, _close, self.connection, self.spill)
        # DuckDB would print its progress bar into mechmap's output (into --json too).
        self.connection.execute("SET enable_progress_bar = false")
        if setup is not None:
            setup(self.connection)
        allowed = [str(Path(f).resolve()) for f in files] + [str(f) for f in files]
        self.connection.execute("SET allowed_paths = ?", [allowed])
        self.connection.execute("SET enable_external_access = false")
        self.connection.execute("SET lock_configuration = true")

    def close(self) -> None:
        """Close the connection and remove its spill folder now rather than when this object
        is collected: DuckDB's memory (tens of MB after a large file) is freed at once."""
        self._finalize()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> duckdb.DuckDBPyConnection:
        return self.connection.execute(sql, list(params))

    def batches(self, sql: str, params: Sequence[Any] = (), size: int = 1 << 14):
        """The result as a stream of pyarrow record batches of ``size`` rows (small ones:
        streaming a million rows in batches of 16k rather than 128k took 15 MB less at
        the peak, in no more time)."""
        return self.connection.sql(sql, params=list(params)).to_arrow_reader(size)


def _close(connection: duckdb.DuckDBPyConnection, spill: str) -> None:
    connection.close()
    shutil.rmtree(spill, ignore_errors=True)


def select_statement(query: str, tables: Sequence[str] = ()) -> str:
    """``query`` if it is exactly one SELECT statement (``WITH``, ``VALUES``, ``FROM ...``
    included); else :class:`~mechmap.data.errors.DataError` located in the query (``query``
    is its file name: line and column are the query's own), before anything runs.
    ``tables`` are named in the message."""
    import duckdb

    named = ", ".join(tables) or "none"
    try:
        statements = duckdb.extract_statements(query)
    except duckdb.Error as exc:
        raise fail(Location(QUERY), f"the query is not valid SQL: {one_line(exc)}") from None
    if not statements:
        raise fail(Location(QUERY), "the query is empty; write one SELECT over the data files")
    starts, at = [], 0
    for statement in statements:
        text = statement.query.strip()
        at = max(query.find(text, at), at) if text else at
        starts.append(at)
        at += len(text)
    if len(statements) > 1:
        raise fail(
            _place(query, starts[1]),
            f"the query has {len(statements)} statements, but --query runs one SELECT over "
            f"the data files (their tables: {named}); remove all but the first",
        )
    if statements[0].type.name != "SELECT":
        word = re.match(r"\s*([A-Za-z]+)", query[starts[0] :])
        kind = word.group(1).upper() if word else statements[0].type.name
        raise fail(
            _place(query, starts[0]),
            f"the query is {'an' if kind[0] in 'AEIOU' else 'a'} {kind} statement, but --query "
            f"runs one SELECT over the data files (their tables: {named}); nothing else is allowed",
        )
    return query


def _place(query: str, offset: int) -> Location:
    before = query[:offset]
    return Location(QUERY, before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1)


def sql_text(text: str) -> str:
    """``text`` as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def sql_name(name: str) -> str:
    """``name`` as an SQL identifier, whatever characters it holds."""
    return '"' + name.replace('"', '""') + '"'


def one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())
