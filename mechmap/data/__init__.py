"""Site data bound to a map: the step between data files and estimates.

- :func:`read_tables`: CSV, Parquet, and one SELECT over them (:mod:`~mechmap.data.tables`),
  each table a view in a locked DuckDB connection (:mod:`~mechmap.data.sql`), a CSV file's
  lines known from its layout (:mod:`~mechmap.data.csvfile`);
- :func:`load_measures`: a measures file, checked against the map (the same block can sit in
  the map under ``measures:``; docs/map-format.md describes it);
- :func:`bind`: the map's variables as one checked matrix, a row per site or per respondent
  (:mod:`~mechmap.data.binding`, giving :class:`AnalysisData`, :mod:`~mechmap.data.bound`).
  DuckDB does the reading: each cell's meaning and the rules its values keep are SQL
  (:mod:`~mechmap.data.cells`), each table is one pass that aggregates respondents to sites
  (:mod:`~mechmap.data.tablesql`, :mod:`~mechmap.data.reading`), and only sites, the rows
  analysed, and the cells to report come back (:mod:`~mechmap.data.problems`). The
  respondents' agreement is reported as ICC(1) and ICC(2) (:mod:`~mechmap.data.icc`);
  missing values are gaps (:mod:`~mechmap.data.gaps`).

Nothing here is imported by ``import mechmap`` or by loading a map; numpy, duckdb and pyarrow
are imported only when data are read.
"""

from mechmap.data.binding import bind
from mechmap.data.bound import Aggregation, AnalysisData, Dropped
from mechmap.data.icc import ICC, icc
from mechmap.data.measures import Binding, bindable_variables, resolve
from mechmap.data.tables import DataError, Table, read_tables
from mechmap.mapfile.loader import load_measures

__all__ = [
    "ICC",
    "Aggregation",
    "AnalysisData",
    "Binding",
    "DataError",
    "Dropped",
    "Table",
    "bind",
    "bindable_variables",
    "icc",
    "load_measures",
    "read_tables",
    "resolve",
]
